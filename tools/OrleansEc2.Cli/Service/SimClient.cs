using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Amazon.Runtime;
using OrleansEc2.Cli.Settings;

namespace OrleansEc2.Cli.Service;

/// <summary>
/// The simulator's <c>/_sim/</c> API (guest actions, the account's signing credentials, migrations), signed with
/// SigV4 as the account for service <c>ec2</c>. Its JSON errors (<c>{ "code", "message" }</c>) are thrown as
/// <see cref="AmazonServiceException"/>, so they print as the EC2 API's do.
/// </summary>
internal sealed class SimClient(HttpClient http, Ec2SimSettings settings)
{
    public Ec2SimSettings Settings { get; } = settings;

    public async Task<JsonElement> GetJsonAsync(string path, CancellationToken cancellationToken) =>
        await SendJsonAsync(HttpMethod.Get, path, null, null, cancellationToken);

    public async Task<JsonElement> SendJsonAsync(HttpMethod method, string path, byte[]? body, string? contentType, CancellationToken cancellationToken)
    {
        var bytes = await SendAsync(method, path, body, contentType, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.Failure, $"The simulator's answer to {method} {path} is not JSON: {e.Message}");
        }
    }

    public async Task<byte[]> SendAsync(HttpMethod method, string path, byte[]? body, string? contentType, CancellationToken cancellationToken)
    {
        var uri = new Uri(Settings.Url, path);
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/octet-stream");
        }

        SigV4Signer.Sign(request, body ?? [], Settings.AccessKeyId, Settings.SecretAccessKey, Settings.Region, "ec2", DateTimeOffset.UtcNow);
        using var response = await http.SendAsync(request, cancellationToken);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return content;
        }

        throw ToServiceError(response, content);
    }

    private static AmazonServiceException ToServiceError(HttpResponseMessage response, byte[] content)
    {
        var status = response.StatusCode;
        string code = $"Http{(int)status}";
        string message = $"{(int)status} {response.ReasonPhrase}";
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (document.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String)
                {
                    code = c.GetString()!;
                }

                if (document.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                {
                    message = m.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            // Not the simulator's JSON error (a proxy's page, say): the status says what happened.
        }

        var type = (int)status >= 500 ? ErrorType.Receiver : ErrorType.Sender;
        var requestId = response.Headers.TryGetValues("x-amz-request-id", out var ids) ? ids.FirstOrDefault() : null;
        return new AmazonServiceException(message, type, code, requestId ?? "", status == 0 ? HttpStatusCode.BadRequest : status);
    }
}

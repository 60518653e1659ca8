using System.Net;
using System.Text;
using OrleansEc2.Api.Auth;

namespace OrleansEc2.Bench.Scale;

/// <summary>
/// EC2 Query API requests signed afresh (SigV4, service <c>ec2</c>) and sent over one keep-alive connection: what the
/// timed listings use, so the figures are the server's and the transport's, not the SDK's XML unmarshalling.
/// </summary>
public sealed class SignedQuery(Uri baseUri, string accessKeyId, string secretAccessKey, string region) : IDisposable
{
    private const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";
    private const string InstanceIdElement = "<instanceId>";

    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseCookies = false });

    /// <summary>
    /// Lists every instance DescribeInstances answers for <paramref name="parameters"/> (form text after
    /// <c>Action</c>/<c>Version</c>, may be empty), following <c>nextToken</c> with pages of <paramref name="pageSize"/>
    /// (0: no <c>MaxResults</c>, one answer). Returns how many instances the pages held and how many pages there were.
    /// </summary>
    public async Task<(int Instances, int Pages)> ListInstancesAsync(string parameters, int pageSize)
    {
        var instances = 0;
        var pages = 0;
        string? nextToken = null;
        do
        {
            var body = "Action=DescribeInstances&Version=2016-11-15"
                + (parameters.Length > 0 ? "&" + parameters : "")
                + (pageSize > 0 ? $"&MaxResults={pageSize}" : "")
                + (nextToken is null ? "" : "&NextToken=" + Uri.EscapeDataString(nextToken));
            var text = await PostAsync(body);
            instances += text.AsSpan().Count(InstanceIdElement);
            pages++;
            nextToken = NextToken(text);
        }
        while (nextToken is not null);

        return (instances, pages);
    }

    /// <summary>Sends one signed form; throws with the answer's start when it is not a 200.</summary>
    public async Task<string> PostAsync(string body)
    {
        var now = DateTimeOffset.UtcNow;
        var amzDate = SigV4.FormatAmzDate(now);
        var host = $"{baseUri.Host}:{baseUri.Port}";
        var bytes = Encoding.UTF8.GetBytes(body);
        var headers = new List<KeyValuePair<string, string>> { new("content-type", ContentType), new("host", host), new("x-amz-date", amzDate) };
        var canonical = SigV4.CanonicalRequest("POST", "/", "", headers, SigV4.HexSha256(bytes));
        var scope = $"{amzDate[..8]}/{region}/ec2/aws4_request";
        var signature = SigV4.Sign(SigV4.SigningKey(secretAccessKey, amzDate[..8], region, "ec2"), SigV4.StringToSign(amzDate, scope, canonical));

        using var message = new HttpRequestMessage(HttpMethod.Post, baseUri) { Content = new ByteArrayContent(bytes) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        message.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        message.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders=content-type;host;x-amz-date, Signature={signature}");
        using var response = await _http.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{body.Split('&')[0]} answered {(int)response.StatusCode}: {text[..Math.Min(400, text.Length)]}");
        }

        return text;
    }

    public void Dispose() => _http.Dispose();

    private static string? NextToken(string text)
    {
        const string open = "<nextToken>";
        var start = text.LastIndexOf(open, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += open.Length;
        var end = text.IndexOf("</nextToken>", start, StringComparison.Ordinal);
        return end > start ? WebUtility.HtmlDecode(text[start..end]) : null;
    }
}

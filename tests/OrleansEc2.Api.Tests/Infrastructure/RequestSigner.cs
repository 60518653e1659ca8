using System.Net.Http.Headers;
using System.Text;
using OrleansEc2.Api.Auth;

namespace OrleansEc2.Api.Tests.Infrastructure;

/// <summary>Signs raw HTTP requests with SigV4 the way AWS clients do, so tests can send what the SDK never would.</summary>
public static class RequestSigner
{
    public static HttpRequestMessage Ec2Post(Uri baseUri, string body, string accessKeyId, string secret, DateTimeOffset? time = null, string region = "us-east-1", string service = "ec2")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, baseUri)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
        Sign(request, Encoding.UTF8.GetBytes(body), accessKeyId, secret, time ?? DateTimeOffset.UtcNow, region, service);
        return request;
    }

    public static HttpRequestMessage Signed(HttpMethod method, Uri uri, byte[] body, string accessKeyId, string secret, string region = "us-east-1", string service = "ec2")
    {
        var request = new HttpRequestMessage(method, uri);
        if (body.Length > 0 || method == HttpMethod.Put || method == HttpMethod.Post)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/octet-stream");
        }

        Sign(request, body, accessKeyId, secret, DateTimeOffset.UtcNow, region, service);
        return request;
    }

    /// <summary>Adds X-Amz-Date and an Authorization header over host, content-type (when there is a body) and x-amz-date.</summary>
    public static void Sign(HttpRequestMessage request, byte[] body, string accessKeyId, string secret, DateTimeOffset time, string region, string service)
    {
        var amzDate = SigV4.FormatAmzDate(time);
        var date = amzDate[..8];
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        var uri = request.RequestUri!;
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var headers = new List<KeyValuePair<string, string>> { new("host", host) };
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            headers.Add(new("content-type", contentType.ToString()));
        }

        headers.Add(new("x-amz-date", amzDate));
        headers.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var query = SigV4.CanonicalQueryString(SigV4.ParseQuery(uri.Query));
        var canonical = SigV4.CanonicalRequest(request.Method.Method, SigV4.CanonicalUri(uri.AbsolutePath, isS3: service == "s3"), query, headers, SigV4.HexSha256(body));
        var scope = $"{date}/{region}/{service}/aws4_request";
        var signature = SigV4.Sign(SigV4.SigningKey(secret, date, region, service), SigV4.StringToSign(amzDate, scope, canonical));
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={string.Join(';', headers.Select(h => h.Key))}, Signature={signature}");
    }

    /// <summary>A form body from name/value pairs, encoded as AWS clients encode it.</summary>
    public static string Form(params (string Name, string Value)[] parameters)
        => string.Join('&', parameters.Select(p => SigV4.UriEncode(p.Name, false) + "=" + SigV4.UriEncode(p.Value, false)));
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OrleansEc2.Api.S3.Payload;

namespace OrleansEc2.Api.S3;

/// <summary>One authenticated S3 request on its way through an operation.</summary>
internal sealed class S3RequestContext(HttpContext http, string requestId, S3Route route, S3Caller caller)
{
    /// <summary>The largest body an operation that takes XML accepts.</summary>
    public const int MaxXmlBodyBytes = 8 * 1024 * 1024;

    /// <summary>The most bytes any request without a meaningful body may carry.</summary>
    private const int MaxIgnoredBodyBytes = 1024 * 1024;

    public HttpContext Http { get; } = http;

    public HttpRequest Request => Http.Request;

    public HttpResponse Response => Http.Response;

    public CancellationToken Aborted => Http.RequestAborted;

    public string RequestId { get; } = requestId;

    public S3Route Route { get; } = route;

    public S3Caller Caller { get; } = caller;

    public string AccountId => Caller.AccountId;

    public string Bucket => Route.Bucket ?? throw new InvalidOperationException("The request names no bucket.");

    public string Key => Route.Key ?? throw new InvalidOperationException("The request names no key.");

    public S3Query Query => Route.Query;

    public bool IsHead => HttpMethods.IsHead(Request.Method);

    public string? Header(string name) => Request.Headers[name].ToString() is { Length: > 0 } value ? value : null;

    /// <summary>The body as the object's bytes, verified as it is read (see <see cref="S3PayloadStream"/>).</summary>
    public S3PayloadStream OpenPayload(long maxLength, bool checksumHeadersDescribeBody = true)
    {
        var expectations = PayloadExpectations.FromHeaders(Request, Caller.PayloadMode, checksumHeadersDescribeBody);
        if (Http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // Sizes are S3's to police (EntityTooLarge), on the decoded bytes; the raw aws-chunked body is a little longer.
            limit.MaxRequestBodySize = null;
        }

        return new S3PayloadStream(
            Request.Body,
            Caller.PayloadMode,
            expectations,
            Caller.PayloadMode == PayloadMode.Sha256 ? Caller.Verified.PayloadHash : null,
            Caller.PayloadMode.SignsChunks() ? Caller.ChunkSigning : null,
            maxLength);
    }

    /// <summary>A small body (XML), read whole and verified.</summary>
    public async Task<byte[]> ReadSmallBodyAsync(int maxBytes = MaxXmlBodyBytes, bool checksumHeadersDescribeBody = true)
    {
        await using var payload = OpenPayload(maxBytes, checksumHeadersDescribeBody);
        return await payload.ReadSmallAsync(maxBytes, Aborted);
    }

    /// <summary>
    /// Reads and verifies a body the operation has no use for, so that a request whose signed payload does not check
    /// out changes nothing even when it carries no data the operation reads.
    /// </summary>
    public async Task VerifyIgnoredBodyAsync()
    {
        if (Request.ContentLength is 0 && Caller.PayloadMode is PayloadMode.Unsigned)
        {
            return;
        }

        await ReadSmallBodyAsync(MaxIgnoredBodyBytes);
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansEc2.Api.Auth;

/// <summary>Why a request's signature was refused; each front door maps it to its own error code.</summary>
public enum SigV4Failure
{
    /// <summary>No signature at all (anonymous request).</summary>
    Missing,

    /// <summary>An Authorization header or X-Amz-* query that is not well-formed SigV4.</summary>
    Malformed,

    UnknownAccessKey,

    SignatureMismatch,

    /// <summary>A presigned URL past its X-Amz-Expires.</summary>
    Expired,

    /// <summary>The request time is too far from the server's clock.</summary>
    ClockSkew,
}

/// <summary>A refused signature.</summary>
public sealed class SigV4Exception(SigV4Failure failure, string message) : Exception(message)
{
    public SigV4Failure Failure { get; } = failure;
}

/// <summary>The credential scope <c>date/region/service/aws4_request</c>.</summary>
public sealed record SigV4Scope(string Date, string Region, string Service)
{
    public override string ToString() => $"{Date}/{Region}/{Service}/aws4_request";
}

/// <summary>The SigV4 fields of a request, from its Authorization header or its presigned query.</summary>
public sealed record SigV4Signature(
    string AccessKeyId,
    SigV4Scope Scope,
    IReadOnlyList<string> SignedHeaders,
    string Signature,
    string AmzDate,
    DateTimeOffset RequestTime,
    bool IsPresigned,
    TimeSpan? Expires);

/// <summary>A request whose signature checked out: who signed it, and what aws-chunked bodies need to verify chunks.</summary>
public sealed record VerifiedRequest(AccessKey Key, SigV4Signature Signature, byte[] SigningKey, string PayloadHash);

/// <summary>
/// Verifies AWS Signature Version 4 on an ASP.NET Core request (header and presigned-query forms) against the
/// accounts' access keys. Times are checked against the system clock: AWS clients sign with real time.
/// </summary>
public sealed class SigV4Verifier(IAccessKeySource keys, TimeProvider systemTime)
{
    /// <summary>How far a request's time may be from the server's (AWS allows 15 minutes).</summary>
    public static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);

    /// <summary>The longest a presigned URL may be valid (7 days).</summary>
    public static readonly TimeSpan MaxPresignedExpiry = TimeSpan.FromDays(7);

    private const string AuthorizationPrefix = SigV4.Algorithm + " ";

    /// <summary>Reads the SigV4 fields of a request; null when it carries no signature at all.</summary>
    public static SigV4Signature? Parse(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            return ParseAuthorizationHeader(request, authorization);
        }

        if (request.Query.ContainsKey("X-Amz-Signature") || request.Query.ContainsKey("X-Amz-Credential"))
        {
            return ParsePresignedQuery(request);
        }

        return null;
    }

    /// <summary>
    /// Checks <paramref name="signature"/> against the request: the access key exists, the time is within the allowed
    /// skew (or the presigned URL has not expired), and the recomputed signature matches.
    /// <paramref name="payloadHash"/> is the hash that goes into the canonical request (hex SHA-256 of the body,
    /// <c>UNSIGNED-PAYLOAD</c>, or a <c>STREAMING-…</c> marker).
    /// </summary>
    public async Task<VerifiedRequest> VerifyAsync(HttpRequest request, SigV4Signature signature, string payloadHash)
    {
        var now = systemTime.GetUtcNow();
        if (signature.IsPresigned)
        {
            if (signature.RequestTime - now > AllowedSkew)
            {
                throw new SigV4Exception(SigV4Failure.ClockSkew, "Request is not valid yet: X-Amz-Date is in the future.");
            }

            if (now > signature.RequestTime + signature.Expires!.Value)
            {
                throw new SigV4Exception(SigV4Failure.Expired, "Request has expired.");
            }
        }
        else if ((now - signature.RequestTime).Duration() > AllowedSkew)
        {
            throw new SigV4Exception(
                SigV4Failure.ClockSkew,
                string.Format(
                    CultureInfo.InvariantCulture,
                    "Request timestamp {0} is more than 15 minutes from the server time {1}.",
                    signature.AmzDate,
                    SigV4.FormatAmzDate(now)));
        }

        var key = await keys.FindAsync(signature.AccessKeyId)
            ?? throw new SigV4Exception(SigV4Failure.UnknownAccessKey, $"The AWS Access Key Id '{signature.AccessKeyId}' does not exist in our records.");

        var signingKey = SigV4.SigningKey(key.SecretAccessKey, signature.Scope.Date, signature.Scope.Region, signature.Scope.Service);
        var canonicalRequest = BuildCanonicalRequest(request, signature, payloadHash);
        var stringToSign = SigV4.StringToSign(signature.AmzDate, signature.Scope.ToString(), canonicalRequest);
        var expected = SigV4.Sign(signingKey, stringToSign);
        if (!SigV4.SignaturesEqual(expected, signature.Signature))
        {
            throw new SigV4Exception(
                SigV4Failure.SignatureMismatch,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        }

        return new VerifiedRequest(key, signature, signingKey, payloadHash);
    }

    /// <summary>The canonical request the server computes for <paramref name="request"/>.</summary>
    public static string BuildCanonicalRequest(HttpRequest request, SigV4Signature signature, string payloadHash)
    {
        var (rawPath, rawQuery) = RawTarget(request);
        var isS3 = signature.Scope.Service == "s3";
        var canonicalUri = SigV4.CanonicalUri(rawPath, isS3);
        var query = SigV4.CanonicalQueryString(SigV4.ParseQuery(rawQuery), exclude: signature.IsPresigned ? "X-Amz-Signature" : null);
        var headers = new List<KeyValuePair<string, string>>(signature.SignedHeaders.Count);
        foreach (var name in signature.SignedHeaders)
        {
            var values = name == "host" && request.Headers.Host.Count == 0
                ? [request.Host.Value ?? ""]
                : request.Headers[name].Select(v => v ?? "");
            headers.Add(new(name, SigV4.CanonicalHeaderValue(values)));
        }

        return SigV4.CanonicalRequest(request.Method, canonicalUri, query, headers, payloadHash);
    }

    /// <summary>The path and query exactly as the client sent them (still percent-encoded).</summary>
    public static (string Path, string Query) RawTarget(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            return (request.PathBase.Add(request.Path).ToUriComponent(), request.QueryString.HasValue ? request.QueryString.Value![1..] : "");
        }

        var q = raw.IndexOf('?');
        return q < 0 ? (raw, "") : (raw[..q], raw[(q + 1)..]);
    }

    private static SigV4Signature ParseAuthorizationHeader(HttpRequest request, string authorization)
    {
        if (!authorization.StartsWith(AuthorizationPrefix, StringComparison.Ordinal))
        {
            throw new SigV4Exception(SigV4Failure.Malformed, "Unsupported authorization type: only AWS4-HMAC-SHA256 (Signature Version 4) is accepted.");
        }

        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in authorization[AuthorizationPrefix.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                throw new SigV4Exception(SigV4Failure.Malformed, $"Authorization header component '{part}' is not name=value.");
            }

            var value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
                default:
                    throw new SigV4Exception(SigV4Failure.Malformed, $"Authorization header has an unknown component '{part[..eq]}'.");
            }
        }

        if (credential is null || signedHeaders is null || signature is null)
        {
            throw new SigV4Exception(SigV4Failure.Malformed, "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.");
        }

        var amzDate = request.Headers["x-amz-date"].ToString();
        DateTimeOffset requestTime;
        if (amzDate.Length > 0)
        {
            if (!SigV4.TryParseAmzDate(amzDate, out requestTime))
            {
                throw new SigV4Exception(SigV4Failure.Malformed, $"X-Amz-Date '{amzDate}' is not in the form yyyyMMddTHHmmssZ.");
            }
        }
        else if (DateTimeOffset.TryParseExact(request.Headers.Date.ToString(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out requestTime))
        {
            amzDate = SigV4.FormatAmzDate(requestTime);
        }
        else
        {
            throw new SigV4Exception(SigV4Failure.Malformed, "The request must carry an X-Amz-Date (or Date) header.");
        }

        return Build(credential, signedHeaders, signature, amzDate, requestTime, presigned: false, expires: null);
    }

    private static SigV4Signature ParsePresignedQuery(HttpRequest request)
    {
        string Get(string name) => request.Query[name].ToString() is { Length: > 0 } v
            ? v
            : throw new SigV4Exception(SigV4Failure.Malformed, $"Query-string authentication requires the {name} parameter.");

        var algorithm = Get("X-Amz-Algorithm");
        if (algorithm != SigV4.Algorithm)
        {
            throw new SigV4Exception(SigV4Failure.Malformed, $"X-Amz-Algorithm '{algorithm}' is not supported; only AWS4-HMAC-SHA256 is.");
        }

        var amzDate = Get("X-Amz-Date");
        if (!SigV4.TryParseAmzDate(amzDate, out var requestTime))
        {
            throw new SigV4Exception(SigV4Failure.Malformed, $"X-Amz-Date '{amzDate}' is not in the form yyyyMMddTHHmmssZ.");
        }

        var expiresText = Get("X-Amz-Expires");
        if (!int.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 1)
        {
            throw new SigV4Exception(SigV4Failure.Malformed, $"X-Amz-Expires '{expiresText}' must be a positive number of seconds.");
        }

        var expires = TimeSpan.FromSeconds(seconds);
        if (expires > MaxPresignedExpiry)
        {
            throw new SigV4Exception(SigV4Failure.Malformed, "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds.");
        }

        return Build(Get("X-Amz-Credential"), Get("X-Amz-SignedHeaders"), Get("X-Amz-Signature"), amzDate, requestTime, presigned: true, expires);
    }

    private static SigV4Signature Build(string credential, string signedHeaders, string signature, string amzDate, DateTimeOffset requestTime, bool presigned, TimeSpan? expires)
    {
        var parts = credential.Split('/');
        if (parts.Length != 5 || parts.Any(p => p.Length == 0) || parts[4] != "aws4_request")
        {
            throw new SigV4Exception(SigV4Failure.Malformed, $"Credential '{credential}' is not of the form <access key>/<yyyyMMdd>/<region>/<service>/aws4_request.");
        }

        if (parts[1] != amzDate[..8])
        {
            throw new SigV4Exception(SigV4Failure.Malformed, $"Credential scope date '{parts[1]}' does not match the request date '{amzDate[..8]}'.");
        }

        if (signature.Length != 64 || !signature.All(char.IsAsciiHexDigit))
        {
            throw new SigV4Exception(SigV4Failure.Malformed, "Signature must be 64 hexadecimal characters.");
        }

        var headers = signedHeaders.Split(';');
        if (headers.Any(h => h.Length == 0 || h != h.ToLowerInvariant()) || !headers.Contains("host"))
        {
            throw new SigV4Exception(SigV4Failure.Malformed, "SignedHeaders must be a ';'-separated list of lowercase header names that includes 'host'.");
        }

        return new SigV4Signature(parts[0], new SigV4Scope(parts[1], parts[2], parts[3]), headers, signature, amzDate, requestTime, presigned, expires);
    }
}

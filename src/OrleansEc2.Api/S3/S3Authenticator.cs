using Microsoft.AspNetCore.Http;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.FrontDoor;
using OrleansEc2.Api.S3.Payload;

namespace OrleansEc2.Api.S3;

/// <summary>Who sent an S3 request, the region its signature was scoped to, and how its body is signed.</summary>
internal sealed record S3Caller(string AccountId, string Region, VerifiedRequest Verified, PayloadMode PayloadMode)
{
    public SigV4Signature Signature => Verified.Signature;

    /// <summary>What signed chunks and trailers chain from.</summary>
    public ChunkSigningContext ChunkSigning =>
        new(Verified.SigningKey, Signature.AmzDate, Signature.Scope.ToString(), Signature.Signature.ToLowerInvariant());
}

/// <summary>
/// SigV4 for the S3 REST API, header and presigned-query forms, refused with S3's codes: <c>AccessDenied</c> unsigned
/// or for an expired presigned URL, <c>InvalidAccessKeyId</c>, <c>SignatureDoesNotMatch</c>, <c>RequestTimeTooSkewed</c>,
/// <c>AuthorizationHeaderMalformed</c> (or <c>AuthorizationQueryParametersError</c>) for a signature S3 cannot read or
/// a scope naming another service or a region that is not configured.
/// </summary>
internal sealed class S3Authenticator(SigV4Verifier verifier, ConfiguredRegions regions)
{
    public const string Service = "s3";
    public const string ContentSha256Header = "x-amz-content-sha256";

    private const string SigV4Only = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.";

    public async Task<S3Caller> AuthenticateAsync(HttpRequest request)
    {
        SigV4Signature? signature;
        try
        {
            signature = SigV4Verifier.Parse(request);
        }
        catch (SigV4Exception e)
        {
            throw MapParseFailure(request, e);
        }

        if (signature is null)
        {
            // Signature Version 2 (a presigned URL of older clients) is not accepted, as by S3 for buckets of today.
            throw request.Query.ContainsKey("AWSAccessKeyId") && request.Query.ContainsKey("Signature")
                ? S3Errors.InvalidRequest(SigV4Only)
                : S3Errors.AccessDenied();
        }

        if (signature.Scope.Service != Service)
        {
            throw Malformed(signature, $"incorrect service \"{signature.Scope.Service}\". This endpoint belongs to \"{Service}\".");
        }

        if (await regions.FindAsync(signature.Scope.Region) is null)
        {
            var configured = string.Join(", ", (await regions.GetRegionsAsync()).Select(r => $"'{r.RegionName}'"));
            throw Malformed(signature, $"the region '{signature.Scope.Region}' is wrong; expecting one of {configured}.");
        }

        string payloadHash;
        if (signature.IsPresigned)
        {
            payloadHash = request.Query["X-Amz-Content-Sha256"].ToString() is { Length: > 0 } fromQuery ? fromQuery : SigV4.UnsignedPayload;
        }
        else
        {
            payloadHash = request.Headers[ContentSha256Header].ToString();
            if (payloadHash.Length == 0)
            {
                throw S3Errors.InvalidRequest($"Missing required header for this request: {ContentSha256Header}");
            }
        }

        VerifiedRequest verified;
        try
        {
            verified = await verifier.VerifyAsync(request, signature, payloadHash);
        }
        catch (SigV4Exception e)
        {
            throw MapVerifyFailure(signature, e);
        }

        // After the signature: a request nobody signed learns nothing but that, whatever payload it claims.
        var mode = PayloadModes.Parse(payloadHash);
        return new S3Caller(verified.Key.AccountId, signature.Scope.Region, verified, mode);
    }

    private static Ec2Exception MapParseFailure(HttpRequest request, SigV4Exception e)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            if (!authorization.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
            {
                return S3Errors.InvalidRequest(SigV4Only);
            }

            return new Ec2Exception(S3Errors.AuthorizationHeaderMalformed, "The authorization header is malformed; " + e.Message);
        }

        return new Ec2Exception(S3Errors.AuthorizationQueryParametersError, e.Message);
    }

    private static Ec2Exception Malformed(SigV4Signature signature, string detail) => signature.IsPresigned
        ? new Ec2Exception(S3Errors.AuthorizationQueryParametersError, "Error parsing the X-Amz-Credential parameter; " + detail)
        : new Ec2Exception(S3Errors.AuthorizationHeaderMalformed, "The authorization header is malformed; " + detail);

    private static Ec2Exception MapVerifyFailure(SigV4Signature signature, SigV4Exception e) => e.Failure switch
    {
        SigV4Failure.UnknownAccessKey => new Ec2Exception(Ec2ErrorCodes.InvalidAccessKeyId, "The AWS Access Key Id you provided does not exist in our records."),
        SigV4Failure.SignatureMismatch => new Ec2Exception(
            Ec2ErrorCodes.SignatureDoesNotMatch,
            "The request signature we calculated does not match the signature you provided. Check your key and signing method."),
        SigV4Failure.Expired => new Ec2Exception(Ec2ErrorCodes.AccessDenied, "Request has expired"),
        SigV4Failure.ClockSkew when signature.IsPresigned => new Ec2Exception(Ec2ErrorCodes.AccessDenied, "Request is not valid yet"),
        SigV4Failure.ClockSkew => new Ec2Exception(
            Ec2ErrorCodes.RequestTimeTooSkewed,
            "The difference between the request time and the current time is too large. " + e.Message),
        SigV4Failure.Malformed => Malformed(signature, e.Message),
        _ => S3Errors.AccessDenied(),
    };
}

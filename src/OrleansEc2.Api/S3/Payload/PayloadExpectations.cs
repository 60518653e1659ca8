using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace OrleansEc2.Api.S3.Payload;

/// <summary>
/// What a request's headers promise about its decoded body: its length, its Content-MD5, and the one additional
/// checksum it carries, in a header (value known up front) or as a declared trailer (value at the end of the body).
/// </summary>
internal sealed record PayloadExpectations(
    long? DecodedLength,
    byte[]? ContentMd5,
    S3ChecksumAlgorithm? ChecksumAlgorithm,
    string? ChecksumFromHeader,
    bool ChecksumInTrailer)
{
    public const string TrailerHeader = "x-amz-trailer";
    public const string SdkChecksumAlgorithmHeader = "x-amz-sdk-checksum-algorithm";
    public const string DecodedContentLengthHeader = "x-amz-decoded-content-length";

    /// <summary>Whether the body carries an integrity check S3 accepts where it demands one (DeleteObjects).</summary>
    public bool HasIntegrityCheck => ContentMd5 is not null || ChecksumAlgorithm is not null;

    /// <summary>Reads and validates the integrity headers of <paramref name="request"/> (S3's <c>InvalidRequest</c>/<c>InvalidDigest</c> otherwise).</summary>
    /// <param name="checksumHeadersDescribeBody">
    /// False where an <c>x-amz-checksum-*</c> header is about something else than the body (CompleteMultipartUpload:
    /// the whole object's checksum).
    /// </param>
    public static PayloadExpectations FromHeaders(HttpRequest request, PayloadMode mode, bool checksumHeadersDescribeBody = true)
    {
        var headers = request.Headers;
        long? decodedLength;
        if (mode.IsStreaming())
        {
            var decoded = headers[DecodedContentLengthHeader].ToString();
            decodedLength = decoded.Length == 0 ? null : ParseLength(decoded, DecodedContentLengthHeader);
        }
        else
        {
            decodedLength = request.ContentLength;
        }

        byte[]? md5 = null;
        var md5Text = headers["Content-MD5"].ToString();
        if (md5Text.Length > 0)
        {
            md5 = new byte[16];
            if (!Convert.TryFromBase64String(md5Text.Trim(), md5, out var written) || written != 16)
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidDigest, "The Content-MD5 you specified was invalid.");
            }
        }

        S3ChecksumAlgorithm? algorithm = null;
        string? fromHeader = null;
        foreach (var candidate in checksumHeadersDescribeBody ? S3ChecksumAlgorithm.All : [])
        {
            var value = headers[candidate.HeaderName].ToString();
            if (value.Length == 0)
            {
                continue;
            }

            if (algorithm is not null)
            {
                throw MultipleChecksums();
            }

            if (!candidate.IsWellFormed(value.Trim()))
            {
                throw S3Errors.InvalidRequest($"Value for {candidate.HeaderName} header is invalid.");
            }

            algorithm = candidate;
            fromHeader = value.Trim();
        }

        var inTrailer = false;
        var trailer = headers[TrailerHeader].ToString();
        if (trailer.Length > 0)
        {
            if (!mode.HasTrailer())
            {
                throw S3Errors.InvalidRequest(
                    $"The {TrailerHeader} header needs a body sent as {PayloadModes.StreamingSignedTrailer} or {PayloadModes.StreamingUnsignedTrailer}.");
            }

            foreach (var name in trailer.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var declared = S3ChecksumAlgorithm.FromHeaderName(name)
                    ?? throw S3Errors.InvalidRequest($"The trailing header {name} is not supported; only x-amz-checksum-* headers may trail a body.");
                if (algorithm is not null)
                {
                    throw MultipleChecksums();
                }

                algorithm = declared;
                inTrailer = true;
            }
        }

        var sdkAlgorithm = headers[SdkChecksumAlgorithmHeader].ToString();
        if (sdkAlgorithm.Length > 0 && checksumHeadersDescribeBody)
        {
            var named = S3ChecksumAlgorithm.FromName(sdkAlgorithm)
                ?? throw S3Errors.InvalidRequest($"Value for {SdkChecksumAlgorithmHeader} header is invalid.");
            if (algorithm is null)
            {
                throw S3Errors.InvalidRequest(
                    $"{SdkChecksumAlgorithmHeader} specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.");
            }

            if (named != algorithm)
            {
                throw S3Errors.InvalidRequest($"Value for {SdkChecksumAlgorithmHeader} header is invalid: it names {named.Name}, the checksum sent is {algorithm.Name}.");
            }
        }

        return new PayloadExpectations(decodedLength, md5, algorithm, fromHeader, inTrailer);
    }

    private static long ParseLength(string value, string header)
    {
        if (!long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            throw S3Errors.InvalidArgument($"The {header} header must be a non-negative integer.");
        }

        return length;
    }

    private static Ec2Exception MultipleChecksums() =>
        S3Errors.InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
}

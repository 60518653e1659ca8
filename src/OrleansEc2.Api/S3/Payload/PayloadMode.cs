using OrleansEc2.Api.Auth;

namespace OrleansEc2.Api.S3.Payload;

/// <summary>How a request's body is signed: the value of <c>x-amz-content-sha256</c>.</summary>
internal enum PayloadMode
{
    /// <summary>A plain body whose hex SHA-256 was signed.</summary>
    Sha256,

    /// <summary><c>UNSIGNED-PAYLOAD</c>: a plain body, not signed (presigned URLs, some clients).</summary>
    Unsigned,

    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>: aws-chunked, each chunk signed.</summary>
    StreamingSigned,

    /// <summary><c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER</c>: signed chunks, then signed trailing headers.</summary>
    StreamingSignedTrailer,

    /// <summary><c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>: unsigned chunks, then trailing headers.</summary>
    StreamingUnsignedTrailer,
}

internal static class PayloadModes
{
    public const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /// <summary>The mode an <c>x-amz-content-sha256</c> value names; <c>InvalidArgument</c> for anything else.</summary>
    public static PayloadMode Parse(string value)
    {
        switch (value)
        {
            case SigV4.UnsignedPayload:
                return PayloadMode.Unsigned;
            case StreamingSigned:
                return PayloadMode.StreamingSigned;
            case StreamingSignedTrailer:
                return PayloadMode.StreamingSignedTrailer;
            case StreamingUnsignedTrailer:
                return PayloadMode.StreamingUnsignedTrailer;
        }

        if (value.StartsWith("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", StringComparison.Ordinal))
        {
            throw new Ec2Exception(Ec2ErrorCodes.NotImplemented, "Signature Version 4A (AWS4-ECDSA-P256-SHA256) payloads are not implemented by this S3 endpoint.");
        }

        if (value.Length == 64 && value.AsSpan().IndexOfAnyExcept("0123456789abcdefABCDEF") < 0)
        {
            return PayloadMode.Sha256;
        }

        throw S3Errors.InvalidArgument(
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid sha256 value.");
    }

    public static bool IsStreaming(this PayloadMode mode) => mode is PayloadMode.StreamingSigned or PayloadMode.StreamingSignedTrailer or PayloadMode.StreamingUnsignedTrailer;

    public static bool HasTrailer(this PayloadMode mode) => mode is PayloadMode.StreamingSignedTrailer or PayloadMode.StreamingUnsignedTrailer;

    public static bool SignsChunks(this PayloadMode mode) => mode is PayloadMode.StreamingSigned or PayloadMode.StreamingSignedTrailer;
}

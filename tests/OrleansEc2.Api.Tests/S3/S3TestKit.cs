using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>Shared steps of the S3 tests: fresh buckets, deterministic bytes, reading objects back.</summary>
public static class S3TestKit
{
    public static string UniqueBucket(string prefix = "b") => $"{prefix}-{Guid.NewGuid():n}"[..Math.Min(prefix.Length + 25, 63)];

    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<string> CreateBucketAsync(IAmazonS3 s3, string prefix = "b")
    {
        var bucket = UniqueBucket(prefix);
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        return bucket;
    }

    public static async Task<byte[]> ReadAllAsync(IAmazonS3 s3, string bucket, string key)
    {
        using var response = await s3.GetObjectAsync(bucket, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public static async Task PutAsync(IAmazonS3 s3, string bucket, string key, byte[] content, string? contentType = null)
    {
        var request = new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(content) };
        if (contentType is not null)
        {
            request.ContentType = contentType;
        }

        await s3.PutObjectAsync(request);
    }

    /// <summary>Whether the key exists, by HEAD (a missing key is a 404 without a body).</summary>
    public static async Task<bool> ExistsAsync(IAmazonS3 s3, string bucket, string key)
    {
        try
        {
            await s3.GetObjectMetadataAsync(bucket, key);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public static async Task<AmazonS3Exception> FailsAsync(Func<Task> act)
    {
        var thrown = await act.Should().ThrowAsync<AmazonS3Exception>();
        return thrown.Which;
    }

    public static string Crc32Base64(byte[] data)
    {
        var crc = System.IO.Hashing.Crc32.HashToUInt32(data);
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, crc);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>The S3 error document of a raw response.</summary>
    public static async Task<(string Code, string Message, string RequestId)> ErrorOfAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var root = XDocument.Parse(text).Root!;
        root.Name.LocalName.Should().Be("Error", text);
        return (root.Element("Code")!.Value, root.Element("Message")!.Value, root.Element("RequestId")!.Value);
    }
}

/// <summary>A stream that cannot seek and does not know its length, as a pipe or a network stream.</summary>
public sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>What a raw request's body is made of, for <see cref="S3RawRequest"/>.</summary>
public enum RawBody
{
    /// <summary>A plain body, its hex SHA-256 signed.</summary>
    Sha256,

    Unsigned,

    /// <summary>aws-chunked, every chunk signed.</summary>
    SignedChunks,

    /// <summary>aws-chunked, signed chunks and a signed trailer.</summary>
    SignedChunksWithTrailer,

    /// <summary>aws-chunked, unsigned chunks and a trailer.</summary>
    UnsignedChunksWithTrailer,
}

/// <summary>
/// S3 requests built and signed by hand (SigV4 header and presigned forms, aws-chunked bodies with chained chunk and
/// trailer signatures), so tests can send what the SDK sends — and what it never would.
/// </summary>
public sealed class S3RawRequest
{
    public HttpMethod Method { get; init; } = HttpMethod.Put;

    public required Uri Uri { get; init; }

    public byte[] Body { get; init; } = [];

    public RawBody BodyKind { get; init; } = RawBody.Sha256;

    public string AccessKeyId { get; init; } = ApiSiloFixture.AliceKey;

    public string Secret { get; init; } = ApiSiloFixture.AliceSecret;

    public string Region { get; init; } = ApiSiloFixture.UsEast1;

    public DateTimeOffset? Time { get; init; }

    public int ChunkSize { get; init; } = 64 * 1024;

    /// <summary>Extra headers, signed (names lower-case).</summary>
    public Dictionary<string, string> Headers { get; init; } = [];

    /// <summary>The trailing checksum of a trailer body: its header name and value (null: the right CRC32).</summary>
    public (string Name, string? Value)? Trailer { get; init; } = ("x-amz-checksum-crc32", null);

    /// <summary>Changes the encoded body after signing (a tampered or truncated upload).</summary>
    public Func<byte[], byte[]>? TamperWire { get; init; }

    /// <summary>Replaces the signature of chunk N (1-based) with garbage.</summary>
    public int? GarbleChunkSignature { get; init; }

    public bool GarbleTrailerSignature { get; init; }

    /// <summary>The signed hash to claim instead of the body's (a body that does not match its signature).</summary>
    public string? ClaimedSha256 { get; init; }

    public HttpRequestMessage Build()
    {
        var time = Time ?? DateTimeOffset.UtcNow;
        var amzDate = SigV4.FormatAmzDate(time);
        var date = amzDate[..8];
        var scope = $"{date}/{Region}/s3/aws4_request";
        var signingKey = SigV4.SigningKey(Secret, date, Region, "s3");
        var chunked = BodyKind is RawBody.SignedChunks or RawBody.SignedChunksWithTrailer or RawBody.UnsignedChunksWithTrailer;
        var payloadHash = BodyKind switch
        {
            RawBody.Sha256 => ClaimedSha256 ?? SigV4.HexSha256(Body),
            RawBody.Unsigned => SigV4.UnsignedPayload,
            RawBody.SignedChunks => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            RawBody.SignedChunksWithTrailer => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            _ => "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        };

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = Uri.IsDefaultPort ? Uri.Host : $"{Uri.Host}:{Uri.Port}",
            ["x-amz-content-sha256"] = payloadHash,
            ["x-amz-date"] = amzDate,
        };
        if (chunked)
        {
            headers["content-encoding"] = "aws-chunked";
            headers["x-amz-decoded-content-length"] = Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (HasTrailer && Trailer is { } trailer)
            {
                headers["x-amz-trailer"] = trailer.Name;
            }
        }

        foreach (var (name, value) in Headers)
        {
            headers[name] = value;
        }

        var canonical = SigV4.CanonicalRequest(
            Method.Method,
            SigV4.CanonicalUri(Uri.AbsolutePath, isS3: true),
            SigV4.CanonicalQueryString(SigV4.ParseQuery(Uri.Query)),
            [.. headers],
            payloadHash);
        var seed = SigV4.Sign(signingKey, SigV4.StringToSign(amzDate, scope, canonical));

        var wire = chunked ? EncodeChunks(signingKey, amzDate, scope, seed) : Body;
        wire = TamperWire?.Invoke(wire) ?? wire;

        var message = new HttpRequestMessage(Method, Uri);
        if (wire.Length > 0 || Method == HttpMethod.Put || Method == HttpMethod.Post)
        {
            message.Content = new ByteArrayContent(wire);
        }

        foreach (var (name, value) in headers.Where(h => h.Key != "host"))
        {
            if (name is "content-encoding" or "content-md5" or "content-type")
            {
                message.Content ??= new ByteArrayContent(wire);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        message.Headers.TryAddWithoutValidation(
            "Authorization",
            $"AWS4-HMAC-SHA256 Credential={AccessKeyId}/{scope}, SignedHeaders={string.Join(';', headers.Keys)}, Signature={seed}");
        return message;
    }

    /// <summary>A presigned URL (query-string SigV4) for <paramref name="method"/> on <paramref name="uri"/>.</summary>
    public static Uri Presign(Uri uri, string method, DateTimeOffset time, int expiresSeconds, string accessKeyId = ApiSiloFixture.AliceKey, string secret = ApiSiloFixture.AliceSecret, string region = ApiSiloFixture.UsEast1)
    {
        var amzDate = SigV4.FormatAmzDate(time);
        var date = amzDate[..8];
        var scope = $"{date}/{region}/s3/aws4_request";
        var query = new List<KeyValuePair<string, string>>
        {
            new("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            new("X-Amz-Credential", $"{accessKeyId}/{scope}"),
            new("X-Amz-Date", amzDate),
            new("X-Amz-Expires", expiresSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("X-Amz-SignedHeaders", "host"),
        };
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var canonicalQuery = SigV4.CanonicalQueryString(query);
        var canonical = SigV4.CanonicalRequest(method, SigV4.CanonicalUri(uri.AbsolutePath, isS3: true), canonicalQuery, [new("host", host)], SigV4.UnsignedPayload);
        var signature = SigV4.Sign(SigV4.SigningKey(secret, date, region, "s3"), SigV4.StringToSign(amzDate, scope, canonical));
        return new Uri($"{uri.GetLeftPart(UriPartial.Path)}?{canonicalQuery}&X-Amz-Signature={signature}");
    }

    private bool HasTrailer => BodyKind is RawBody.SignedChunksWithTrailer or RawBody.UnsignedChunksWithTrailer;

    private byte[] EncodeChunks(byte[] signingKey, string amzDate, string scope, string seed)
    {
        var signed = BodyKind is RawBody.SignedChunks or RawBody.SignedChunksWithTrailer;
        var output = new MemoryStream();
        var previous = seed;
        var index = 0;
        for (var offset = 0; ; offset += ChunkSize)
        {
            offset = Math.Min(offset, Body.Length);
            var length = Math.Min(ChunkSize, Body.Length - offset);
            var chunk = Body.AsSpan(offset, length);
            index++;
            var header = length.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
            if (signed)
            {
                var signature = SigV4.Sign(signingKey, SigV4.ChunkStringToSign(amzDate, scope, previous, SigV4.HexSha256(chunk)));
                previous = signature;
                header += ";chunk-signature=" + (GarbleChunkSignature == index ? new string('0', 64) : signature);
            }

            output.Write(Encoding.ASCII.GetBytes(header + "\r\n"));
            output.Write(chunk);
            if (length > 0)
            {
                output.Write("\r\n"u8);
                continue;
            }

            if (HasTrailer && Trailer is { } trailer)
            {
                var value = trailer.Value ?? S3TestKit.Crc32Base64(Body);
                var line = $"{trailer.Name}:{value}";
                output.Write(Encoding.ASCII.GetBytes(line + "\r\n"));
                if (signed)
                {
                    var trailerSignature = SigV4.Sign(signingKey, SigV4.TrailerStringToSign(amzDate, scope, previous, SigV4.HexSha256(Encoding.ASCII.GetBytes(line + "\n"))));
                    output.Write(Encoding.ASCII.GetBytes($"x-amz-trailer-signature:{(GarbleTrailerSignature ? new string('1', 64) : trailerSignature)}\r\n"));
                }
            }

            output.Write("\r\n"u8);
            break;
        }

        return output.ToArray();
    }

    public static string Md5Base64(byte[] data) => Convert.ToBase64String(MD5.HashData(data));
}

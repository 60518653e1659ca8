using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using OrleansEc2.Api.Auth;

namespace OrleansEc2.Api.S3.Payload;

/// <summary>What chunk and trailer signatures chain from: the request's signing key, date, scope and seed signature.</summary>
internal sealed record ChunkSigningContext(byte[] SigningKey, string AmzDate, string Scope, string SeedSignature);

/// <summary>
/// A request body as the object's bytes: plain bodies pass through, <c>aws-chunked</c> bodies are de-chunked while they
/// stream. Everything the request promised is verified on the way — every chunk signature (chained from the seed
/// signature), the trailer signature, the payload's SHA-256, Content-MD5, the additional checksum, the decoded length —
/// and a broken promise is thrown as S3's error from the read that found it, at the latest from the read that would
/// have returned the end of the stream. A reader that reaches the end has read a body that checked out, so a blob
/// store that commits only at the end never stores a body that did not.
/// </summary>
internal sealed class S3PayloadStream : Stream
{
    private const int BufferSize = 64 * 1024;
    private const int MaxLineLength = 4096;
    private const int MaxTrailerLines = 16;
    private const string ChunkSignatureExtension = "chunk-signature=";
    private const string TrailerSignatureHeader = "x-amz-trailer-signature";

    private readonly Stream _body;
    private readonly PayloadMode _mode;
    private readonly PayloadExpectations _expectations;
    private readonly string? _signedSha256;
    private readonly ChunkSigningContext? _signing;
    private readonly long _maxLength;

    private readonly IncrementalHash? _payloadSha256;
    private readonly IncrementalHash? _md5;
    private readonly S3ChecksumAlgorithm.S3ChecksumComputation? _checksum;
    private readonly IncrementalHash? _chunkSha256;

    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _bodyEnded;

    private long _decodedLength;
    private long _chunkRemaining;
    private bool _inChunk;
    private int _chunkIndex;
    private string? _chunkSignature;
    private string? _previousSignature;
    private string? _trailerChecksum;
    private bool _finished;

    /// <param name="body">The raw request body.</param>
    /// <param name="mode">How the body is signed (<c>x-amz-content-sha256</c>).</param>
    /// <param name="expectations">What the headers promised.</param>
    /// <param name="signedSha256">The signed hex SHA-256 of a plain body (<see cref="PayloadMode.Sha256"/>).</param>
    /// <param name="signing">What chunk signatures chain from (signed streaming modes).</param>
    /// <param name="maxLength">The most decoded bytes accepted (<c>EntityTooLarge</c> past it).</param>
    public S3PayloadStream(Stream body, PayloadMode mode, PayloadExpectations expectations, string? signedSha256, ChunkSigningContext? signing, long maxLength)
    {
        if (mode.SignsChunks() && signing is null)
        {
            throw new ArgumentException("Signed chunks need the request's signing context.", nameof(signing));
        }

        _body = body;
        _mode = mode;
        _expectations = expectations;
        _signedSha256 = signedSha256;
        _signing = signing;
        _previousSignature = signing?.SeedSignature;
        _maxLength = maxLength;
        if (expectations.DecodedLength > maxLength)
        {
            throw TooLarge();
        }

        if (mode == PayloadMode.Sha256)
        {
            _payloadSha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        if (expectations.ContentMd5 is not null)
        {
            _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        }

        _checksum = expectations.ChecksumAlgorithm?.Start();
        if (mode.SignsChunks())
        {
            _chunkSha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        if (mode.IsStreaming())
        {
            _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        }
    }

    /// <summary>The checksum the body was verified against (header or trailer), once the stream has ended.</summary>
    public ObjectChecksum? VerifiedChecksum { get; private set; }

    /// <summary>How many decoded bytes were read.</summary>
    public long DecodedLength => _decodedLength;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _decodedLength;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("A request body is read asynchronously.");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_finished || destination.Length == 0)
        {
            return 0;
        }

        int read;
        if (_mode.IsStreaming())
        {
            read = await ReadChunkedAsync(destination, cancellationToken);
        }
        else
        {
            read = await ReadBodyAsync(destination, cancellationToken);
            if (read == 0)
            {
                Finish();
            }
        }

        if (read > 0)
        {
            Account(destination.Span[..read]);
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Reads the whole (small) body into memory, verified; <c>MaxMessageLengthExceeded</c> past <paramref name="maxBytes"/>.</summary>
    public async Task<byte[]> ReadSmallAsync(int maxBytes, CancellationToken cancellationToken)
    {
        var output = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await ReadAsync(buffer.AsMemory(), cancellationToken)) > 0)
            {
                if (output.Length + read > maxBytes)
                {
                    throw new Ec2Exception(S3Errors.MaxMessageLengthExceeded, $"Your request was too big: this operation accepts at most {maxBytes} bytes.");
                }

                output.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return output.ToArray();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _payloadSha256?.Dispose();
            _md5?.Dispose();
            _checksum?.Dispose();
            _chunkSha256?.Dispose();
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        _decodedLength += data.Length;
        if (_decodedLength > _maxLength)
        {
            throw TooLarge();
        }

        if (_expectations.DecodedLength is { } expected && _decodedLength > expected)
        {
            throw S3Errors.InvalidRequest(
                $"The body holds more than the {expected} bytes its {(_mode.IsStreaming() ? PayloadExpectations.DecodedContentLengthHeader : "Content-Length")} header announced.");
        }

        _payloadSha256?.AppendData(data);
        _md5?.AppendData(data);
        _checksum?.Append(data);
    }

    private async ValueTask<int> ReadChunkedAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (_chunkRemaining == 0)
        {
            if (_inChunk)
            {
                await ExpectLineEndAsync(cancellationToken);
                VerifyChunkSignature(_chunkSha256?.GetHashAndReset());
                _inChunk = false;
            }

            var size = await ReadChunkHeaderAsync(cancellationToken);
            if (size == 0)
            {
                VerifyChunkSignature(_chunkSha256 is null ? null : SHA256.HashData([]));
                await ReadTrailerAsync(cancellationToken);
                Finish();
                return 0;
            }

            _chunkRemaining = size;
            _inChunk = true;
        }

        var wanted = (int)Math.Min(destination.Length, _chunkRemaining);
        var read = await ReadBodyAsync(destination[..wanted], cancellationToken);
        if (read == 0)
        {
            throw S3Errors.IncompleteBody($"the body ended inside chunk {_chunkIndex}, {_chunkRemaining} bytes short.");
        }

        _chunkSha256?.AppendData(destination.Span[..read]);
        _chunkRemaining -= read;
        return read;
    }

    /// <summary>Parses <c>hex-size[;chunk-signature=sig][;other=ext]</c>; returns the size.</summary>
    private async ValueTask<long> ReadChunkHeaderAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken)
            ?? throw S3Errors.IncompleteBody(_chunkIndex == 0 ? "the aws-chunked body is empty." : $"the body ended before chunk {_chunkIndex} (no final zero-length chunk).");
        _chunkIndex++;
        var parts = line.Split(';');
        var sizeText = parts[0].Trim();
        if (sizeText.Length is 0 or > 15 || sizeText.AsSpan().IndexOfAnyExcept("0123456789abcdefABCDEF") >= 0)
        {
            throw Malformed($"chunk {_chunkIndex} does not start with a hexadecimal size.");
        }

        var size = long.Parse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        _chunkSignature = null;
        foreach (var extension in parts.Skip(1))
        {
            var trimmed = extension.Trim();
            if (trimmed.StartsWith(ChunkSignatureExtension, StringComparison.OrdinalIgnoreCase))
            {
                _chunkSignature = trimmed[ChunkSignatureExtension.Length..];
            }
        }

        if (_mode.SignsChunks() && (_chunkSignature is not { Length: 64 } || _chunkSignature.AsSpan().IndexOfAnyExcept("0123456789abcdefABCDEF") >= 0))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.SignatureDoesNotMatch,
                $"Chunk {_chunkIndex} carries no well-formed chunk-signature, and this request's body ({PayloadModeName}) must sign every chunk.");
        }

        return size;
    }

    private void VerifyChunkSignature(byte[]? chunkHash)
    {
        if (!_mode.SignsChunks())
        {
            return;
        }

        var signing = _signing!;
        var stringToSign = SigV4.ChunkStringToSign(signing.AmzDate, signing.Scope, _previousSignature!, Convert.ToHexStringLower(chunkHash!));
        var expected = SigV4.Sign(signing.SigningKey, stringToSign);
        if (!SigV4.SignaturesEqual(expected, _chunkSignature!))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.SignatureDoesNotMatch,
                $"The chunk signature we calculated does not match the signature you provided (chunk {_chunkIndex}). Check your AWS Secret Access Key and signing method.");
        }

        _previousSignature = _chunkSignature!.ToLowerInvariant();
    }

    private async ValueTask ReadTrailerAsync(CancellationToken cancellationToken)
    {
        var trailers = new List<KeyValuePair<string, string>>();
        string? trailerSignature = null;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line is null)
            {
                // A body may end without the closing empty line; what it sent is judged below.
                break;
            }

            if (line.Length == 0)
            {
                // Some writers put an empty line between the final chunk and the trailer: keep reading when more follows.
                if (_mode.HasTrailer() && trailers.Count == 0 && trailerSignature is null && !await IsAtEndAsync(cancellationToken))
                {
                    continue;
                }

                break;
            }

            if (!_mode.HasTrailer())
            {
                throw Malformed("the final chunk must be followed by an empty line: this body declares no trailer.");
            }

            var colon = line.IndexOf(':');
            if (colon <= 0 || trailers.Count >= MaxTrailerLines)
            {
                throw new Ec2Exception(
                    S3Errors.MalformedTrailerError,
                    "The request contained trailing data that was not well-formed or did not conform to our published schema.");
            }

            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            if (name == TrailerSignatureHeader)
            {
                trailerSignature = value;
            }
            else
            {
                trailers.Add(new(name, value));
            }
        }

        if (!await IsAtEndAsync(cancellationToken))
        {
            throw Malformed("data follows the end of the aws-chunked body.");
        }

        if (_mode == PayloadMode.StreamingSignedTrailer)
        {
            VerifyTrailerSignature(trailers, trailerSignature);
        }

        if (_expectations.ChecksumInTrailer)
        {
            var algorithm = _expectations.ChecksumAlgorithm!;
            var sent = trailers.FirstOrDefault(t => t.Key == algorithm.HeaderName).Value;
            if (sent is null)
            {
                throw new Ec2Exception(
                    S3Errors.MalformedTrailerError,
                    $"The request contained trailing data that was not well-formed or did not conform to our published schema: the declared trailer {algorithm.HeaderName} was not sent.");
            }

            if (!algorithm.IsWellFormed(sent))
            {
                throw S3Errors.InvalidRequest($"Value for {algorithm.HeaderName} trailing header is invalid.");
            }

            _trailerChecksum = sent;
        }
    }

    private void VerifyTrailerSignature(List<KeyValuePair<string, string>> trailers, string? sent)
    {
        if (sent is not { Length: 64 })
        {
            throw new Ec2Exception(Ec2ErrorCodes.SignatureDoesNotMatch, "The trailer carries no well-formed x-amz-trailer-signature, and this request's body must sign it.");
        }

        var canonical = new StringBuilder();
        foreach (var (name, value) in trailers.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        var signing = _signing!;
        var stringToSign = SigV4.TrailerStringToSign(signing.AmzDate, signing.Scope, _previousSignature!, SigV4.HexSha256(Encoding.UTF8.GetBytes(canonical.ToString())));
        if (!SigV4.SignaturesEqual(SigV4.Sign(signing.SigningKey, stringToSign), sent))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.SignatureDoesNotMatch,
                "The trailer signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        }
    }

    /// <summary>Every promise checked once the body has ended, signatures before digests, as S3 orders them.</summary>
    private void Finish()
    {
        _finished = true;
        if (_expectations.DecodedLength is { } expected && _decodedLength < expected)
        {
            throw S3Errors.IncompleteBody($"{_decodedLength} of the {expected} bytes announced were sent.");
        }

        if (_payloadSha256 is not null && !string.Equals(Convert.ToHexStringLower(_payloadSha256.GetHashAndReset()), _signedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new Ec2Exception(S3Errors.XAmzContentSha256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        if (_md5 is not null && !_md5.GetHashAndReset().AsSpan().SequenceEqual(_expectations.ContentMd5))
        {
            throw new Ec2Exception(Ec2ErrorCodes.BadDigest, "The Content-MD5 you specified did not match what we received.");
        }

        if (_checksum is not null)
        {
            var computed = _checksum.GetBase64();
            var sent = _expectations.ChecksumFromHeader ?? _trailerChecksum;
            if (!string.Equals(computed, sent, StringComparison.Ordinal))
            {
                throw new Ec2Exception(Ec2ErrorCodes.BadDigest, $"The {_checksum.Algorithm.Name} you specified did not match the calculated checksum.");
            }

            VerifiedChecksum = new ObjectChecksum(_checksum.Algorithm.Name, computed);
        }
    }

    private string PayloadModeName => _mode switch
    {
        PayloadMode.StreamingSigned => PayloadModes.StreamingSigned,
        PayloadMode.StreamingSignedTrailer => PayloadModes.StreamingSignedTrailer,
        _ => PayloadModes.StreamingUnsignedTrailer,
    };

    /// <summary>Reads decoded-or-plain body bytes: from the look-ahead buffer first, else straight from the body.</summary>
    private async ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_end > _start)
        {
            var count = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, count).CopyTo(destination.Span);
            _start += count;
            return count;
        }

        if (_bodyEnded)
        {
            return 0;
        }

        var read = await ReadRawAsync(destination, cancellationToken);
        if (read == 0)
        {
            _bodyEnded = true;
        }

        return read;
    }

    private async ValueTask ExpectLineEndAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken)
            ?? throw S3Errors.IncompleteBody($"the body ended after the data of chunk {_chunkIndex}.");
        if (line.Length != 0)
        {
            throw Malformed($"chunk {_chunkIndex} is longer than its declared size.");
        }
    }

    /// <summary>A line without its CRLF (a bare LF is taken too); null at the end of the body.</summary>
    private async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var newline = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = scanned + newline;
                var lineEnd = length > 0 && _buffer![_start + length - 1] == (byte)'\r' ? length - 1 : length;
                if (lineEnd > MaxLineLength)
                {
                    throw Malformed("a chunk header or trailer line is too long.");
                }

                var line = Encoding.ASCII.GetString(_buffer!, _start, lineEnd);
                _start += length + 1;
                return line;
            }

            scanned = _end - _start;
            if (scanned > MaxLineLength)
            {
                throw Malformed("a chunk header or trailer line is too long.");
            }

            if (!await FillAsync(cancellationToken))
            {
                if (_end == _start)
                {
                    return null;
                }

                throw S3Errors.IncompleteBody("the body ended inside a chunk header or trailer line.");
            }
        }
    }

    private async ValueTask<bool> IsAtEndAsync(CancellationToken cancellationToken) =>
        _end == _start && !await FillAsync(cancellationToken);

    /// <summary>Reads more of the body into the look-ahead buffer; false at its end.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_bodyEnded)
        {
            return false;
        }

        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        var read = await ReadRawAsync(_buffer.AsMemory(_end, _buffer!.Length - _end), cancellationToken);
        if (read == 0)
        {
            _bodyEnded = true;
            return false;
        }

        _end += read;
        return true;
    }

    private async ValueTask<int> ReadRawAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        try
        {
            return await _body.ReadAsync(destination, cancellationToken);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's word for a body that ended before its Content-Length or chunked framing said it would.
            throw S3Errors.IncompleteBody(e.Message);
        }
    }

    private Ec2Exception TooLarge() =>
        new(S3Errors.EntityTooLarge, $"Your proposed upload exceeds the maximum allowed object size ({_maxLength} bytes).");

    private static Ec2Exception Malformed(string detail) =>
        S3Errors.InvalidRequest("The aws-chunked body is malformed: " + detail);
}

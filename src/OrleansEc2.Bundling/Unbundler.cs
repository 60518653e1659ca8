using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace OrleansEc2.Bundling;

/// <summary>How far an unbundle has got: part bytes read and verified, and image bytes written.</summary>
public readonly record struct UnbundleProgress(long PartBytesRead, long BundledSize, long ImageBytesWritten, long ImageSize);

/// <summary>An unbundled image: the tar entry's name, its size and the verified digest of the tar stream.</summary>
public sealed record UnbundleResult(string EntryName, long Size, string Digest, IReadOnlyList<BundlePart> Parts);

/// <summary>
/// Turns parts and a manifest back into the exact disk bytes, streaming: each part is read and its SHA-1 checked
/// before it is decrypted (so a bad part is named, not reported as a decryption error), then the ciphertext is
/// decrypted, inflated and untarred while the tar stream's SHA-1 is checked against the manifest. Call
/// <see cref="ManifestVerifier"/> first for the signature and the key.
/// </summary>
public static class Unbundler
{
    private const int MaxPartBuffers = 3;
    private const int MaxPartSize = 1 << 30;

    /// <summary>
    /// Writes the image to <paramref name="destination"/>. On a <see cref="BundleException"/> the destination may
    /// hold part of the image: discard it.
    /// </summary>
    public static Task<UnbundleResult> UnbundleAsync(
        Manifest manifest,
        BundleKey key,
        IPartSource parts,
        Stream destination,
        IProgress<UnbundleProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(manifest, key, parts, (_, _) => ValueTask.FromResult(destination), progress, cancellationToken);

    /// <summary>
    /// Writes the image into <paramref name="directory"/> under its tar entry's name (what <c>ec2-unbundle -d</c> does)
    /// and returns its result; on failure the partial file is removed.
    /// </summary>
    public static async Task<UnbundleResult> UnbundleToDirectoryAsync(
        Manifest manifest,
        BundleKey key,
        IPartSource parts,
        string directory,
        IProgress<UnbundleProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        string? path = null;
        FileStream? file = null;
        try
        {
            var result = await RunAsync(
                manifest,
                key,
                parts,
                (entryName, _) =>
                {
                    var fileName = Path.GetFileName(entryName.TrimEnd('/'));
                    if (!PartNames.IsPlainFileName(fileName))
                    {
                        throw new BundleException(BundleError.CorruptBundle, $"The bundle's tar entry '{entryName}' has no usable file name.");
                    }

                    path = Path.Combine(directory, fileName);
                    file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true);
                    return ValueTask.FromResult<Stream>(file);
                },
                progress,
                cancellationToken);
            await file!.DisposeAsync();
            return result;
        }
        catch
        {
            if (file is not null)
            {
                await file.DisposeAsync();
                File.Delete(path!);
            }

            throw;
        }
    }

    private static async Task<UnbundleResult> RunAsync(
        Manifest manifest,
        BundleKey key,
        IPartSource source,
        Func<string, CancellationToken, ValueTask<Stream>> openDestination,
        IProgress<UnbundleProgress>? progress,
        CancellationToken cancellationToken)
    {
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = failure.Token;
        var verifiedParts = Channel.CreateBounded<VerifiedPart>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var freeBuffers = Channel.CreateUnbounded<byte[]>();
        var state = new UnbundleState(manifest, progress);

        var reading = Run(() => ReadPartsAsync(manifest, source, verifiedParts.Writer, freeBuffers.Reader, state, token), failure);
        var unpacking = Run(() => UnpackAsync(manifest, key, new VerifiedPartsStream(verifiedParts.Reader, freeBuffers.Writer), openDestination, state, token), failure);
        try
        {
            await Task.WhenAll(reading, unpacking);
        }
        catch
        {
            // A bad part is the cause of whatever the decryption then made of the parts before it: report the part.
            cancellationToken.ThrowIfCancellationRequested();
            var cause = new Task[] { reading, unpacking }.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException and not ChannelClosedException);
            if (cause is not null)
            {
                ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }

        return (await unpacking) with { Parts = await reading };
    }

    private static Task<T> Run<T>(Func<Task<T>> stage, CancellationTokenSource failure) =>
        Task.Run(async () =>
        {
            try
            {
                return await stage();
            }
            catch
            {
                failure.Cancel();
                throw;
            }
        });

    private static async Task<IReadOnlyList<BundlePart>> ReadPartsAsync(
        Manifest manifest,
        IPartSource source,
        ChannelWriter<VerifiedPart> verified,
        ChannelReader<byte[]> freeBuffers,
        UnbundleState state,
        CancellationToken token)
    {
        try
        {
            var parts = new List<BundlePart>(manifest.Parts.Count);
            var allocated = 0;
            long total = 0;
            foreach (var part in manifest.Parts)
            {
                byte[] buffer;
                if (!freeBuffers.TryRead(out buffer!))
                {
                    buffer = allocated < MaxPartBuffers ? new byte[1024 * 1024] : await freeBuffers.ReadAsync(token);
                    allocated++;
                }

                int length;
                await using (var stream = await ManifestVerifier.OpenPartAsync(source, part, token))
                {
                    (buffer, length) = await ReadWholeAsync(stream, buffer, part, token);
                }

                var digest = Convert.ToHexStringLower(SHA1.HashData(buffer.AsSpan(0, length)));
                ManifestVerifier.CheckPartDigest(part, digest);
                parts.Add(new BundlePart(part.Index, part.FileName, length, digest));
                total += length;
                state.AddPartBytes(length);
                await verified.WriteAsync(new VerifiedPart(buffer, length), token);
            }

            ManifestVerifier.CheckBundledSize(manifest, total);
            verified.Complete();
            return parts;
        }
        catch (Exception e)
        {
            verified.TryComplete(e);
            throw;
        }
    }

    private static async Task<(byte[] Buffer, int Length)> ReadWholeAsync(Stream stream, byte[] buffer, ManifestPart part, CancellationToken token)
    {
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= MaxPartSize)
                {
                    throw new BundleException(BundleError.CorruptBundle, $"Part {part.FileName} is larger than {MaxPartSize} bytes.") { PartFileName = part.FileName };
                }

                Array.Resize(ref buffer, Math.Min(MaxPartSize, buffer.Length * 2));
            }

            var read = await stream.ReadAsync(buffer.AsMemory(length), token);
            if (read == 0)
            {
                return (buffer, length);
            }

            length += read;
        }
    }

    private static async Task<UnbundleResult> UnpackAsync(
        Manifest manifest,
        BundleKey key,
        VerifiedPartsStream ciphertext,
        Func<string, CancellationToken, ValueTask<Stream>> openDestination,
        UnbundleState state,
        CancellationToken token)
    {
        using var aes = Aes.Create();
        using var decryptor = aes.CreateDecryptor(key.Key.ToArray(), key.Iv.ToArray());
        await using var plaintext = new CryptoStream(ciphertext, decryptor, CryptoStreamMode.Read);
        await using var gzip = new GZipStream(plaintext, CompressionMode.Decompress);
        await using var tarStream = new DigestingStream(gzip);
        try
        {
            await using var tar = new TarReader(tarStream, leaveOpen: true);
            var entry = await tar.GetNextEntryAsync(copyData: false, token)
                ?? throw new BundleException(BundleError.CorruptBundle, $"The bundle {manifest.FileName} decrypts to an empty tar stream.");
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
            {
                throw new BundleException(BundleError.CorruptBundle, $"The bundle's tar entry '{entry.Name}' is a {entry.EntryType}, not a regular file.");
            }

            if (entry.Length != manifest.Size)
            {
                throw new BundleException(BundleError.ImageSizeMismatch, $"The bundle's image is {entry.Length} bytes but the manifest's size is {manifest.Size}.") { Field = "image/size" };
            }

            var destination = await openDestination(entry.Name, token);
            if (entry.DataStream is { } data)
            {
                var buffer = new byte[1024 * 1024];
                int read;
                while ((read = await data.ReadAsync(buffer, token)) > 0)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), token);
                    state.AddImageBytes(read);
                }
            }

            if (await tar.GetNextEntryAsync(copyData: false, token) is { } extra)
            {
                throw new BundleException(BundleError.CorruptBundle, $"The bundle holds more than one tar entry ('{entry.Name}', then '{extra.Name}').");
            }

            // The digest covers the whole tar stream, end-of-archive padding included; reading to the end also makes
            // the decryptor check the final block's padding.
            await tarStream.CopyToAsync(Stream.Null, token);
            var digest = tarStream.GetDigest();
            if (!string.Equals(digest, manifest.Digest, StringComparison.Ordinal))
            {
                throw new BundleException(
                    BundleError.ImageDigestMismatch,
                    $"The bundle's image digest is {digest} but the manifest says {manifest.Digest}.")
                { Field = "image/digest" };
            }

            return new UnbundleResult(entry.Name, entry.Length, digest, []);
        }
        catch (CryptographicException e)
        {
            throw new BundleException(BundleError.CorruptBundle, $"The bundle {manifest.FileName} does not decrypt with its key: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new BundleException(BundleError.CorruptBundle, $"The bundle {manifest.FileName} does not decrypt to a gzipped tar of one image: {e.Message}", e);
        }
    }

    private readonly record struct VerifiedPart(byte[] Buffer, int Length);

    private sealed class UnbundleState(Manifest manifest, IProgress<UnbundleProgress>? progress)
    {
        private long _partBytes;
        private long _imageBytes;

        public void AddPartBytes(long count)
        {
            Interlocked.Add(ref _partBytes, count);
            Report();
        }

        public void AddImageBytes(long count)
        {
            Interlocked.Add(ref _imageBytes, count);
            Report();
        }

        private void Report() =>
            progress?.Report(new UnbundleProgress(Interlocked.Read(ref _partBytes), manifest.BundledSize, Interlocked.Read(ref _imageBytes), manifest.Size));
    }

    /// <summary>The verified parts, one after the other, as one read-only stream of ciphertext.</summary>
    private sealed class VerifiedPartsStream(ChannelReader<VerifiedPart> parts, ChannelWriter<byte[]> freeBuffers) : Stream
    {
        private VerifiedPart _current;
        private int _offset;
        private bool _ended;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!_ended && _offset == _current.Length)
            {
                if (_current.Buffer is not null)
                {
                    freeBuffers.TryWrite(_current.Buffer);
                    _current = default;
                    _offset = 0;
                }

                if (!await parts.WaitToReadAsync(cancellationToken))
                {
                    _ended = true;
                }
                else if (parts.TryRead(out var next))
                {
                    _current = next;
                }
            }

            if (_ended)
            {
                return 0;
            }

            var n = Math.Min(buffer.Length, _current.Length - _offset);
            _current.Buffer.AsMemory(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>A read-only pass-through that keeps the SHA-1 of everything read.</summary>
internal sealed class DigestingStream(Stream inner) : Stream
{
    private readonly IncrementalHash _sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);

    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public string GetDigest() => Convert.ToHexStringLower(_sha1.GetCurrentHash());

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Consume(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Consume(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha1.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Consume(ReadOnlySpan<byte> bytes)
    {
        _sha1.AppendData(bytes);
        BytesRead += bytes.Length;
    }
}

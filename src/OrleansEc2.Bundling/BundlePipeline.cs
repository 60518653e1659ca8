using System.Buffers;
using System.Collections.Concurrent;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace OrleansEc2.Bundling;

/// <summary>
/// The streaming stages of one bundle:
/// <code>
/// read (tar framing, SHA-1 + CRC-32 of the tar stream)
///   → compress blocks on N workers (raw deflate, each block ended by a sync flush so the runs concatenate)
///   → in order: gzip header + blocks + trailer → AES-128-CBC → split into parts
///   → SHA-1 of each part → sink
/// </code>
/// Bounded channels between stages keep memory to a few compression blocks and at most three part buffers. The
/// compression workers are dedicated threads: CPU-bound loops on thread-pool threads would starve the pool (and the
/// silo's grains) of the threads the other stages' continuations need.
/// </summary>
internal sealed class BundlePipeline
{
    private const int MaxPartBuffers = 3;
    private static readonly byte[] GzipHeader = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];

    private readonly BundleOptions _options;
    private readonly TarHeader _tar;
    private readonly BundleKey _key;
    private readonly Stream _image;
    private readonly bool _imageMustEndThere;
    private readonly IPartSink _sink;
    private readonly IProgress<BundleProgress>? _progress;
    private readonly int _blockSize;
    private readonly int _workers;
    private readonly int _partNameDigits;
    private readonly ArrayPool<byte> _blockPool;
    private readonly List<BundlePart> _parts = [];
    private long _imageBytesRead;
    private long _bundledBytes;
    private int _partsWritten;

    public BundlePipeline(BundleOptions options, TarHeader tar, BundleKey key, Stream image, bool imageMustEndThere, IPartSink sink, IProgress<BundleProgress>? progress)
    {
        _options = options;
        _tar = tar;
        _key = key;
        _image = image;
        _imageMustEndThere = imageMustEndThere;
        _sink = sink;
        _progress = progress;
        _blockSize = options.CompressionBlockSize;
        _workers = options.MaxDegreeOfParallelism;
        _partNameDigits = PartNames.DigitsFor(MaxPartCount(tar.TotalLength, _blockSize, options.PartSize));

        // Input blocks plus their compressed copies, for every block in flight.
        _blockPool = ArrayPool<byte>.Create(CompressedCapacity(_blockSize) * 2, (InFlightBlocks + _workers) * 2);
    }

    private int InFlightBlocks => (_workers * 2) + 2;

    public async Task<(IReadOnlyList<BundlePart> Parts, string TarDigest)> RunAsync(CancellationToken cancellationToken)
    {
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = failure.Token;

        // Unbounded, but never longer than the ordered channel, which every job enters first.
        using var work = new BlockingCollection<CompressionJob>(new ConcurrentQueue<CompressionJob>());
        var ordered = Channel.CreateBounded<CompressionJob>(new BoundedChannelOptions(InFlightBlocks) { SingleWriter = true, SingleReader = true });
        var completedParts = Channel.CreateBounded<CompletedPart>(new BoundedChannelOptions(1) { SingleWriter = true, SingleReader = true });
        var freePartBuffers = Channel.CreateUnbounded<byte[]>();
        var tarDigest = new TaskCompletionSource<TarDigest>(TaskCreationOptions.RunContinuationsAsynchronously);

        var stages = new List<Task>
        {
            Run(() => ReadAsync(work, ordered.Writer, tarDigest, token), failure),
            Run(() => EncryptAndSplitAsync(ordered.Reader, tarDigest.Task, completedParts.Writer, freePartBuffers, token), failure),
            Run(() => WritePartsAsync(completedParts.Reader, freePartBuffers.Writer, token), failure),
        };
        for (var i = 0; i < _workers; i++)
        {
            stages.Add(StartCompressionThread(work, token, failure));
        }

        try
        {
            await Task.WhenAll(stages);
        }
        catch
        {
            // Report the stage that failed first, not the cancellations it caused in the others.
            cancellationToken.ThrowIfCancellationRequested();
            var cause = stages.Where(s => s.IsFaulted).Select(s => s.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (cause is not null)
            {
                ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }

        return (_parts, (await tarDigest.Task).Sha1);
    }

    private static Task Run(Func<Task> stage, CancellationTokenSource failure) =>
        Task.Run(async () =>
        {
            try
            {
                await stage();
            }
            catch
            {
                failure.Cancel();
                throw;
            }
        });

    private async Task ReadAsync(BlockingCollection<CompressionJob> work, ChannelWriter<CompressionJob> ordered, TaskCompletionSource<TarDigest> tarDigest, CancellationToken token)
    {
        try
        {
            using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            var crc = new Crc32();
            var total = _tar.TotalLength;
            for (long offset = 0; offset < total;)
            {
                var length = (int)Math.Min(_blockSize, total - offset);
                var block = _blockPool.Rent(length);
                await FillTarBlockAsync(block.AsMemory(0, length), offset, token);
                sha1.AppendData(block, 0, length);
                crc.Append(block.AsSpan(0, length));
                offset += length;

                var job = new CompressionJob(block, length, IsLast: offset == total);
                await ordered.WriteAsync(job, token);
                work.Add(job, token);
                ReportProgress();
            }

            if (_imageMustEndThere && await _image.ReadAsync(new byte[1], token) > 0)
            {
                throw new BundleException(BundleError.InvalidImage, $"The image stream is longer than the {_tar.DataLength} bytes announced.");
            }

            tarDigest.SetResult(new TarDigest(Convert.ToHexStringLower(sha1.GetHashAndReset()), crc.GetCurrentHashAsUInt32(), total));
            ordered.Complete();
        }
        catch (Exception e)
        {
            tarDigest.TrySetException(e);
            ordered.TryComplete(e);
            throw;
        }
        finally
        {
            work.CompleteAdding();
        }
    }

    // The tar stream is the header, then the image's bytes, then zeros; this fills the part of it at [offset, offset + block.Length).
    private async Task FillTarBlockAsync(Memory<byte> block, long offset, CancellationToken token)
    {
        var header = _tar.Header;
        var dataEnd = header.Length + _tar.DataLength;
        var filled = 0;
        if (offset < header.Length)
        {
            var n = (int)Math.Min(header.Length - offset, block.Length);
            header.AsMemory((int)offset, n).CopyTo(block);
            filled = n;
        }

        var position = offset + filled;
        if (filled < block.Length && position < dataEnd)
        {
            var n = (int)Math.Min(dataEnd - position, block.Length - filled);
            var read = await _image.ReadAtLeastAsync(block.Slice(filled, n), n, throwOnEndOfStream: false, token);
            Interlocked.Add(ref _imageBytesRead, read);
            if (read < n)
            {
                throw new BundleException(BundleError.InvalidImage, $"The image stream ended after {Interlocked.Read(ref _imageBytesRead)} bytes; {_tar.DataLength} were announced.");
            }

            filled += n;
        }

        block.Span[filled..].Clear();
    }

    private Task StartCompressionThread(BlockingCollection<CompressionJob> work, CancellationToken token, CancellationTokenSource failure)
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                foreach (var job in work.GetConsumingEnumerable(token))
                {
                    try
                    {
                        var compressed = Compress(job);
                        _blockPool.Return(job.Input);
                        job.Done.TrySetResult(compressed);
                    }
                    catch (Exception e)
                    {
                        job.Done.TrySetException(e);
                        throw;
                    }
                }

                finished.SetResult();
            }
            catch (Exception e)
            {
                failure.Cancel();
                finished.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "Bundle compression",
        };
        thread.Start();
        return finished.Task;
    }

    // Each block is deflated on its own. A sync flush ends it on a byte boundary with no final-block bit, so the
    // runs of all blocks, concatenated, are one valid deflate stream; only the last block is finished normally.
    private CompressedBlock Compress(CompressionJob job)
    {
        var output = new PooledOutputStream(_blockPool, CompressedCapacity(job.Length));
        var keep = -1L;
        var level = IncompressibleBlock.Detect(job.Input.AsSpan(0, job.Length)) ? 0 : _options.CompressionLevel;
        using (var deflate = new DeflateStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            deflate.Write(job.Input, 0, job.Length);
            if (!job.IsLast)
            {
                deflate.Flush();
                keep = output.Length;
            }
        }

        if (keep >= 0)
        {
            output.SetLength(keep);
        }

        return new CompressedBlock(output.Buffer, (int)output.Length);
    }

    private async Task EncryptAndSplitAsync(
        ChannelReader<CompressionJob> ordered,
        Task<TarDigest> tarDigest,
        ChannelWriter<CompletedPart> completedParts,
        Channel<byte[]> freePartBuffers,
        CancellationToken token)
    {
        try
        {
            var splitter = new PartSplitter(_options.PartSize, completedParts, freePartBuffers.Reader, MaxPartBuffers);
            using var encryptor = new CbcEncryptor(_key, _blockSize + 64, splitter);
            await encryptor.WriteAsync(GzipHeader, token);
            await foreach (var job in ordered.ReadAllAsync(token))
            {
                var block = await job.Done.Task.WaitAsync(token);
                await encryptor.WriteAsync(block.Buffer.AsMemory(0, block.Length), token);
                _blockPool.Return(block.Buffer);
            }

            var digest = await tarDigest.WaitAsync(token);
            var trailer = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(trailer, digest.Crc32);
            BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(4), unchecked((uint)digest.Length));
            await encryptor.WriteAsync(trailer, token);
            await encryptor.FinishAsync(token);
            await splitter.FinishAsync(token);
            completedParts.Complete();
        }
        catch (Exception e)
        {
            completedParts.TryComplete(e);
            throw;
        }
    }

    private async Task WritePartsAsync(ChannelReader<CompletedPart> completedParts, ChannelWriter<byte[]> freePartBuffers, CancellationToken token)
    {
        await foreach (var completed in completedParts.ReadAllAsync(token))
        {
            var content = completed.Buffer.AsMemory(0, completed.Length);
            var part = new BundlePart(
                completed.Index,
                PartNames.For(_options.Prefix, completed.Index, _partNameDigits),
                completed.Length,
                Convert.ToHexStringLower(SHA1.HashData(content.Span)));
            await _sink.WritePartAsync(part, content, token);
            _parts.Add(part);
            Interlocked.Add(ref _bundledBytes, part.Size);
            Interlocked.Increment(ref _partsWritten);
            freePartBuffers.TryWrite(completed.Buffer);
            ReportProgress();
        }
    }

    private void ReportProgress() =>
        _progress?.Report(new BundleProgress(
            Interlocked.Read(ref _imageBytesRead), _tar.DataLength, Volatile.Read(ref _partsWritten), Interlocked.Read(ref _bundledBytes)));

    private static int CompressedCapacity(int inputLength) => inputLength + (inputLength >> 3) + 1024;

    // Deflate can grow data by at most about 1/8 (zlib-ng's quick strategy); the whole of it then adds gzip framing and
    // one AES block. Used only to give every part name of a bundle the same number of digits.
    private static long MaxPartCount(long tarLength, int blockSize, int partSize)
    {
        var blocks = (tarLength + blockSize - 1) / blockSize;
        var maxCiphertext = tarLength + (tarLength >> 3) + (blocks * 64) + 64;
        return (maxCiphertext + partSize - 1) / partSize;
    }

    private sealed record CompressionJob(byte[] Input, int Length, bool IsLast)
    {
        public TaskCompletionSource<CompressedBlock> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly record struct CompressedBlock(byte[] Buffer, int Length);

    private sealed record TarDigest(string Sha1, uint Crc32, long Length);

    internal readonly record struct CompletedPart(int Index, byte[] Buffer, int Length);

    /// <summary>AES-128-CBC over a stream written in pieces of any length; the IV of each call is the last ciphertext block.</summary>
    private sealed class CbcEncryptor(BundleKey key, int scratchSize, PartSplitter output) : IDisposable
    {
        private readonly Aes _aes = CreateAes(key);
        private readonly byte[] _iv = key.Iv.ToArray();
        private readonly byte[] _carry = new byte[16];
        private readonly byte[] _scratch = new byte[scratchSize - (scratchSize % 16)];
        private int _carried;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken token)
        {
            if (_carried > 0)
            {
                var n = Math.Min(16 - _carried, data.Length);
                data.Span[..n].CopyTo(_carry.AsSpan(_carried));
                _carried += n;
                data = data[n..];
                if (_carried < 16)
                {
                    return;
                }

                await EmitAsync(_carry, token);
                _carried = 0;
            }

            while (data.Length >= 16)
            {
                var n = Math.Min(data.Length - (data.Length % 16), _scratch.Length);
                await EmitAsync(data[..n], token);
                data = data[n..];
            }

            data.Span.CopyTo(_carry);
            _carried = data.Length;
        }

        public async ValueTask FinishAsync(CancellationToken token)
        {
            var n = _aes.EncryptCbc(_carry.AsSpan(0, _carried), _iv, _scratch, PaddingMode.PKCS7);
            await output.WriteAsync(_scratch.AsMemory(0, n), token);
        }

        public void Dispose() => _aes.Dispose();

        private ValueTask EmitAsync(ReadOnlyMemory<byte> plaintext, CancellationToken token)
        {
            var n = _aes.EncryptCbc(plaintext.Span, _iv, _scratch, PaddingMode.None);
            _scratch.AsSpan(n - 16, 16).CopyTo(_iv);
            return output.WriteAsync(_scratch.AsMemory(0, n), token);
        }

        private static Aes CreateAes(BundleKey key)
        {
            var aes = Aes.Create();
            aes.Key = key.Key.ToArray();
            return aes;
        }
    }
}

/// <summary>Cuts the ciphertext into parts, handing each full one on and reusing at most a few part buffers.</summary>
internal sealed class PartSplitter(int partSize, ChannelWriter<BundlePipeline.CompletedPart> completed, ChannelReader<byte[]> freeBuffers, int maxBuffers)
{
    private const int InitialBufferSize = 1024 * 1024;
    private int _buffersAllocated;
    private byte[]? _current;
    private int _filled;
    private int _index;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken token)
    {
        while (!data.IsEmpty)
        {
            _current ??= await NextBufferAsync(token);
            var n = Math.Min(data.Length, partSize - _filled);
            if (_filled + n > _current.Length)
            {
                // Buffers start small so that small bundles stay small; they grow up to the part size and are reused.
                var grown = new byte[Math.Min(partSize, Math.Max(_current.Length * 2, _filled + n))];
                _current.AsSpan(0, _filled).CopyTo(grown);
                _current = grown;
            }

            data.Span[..n].CopyTo(_current.AsSpan(_filled));
            _filled += n;
            data = data[n..];
            if (_filled == partSize)
            {
                await HandOnAsync(token);
            }
        }
    }

    public async ValueTask FinishAsync(CancellationToken token)
    {
        if (_current is not null && _filled > 0)
        {
            await HandOnAsync(token);
        }
    }

    private async ValueTask HandOnAsync(CancellationToken token)
    {
        await completed.WriteAsync(new BundlePipeline.CompletedPart(_index++, _current!, _filled), token);
        _current = null;
        _filled = 0;
    }

    private async ValueTask<byte[]> NextBufferAsync(CancellationToken token)
    {
        if (freeBuffers.TryRead(out var buffer))
        {
            return buffer;
        }

        if (_buffersAllocated < maxBuffers)
        {
            _buffersAllocated++;
            return new byte[Math.Min(partSize, InitialBufferSize)];
        }

        return await freeBuffers.ReadAsync(token);
    }
}

/// <summary>A write-only stream into a pooled buffer that grows (by renting a larger one) when needed.</summary>
internal sealed class PooledOutputStream(ArrayPool<byte> pool, int capacity) : Stream
{
    private int _length;

    public byte[] Buffer { get; private set; } = pool.Rent(capacity);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_length + buffer.Length > Buffer.Length)
        {
            var grown = pool.Rent(Math.Max(Buffer.Length * 2, _length + buffer.Length));
            Buffer.AsSpan(0, _length).CopyTo(grown);
            pool.Return(Buffer);
            Buffer = grown;
        }

        buffer.CopyTo(Buffer.AsSpan(_length));
        _length += buffer.Length;
    }

    public override void SetLength(long value) => _length = (int)value;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
}

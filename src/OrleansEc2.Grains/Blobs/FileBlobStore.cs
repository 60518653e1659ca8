using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansEc2.Grains.Blobs;

/// <summary>
/// The blob store on the local file system. A blob is the file <c>{root}/{h0h1}/{h2h3}/{sha256-hex}</c>; it is written
/// to <c>{root}/tmp/</c>, fsync'ed and renamed into place, so a visible blob is always whole. References are rows in
/// <c>{root}/references.db</c>. A blob's age (for the collector's grace period) is its file's last-write time, set from
/// this store's clock when the blob lands and renewed when the same bytes are put again.
/// </summary>
public sealed class FileBlobStore : IBlobStore, IDisposable
{
    private const int ChunkSize = 1024 * 1024;
    private const int ReadBufferSize = 64 * 1024;
    private const string TemporaryExtension = ".tmp";

    private readonly string _root;
    private readonly TimeSpan _gracePeriod;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BlobReferenceTable _references;

    // Serializes what decides whether a blob lives: a put landing or renewing a blob, a reference being recorded, and
    // the collector's delete. Without it a collector could delete a blob between a writer's put and its reference.
    private readonly SemaphoreSlim _lifeGate = new(1, 1);

    public FileBlobStore(string root, TimeSpan gracePeriod, TimeProvider time, ILogger<FileBlobStore>? logger = null)
    {
        if (gracePeriod < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(gracePeriod), gracePeriod, "The grace period cannot be negative.");
        }

        _root = Path.GetFullPath(root);
        TemporaryDirectory = Path.Combine(_root, "tmp");
        _gracePeriod = gracePeriod;
        _time = time;
        _logger = logger ?? NullLogger<FileBlobStore>.Instance;

        Directory.CreateDirectory(TemporaryDirectory);

        // Nothing of this process is writing yet: whatever is in tmp/ was left by a crash and was never a blob.
        var swept = SweepTemporaryFiles(olderThan: null);
        if (swept > 0)
        {
            _logger.LogInformation("Swept {Count} temporary file(s) left in {Directory}", swept, TemporaryDirectory);
        }

        _references = new BlobReferenceTable(Path.Combine(_root, "references.db"));
    }

    /// <summary>The directory blobs are written in before they are moved into the store.</summary>
    internal string TemporaryDirectory { get; }

    public async Task<BlobInfo> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var temporaryPath = NewTemporaryPath();
        try
        {
            Digest digest;
            await using (var file = new FileStream(temporaryPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                Options = FileOptions.SequentialScan,
            }))
            {
                digest = await CopyAndHashAsync(content, file, cancellationToken);
                file.Flush(flushToDisk: true);
            }

            return await MoveIntoStoreAsync(temporaryPath, digest);
        }
        catch
        {
            TryDelete(temporaryPath);
            throw;
        }
    }

    public string NewTemporaryPath() => Path.Combine(TemporaryDirectory, Guid.NewGuid().ToString("n") + TemporaryExtension);

    public async Task<BlobInfo> CommitTemporaryFileAsync(string temporaryPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(temporaryPath);
        var fullPath = Path.GetFullPath(temporaryPath);
        if (!string.Equals(Path.GetDirectoryName(fullPath), TemporaryDirectory, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{temporaryPath}' is not a temporary file of this blob store.", nameof(temporaryPath));
        }

        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException("The temporary file does not exist.", fullPath);
        }

        Digest digest;
        await using (var file = new FileStream(fullPath, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
            Options = FileOptions.SequentialScan,
        }))
        {
            digest = await CopyAndHashAsync(file, destination: null, cancellationToken);

            // The writer may not have flushed: the blob must be on disk before its name is.
            file.Flush(flushToDisk: true);
        }

        return await MoveIntoStoreAsync(fullPath, digest);
    }

    public Stream OpenRead(string hash)
    {
        var path = PathOf(hash);
        try
        {
            return new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = ReadBufferSize,
                Options = FileOptions.SequentialScan,
            });
        }
        catch (DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Blob {hash} is not stored.", path);
        }
    }

    public bool Exists(string hash) => IsHash(hash) && File.Exists(PathOf(hash));

    public async Task AddReferenceAsync(string hash, string holder)
    {
        var path = PathOf(hash);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        await _lifeGate.WaitAsync();
        try
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Blob {hash} is not stored.", path);
            }

            _references.Add(hash, holder);
        }
        finally
        {
            _lifeGate.Release();
        }
    }

    public async Task RemoveReferenceAsync(string hash, string holder)
    {
        ValidateHash(hash);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        await _lifeGate.WaitAsync();
        try
        {
            _references.Remove(hash, holder);
        }
        finally
        {
            _lifeGate.Release();
        }
    }

    public async Task<IReadOnlyList<BlobReference>> ListReferencesAsync(string holderPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(holderPrefix);
        await _lifeGate.WaitAsync();
        try
        {
            return _references.WithHolderPrefix(holderPrefix);
        }
        finally
        {
            _lifeGate.Release();
        }
    }

    public async Task<int> CollectGarbageAsync(CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var path in EnumerateBlobFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsPastGrace(path))
            {
                continue;
            }

            await _lifeGate.WaitAsync(cancellationToken);
            try
            {
                // Checked again inside the gate: a put may have renewed it, a writer may have referenced it.
                if (File.Exists(path) && IsPastGrace(path) && !_references.IsReferenced(Path.GetFileName(path)))
                {
                    File.Delete(path);
                    deleted++;
                }
            }
            finally
            {
                _lifeGate.Release();
            }
        }

        var swept = SweepTemporaryFiles(olderThan: _gracePeriod);
        if (deleted > 0 || swept > 0)
        {
            _logger.LogInformation("Collected {Blobs} unreferenced blob(s) and {Temporary} abandoned temporary file(s)", deleted, swept);
        }

        return deleted;
    }

    public void Dispose()
    {
        _references.Dispose();
        _lifeGate.Dispose();
    }

    /// <summary>Who refers to a blob (for tests and diagnostics).</summary>
    internal async Task<IReadOnlyList<string>> GetHoldersAsync(string hash)
    {
        ValidateHash(hash);
        await _lifeGate.WaitAsync();
        try
        {
            return _references.HoldersOf(hash);
        }
        finally
        {
            _lifeGate.Release();
        }
    }

    /// <summary>Where a blob's file is: <c>{root}/{h0h1}/{h2h3}/{hash}</c>.</summary>
    internal string PathOf(string hash)
    {
        ValidateHash(hash);
        return Path.Combine(_root, hash[..2], hash[2..4], hash);
    }

    private static bool IsHash(string? hash) =>
        hash is { Length: 64 } && hash.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    private static void ValidateHash(string hash)
    {
        if (!IsHash(hash))
        {
            throw new ArgumentException($"'{hash}' is not a blob hash (64 lowercase hex digits).", nameof(hash));
        }
    }

    private static async Task<Digest> CopyAndHashAsync(Stream source, Stream? destination, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var current = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var next = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long length = 0;
            var count = await source.ReadAtLeastAsync(current.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false, cancellationToken);
            while (count > 0)
            {
                // The next chunk is read, this one written, and its MD5 (the slower hash) computed on another thread,
                // all while its SHA-256 is computed here.
                var nextRead = source.ReadAtLeastAsync(next.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false, cancellationToken);
                int nextCount;
                try
                {
                    var chunk = current;
                    var chunkLength = count;
                    var md5Chunk = Task.Run(() => md5.AppendData(chunk, 0, chunkLength), CancellationToken.None);
                    try
                    {
                        var write = destination?.WriteAsync(current.AsMemory(0, count), cancellationToken) ?? ValueTask.CompletedTask;
                        sha256.AppendData(current, 0, count);
                        await write;
                    }
                    finally
                    {
                        // The MD5 task reads this buffer until it ends.
                        await md5Chunk;
                    }
                }
                finally
                {
                    // The pending read owns the other buffer until it ends, whatever happened to the write.
                    nextCount = await nextRead;
                }

                length += count;
                count = nextCount;
                (current, next) = (next, current);
            }

            return new Digest(
                Convert.ToHexStringLower(sha256.GetHashAndReset()),
                Convert.ToHexStringLower(md5.GetHashAndReset()),
                length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    private async Task<BlobInfo> MoveIntoStoreAsync(string temporaryPath, Digest digest)
    {
        var path = PathOf(digest.Sha256);
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            DirectoryDurability.Flush(Path.GetDirectoryName(directory)!);
            DirectoryDurability.Flush(_root);
        }

        await _lifeGate.WaitAsync();
        try
        {
            var now = _time.GetUtcNow().UtcDateTime;
            if (File.Exists(path))
            {
                // The same bytes are stored already. Renewing the blob's age keeps a collector from deleting it before
                // this writer records its reference.
                File.SetLastWriteTimeUtc(path, now);
                File.Delete(temporaryPath);
            }
            else
            {
                File.SetLastWriteTimeUtc(temporaryPath, now);
                File.Move(temporaryPath, path, overwrite: true);
                DirectoryDurability.Flush(directory);
            }
        }
        finally
        {
            _lifeGate.Release();
        }

        return new BlobInfo(digest.Sha256, digest.Length, digest.Md5);
    }

    private bool IsPastGrace(string path) => IsPastAge(path, _gracePeriod);

    private IEnumerable<string> EnumerateBlobFiles()
    {
        foreach (var first in Directory.EnumerateDirectories(_root))
        {
            if (Path.GetFileName(first).Length != 2)
            {
                continue;
            }

            foreach (var second in Directory.EnumerateDirectories(first))
            {
                foreach (var file in Directory.EnumerateFiles(second))
                {
                    if (IsHash(Path.GetFileName(file)))
                    {
                        yield return file;
                    }
                }
            }
        }
    }

    private int SweepTemporaryFiles(TimeSpan? olderThan)
    {
        var swept = 0;
        foreach (var path in Directory.EnumerateFiles(TemporaryDirectory))
        {
            if (olderThan is { } age && !IsPastAge(path, age))
            {
                continue;
            }

            if (TryDelete(path))
            {
                swept++;
            }
        }

        return swept;
    }

    private bool IsPastAge(string path, TimeSpan age) =>
        _time.GetUtcNow().UtcDateTime - File.GetLastWriteTimeUtc(path) > age;

    private bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "Could not delete {Path}", path);
            return false;
        }
        catch (UnauthorizedAccessException e)
        {
            _logger.LogWarning(e, "Could not delete {Path}", path);
            return false;
        }
    }

    private readonly record struct Digest(string Sha256, string Md5, long Length);
}

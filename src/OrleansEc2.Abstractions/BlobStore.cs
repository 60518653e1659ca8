namespace OrleansEc2;

/// <summary>A stored blob: its SHA-256 (hex, the blob's name), its length, and its MD5 (hex, S3's single-part ETag).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.BlobInfo")]
public sealed record BlobInfo(
    [property: Id(0)] string Hash,
    [property: Id(1)] long Length,
    [property: Id(2)] string Md5Hex);

/// <summary>
/// Content-addressed storage of bytes (object bodies, disks, bundle parts) in the silo's data directory. Bodies never
/// live in grain state: grains keep <see cref="BlobInfo"/> and a reference. A put is written to a temporary file,
/// flushed and renamed, so a crash never leaves a visible half blob. Blobs nothing refers to are collected after a
/// grace period (long enough for a writer to record its reference).
/// </summary>
public interface IBlobStore
{
    /// <summary>Stores <paramref name="content"/> to its end and returns its identity.</summary>
    Task<BlobInfo> PutAsync(Stream content, CancellationToken cancellationToken = default);

    /// <summary>A path for a new temporary file inside the store, for writers that build a blob in place.</summary>
    string NewTemporaryPath();

    /// <summary>Hashes the file at <paramref name="temporaryPath"/> (from <see cref="NewTemporaryPath"/>) and moves it into the store.</summary>
    Task<BlobInfo> CommitTemporaryFileAsync(string temporaryPath, CancellationToken cancellationToken = default);

    /// <summary>Opens a blob for reading (seekable). Throws <see cref="FileNotFoundException"/> when it is not stored.</summary>
    Stream OpenRead(string hash);

    bool Exists(string hash);

    /// <summary>Records that <paramref name="holder"/> (e.g. <c>object:bucket/key</c>) refers to a blob.</summary>
    Task AddReferenceAsync(string hash, string holder);

    Task RemoveReferenceAsync(string hash, string holder);

    /// <summary>
    /// Every reference whose holder begins with <paramref name="holderPrefix"/> (e.g. <c>object:bucket/</c>): what a
    /// holder's owner compares with its persisted state after a crash, to drop the references it no longer needs.
    /// </summary>
    Task<IReadOnlyList<BlobReference>> ListReferencesAsync(string holderPrefix);

    /// <summary>Deletes blobs with no reference that are older than the grace period. Returns how many were deleted.</summary>
    Task<int> CollectGarbageAsync(CancellationToken cancellationToken = default);
}

/// <summary>That <see cref="Holder"/> refers to the blob <see cref="Hash"/>.</summary>
public sealed record BlobReference(string Hash, string Holder);

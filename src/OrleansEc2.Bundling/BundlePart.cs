namespace OrleansEc2.Bundling;

/// <summary>One part of a bundle as written: its index, file name (<c>PREFIX.part.NN</c>), length and SHA-1 (lowercase hex).</summary>
public sealed record BundlePart(int Index, string FileName, long Size, string Digest);

/// <summary>Where the bundle writer puts parts, each as soon as it is complete: files, the blob store, memory.</summary>
public interface IPartSink
{
    /// <summary>
    /// Stores one part. Called once per part, in index order, never concurrently; <paramref name="content"/> is only
    /// valid until the returned task completes (the writer reuses the buffer), so copy it if you keep it.
    /// </summary>
    Task WritePartAsync(BundlePart part, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);
}

/// <summary>Helpers for sinks.</summary>
public static class PartContent
{
    /// <summary>A read-only stream over a part's bytes, without copying them, for sinks that store streams (the blob store).</summary>
    public static Stream AsStream(ReadOnlyMemory<byte> content) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
}

/// <summary>Where the unbundler and verifier read parts from, by the file name the manifest lists.</summary>
public interface IPartSource
{
    /// <summary>
    /// Opens a part for reading. Throws <see cref="BundleException"/> with <see cref="BundleError.PartMissing"/>
    /// (or <see cref="FileNotFoundException"/>, which callers treat the same) when it is not there.
    /// </summary>
    Task<Stream> OpenPartAsync(string fileName, CancellationToken cancellationToken);
}

/// <summary>Part names as the classic tools wrote them.</summary>
public static class PartNames
{
    /// <summary><c>PREFIX.part.NN</c>, the index with at least <paramref name="digits"/> digits.</summary>
    public static string For(string prefix, int index, int digits = 2) =>
        $"{prefix}.part.{index.ToString("D" + digits, System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary><c>PREFIX.manifest.xml</c>.</summary>
    public static string ManifestFor(string prefix) => $"{prefix}.manifest.xml";

    /// <summary>How many digits part indexes get so that every name of a bundle has the same width: two, more past 100 parts.</summary>
    public static int DigitsFor(long maxPartCount)
    {
        var digits = 2;
        for (var limit = 100L; maxPartCount > limit; limit *= 10)
        {
            digits++;
        }

        return digits;
    }

    /// <summary>True when <paramref name="fileName"/> is a plain file name (no directory part), safe to open under a directory.</summary>
    public static bool IsPlainFileName(string fileName) =>
        fileName.Length is > 0 and <= 255
        && fileName is not "." and not ".."
        && fileName.IndexOfAny(['/', '\\', '\0']) < 0;
}

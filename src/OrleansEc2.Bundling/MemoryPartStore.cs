using System.Collections.Concurrent;

namespace OrleansEc2.Bundling;

/// <summary>Parts kept in memory, by file name: a sink for the bundle writer and a source for the unbundler.</summary>
public sealed class MemoryPartStore : IPartSink, IPartSource
{
    private readonly ConcurrentDictionary<string, byte[]> _parts = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, byte[]> Parts => _parts;

    public Task WritePartAsync(BundlePart part, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        _parts[part.FileName] = content.ToArray();
        return Task.CompletedTask;
    }

    public Task<Stream> OpenPartAsync(string fileName, CancellationToken cancellationToken)
    {
        if (!_parts.TryGetValue(fileName, out var bytes))
        {
            throw new BundleException(BundleError.PartMissing, $"Part {fileName} is missing.") { PartFileName = fileName };
        }

        return Task.FromResult<Stream>(new MemoryStream(bytes, writable: false));
    }

    /// <summary>Replaces a part's bytes (tests use it to tamper with a bundle).</summary>
    public void Put(string fileName, byte[] bytes) => _parts[fileName] = bytes;
}

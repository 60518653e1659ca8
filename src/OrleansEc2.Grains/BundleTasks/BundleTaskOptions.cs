using OrleansEc2.Bundling;

namespace OrleansEc2.Grains.BundleTasks;

/// <summary>How bundle tasks bundle, bound from the <c>BundleTasks</c> section of the configuration (all optional).</summary>
public sealed class BundleTaskOptions
{
    public const string SectionName = "BundleTasks";

    /// <summary>The size of every part but the last: 10 MiB as the classic tools wrote them; smaller in tests to get several parts.</summary>
    public int PartSizeBytes { get; set; } = BundleOptions.DefaultPartSize;

    /// <summary>The zlib level of the bundle's gzip stream (1–9).</summary>
    public int CompressionLevel { get; set; } = BundleOptions.DefaultCompressionLevel;

    /// <summary>
    /// How many bundles this silo compresses at once (each on every core); the others wait in <c>bundling</c> at 0 %.
    /// Zero or less: half the processor count, at least one.
    /// </summary>
    public int MaxConcurrentBundles { get; set; }
}

/// <summary>The silo's slots for running bundle writers, so that many tasks at once queue instead of thrashing the cores.</summary>
public sealed class BundleWriterSlots(int count) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, count), Math.Max(1, count));

    public static BundleWriterSlots From(BundleTaskOptions options)
        => new(options.MaxConcurrentBundles > 0 ? options.MaxConcurrentBundles : Math.Max(1, Environment.ProcessorCount / 2));

    /// <summary>Waits for a free slot; dispose the answer to give it back.</summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        return new Slot(_slots);
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}

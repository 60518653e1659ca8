using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansEc2.Grains.Blobs;

/// <summary>Collects unreferenced blobs every <see cref="BlobStoreOptions.CollectionInterval"/> of real time while the silo runs.</summary>
internal sealed class BlobGarbageCollectionService(
    FileBlobStore store,
    IOptions<BlobStoreOptions> options,
    ILogger<BlobGarbageCollectionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.CollectionInterval <= TimeSpan.Zero)
        {
            logger.LogInformation("Blob garbage collection is off (BlobStore:CollectionInterval is {Interval})", options.Value.CollectionInterval);
            return;
        }

        // Real time, not the simulation clock: the grace period protects writers racing the collector in this process.
        using var timer = new PeriodicTimer(options.Value.CollectionInterval, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await store.CollectGarbageAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Blob garbage collection failed; it will run again in {Interval}", options.Value.CollectionInterval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

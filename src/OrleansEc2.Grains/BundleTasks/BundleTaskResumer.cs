using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansEc2.Grains.Configuration;
using OrleansEc2.Grains.Regions;

namespace OrleansEc2.Grains.BundleTasks;

/// <summary>
/// At silo start, resumes every unfinished bundle task of every configured account in every region (as the indexes
/// list them), so that work interrupted by a crash goes on without anyone asking. The tasks' reminders would do it
/// within a minute; this does it at once.
/// </summary>
internal sealed partial class BundleTaskResumer(
    IGrainFactory grains,
    IOptions<SimulatorOptions> options,
    RegionCatalog regions,
    ILogger<BundleTaskResumer> logger) : IStartupTask
{
    public async Task Execute(CancellationToken cancellationToken)
    {
        var resumed = 0;
        foreach (var account in options.Value.Accounts)
        {
            foreach (var region in regions.Regions)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var index = grains.GetGrain<IAccountRegionGrain>(AccountRegionKeys.Format(account.AccountId, region.RegionName));
                    foreach (var bundleId in await index.GetUnfinishedBundleTasksAsync())
                    {
                        await grains.GetGrain<IBundleTaskGrain>(bundleId).ResumeAsync();
                        resumed++;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Not fatal to the silo: the tasks' reminders resume them.
                    LogScanFailed(logger, e, account.AccountId, region.RegionName);
                }
            }
        }

        if (resumed > 0)
        {
            LogResumed(logger, resumed);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed {Count} unfinished bundle task(s)")]
    private static partial void LogResumed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the unfinished bundle tasks of {AccountId} in {Region}; their reminders resume them")]
    private static partial void LogScanFailed(ILogger logger, Exception exception, string accountId, string region);
}

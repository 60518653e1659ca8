using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansEc2.Grains.Configuration;

namespace OrleansEc2.Grains.Migrations;

/// <summary>
/// At silo start, resumes every unfinished migration of every configured account, so that a copy interrupted by a
/// crash goes on without anyone asking. The migrations' reminders would do it within a minute; this does it at once.
/// </summary>
internal sealed partial class MigrationResumer(
    IGrainFactory grains,
    IOptions<SimulatorOptions> options,
    ILogger<MigrationResumer> logger) : IStartupTask
{
    public async Task Execute(CancellationToken cancellationToken)
    {
        var resumed = 0;
        foreach (var account in options.Value.Accounts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var registry = grains.GetGrain<IMigrationRegistryGrain>(account.AccountId);
                foreach (var migrationId in await registry.GetUnfinishedAsync())
                {
                    if (await grains.GetGrain<IMigrationGrain>(migrationId).ResumeAsync())
                    {
                        resumed++;
                    }
                    else
                    {
                        // Listed by a start that a crash cut short before it recorded anything.
                        await registry.RemoveAsync(migrationId);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not fatal to the silo: the migrations' reminders resume them.
                LogScanFailed(logger, e, account.AccountId);
            }
        }

        if (resumed > 0)
        {
            LogResumed(logger, resumed);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed {Count} unfinished migration(s)")]
    private static partial void LogResumed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the unfinished migrations of {AccountId}; their reminders resume them")]
    private static partial void LogScanFailed(ILogger logger, Exception exception, string accountId);
}

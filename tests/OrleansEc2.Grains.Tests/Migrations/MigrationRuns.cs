using System.Diagnostics;

namespace OrleansEc2.Grains.Tests.Migrations;

/// <summary>Starting migrations and waiting for them to finish.</summary>
public static class MigrationRuns
{
    public static async Task<MigrateImageRequest> RequestAsync(
        IGrainFactory grains,
        string accountId,
        string sourceBucket,
        string manifestKey,
        string destinationBucket,
        string location,
        string? destinationKeyPrefix = null)
    {
        var credentials = await grains.GetGrain<IAccountGrain>(accountId).GetSigningCredentialsAsync();
        return new MigrateImageRequest(
            accountId,
            credentials.CertificatePem,
            credentials.PrivateKeyPem,
            sourceBucket,
            manifestKey,
            destinationBucket,
            location,
            destinationKeyPrefix);
    }

    public static Task<MigrationDescription> StartAsync(IGrainFactory grains, MigrateImageRequest request, string? migrationId = null)
        => grains.GetGrain<IMigrationGrain>(migrationId ?? Ec2Ids.NewMigrationId()).StartAsync(request);

    /// <summary>Starts a migration and waits until it is finished (complete or failed).</summary>
    public static async Task<MigrationDescription> RunAsync(IGrainFactory grains, MigrateImageRequest request)
    {
        var started = await StartAsync(grains, request);
        return await WaitAsync(grains, started.MigrationId, request.AccountId);
    }

    /// <summary>Polls until the migration is finished; fails the test after <paramref name="timeout"/> (default 30 s).</summary>
    public static async Task<MigrationDescription> WaitAsync(IGrainFactory grains, string migrationId, string accountId, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var watch = Stopwatch.StartNew();
        var grain = grains.GetGrain<IMigrationGrain>(migrationId);
        while (true)
        {
            var described = await grain.DescribeAsync(accountId);
            if (described.State.IsFinished())
            {
                return described;
            }

            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Migration {migrationId} is still {described.Progress} after {limit}.");
            }

            await Task.Delay(10);
        }
    }
}

using System.Diagnostics;

namespace OrleansEc2.Client;

/// <summary>
/// ec2-migrate-image for scripts: start a migration of a bundle to a bucket in another location, follow its progress,
/// describe it; and CopyImage. The account is the <see cref="AccountRegionClient"/>'s; for a migration its region plays
/// no part (the source is wherever the source bucket is), for CopyImage it is the destination.
/// </summary>
public static class MigrationClientExtensions
{
    /// <summary>How often <see cref="WaitForMigrationAsync"/> asks, unless told otherwise.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long <see cref="WaitForMigrationAsync"/> waits, unless told otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Starts a migration with the given certificate and private key (PEM, the classic tool's <c>--cert</c> and
    /// <c>--privatekey</c>; they must be the account's signing pair). Throws <see cref="Ec2Exception"/> with the
    /// refusal's code (see <see cref="IMigrationGrain.StartAsync"/>).
    /// </summary>
    public static Task<MigrationDescription> StartMigrationAsync(
        this AccountRegionClient account,
        string certificatePem,
        string privateKeyPem,
        string sourceBucket,
        string manifestKey,
        string destinationBucket,
        string location,
        string? destinationKeyPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        var request = new MigrateImageRequest(
            account.AccountId,
            certificatePem,
            privateKeyPem,
            sourceBucket,
            manifestKey,
            destinationBucket,
            location,
            destinationKeyPrefix);
        return account.Grains.GetGrain<IMigrationGrain>(Ec2Ids.NewMigrationId()).StartAsync(request);
    }

    /// <summary>Starts a migration signed with the account's own signing certificate and key (fetched from the account).</summary>
    public static async Task<MigrationDescription> StartMigrationAsync(
        this AccountRegionClient account,
        string sourceBucket,
        string manifestKey,
        string destinationBucket,
        string location,
        string? destinationKeyPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        var credentials = await account.Account.GetSigningCredentialsAsync();
        return await account.StartMigrationAsync(
            credentials.CertificatePem,
            credentials.PrivateKeyPem,
            sourceBucket,
            manifestKey,
            destinationBucket,
            location,
            destinationKeyPrefix);
    }

    /// <summary>The migration as it stands; <see cref="Ec2Exception"/> <c>InvalidMigrationID.NotFound</c> when it is not the account's.</summary>
    public static Task<MigrationDescription> DescribeMigrationAsync(this AccountRegionClient account, string migrationId)
    {
        ArgumentNullException.ThrowIfNull(account);
        MigrationErrorCodes.EnsureMigrationId(migrationId);
        return account.Grains.GetGrain<IMigrationGrain>(migrationId).DescribeAsync(account.AccountId);
    }

    /// <summary>
    /// Waits until the migration is finished and answers it: <see cref="MigrationState.Complete"/>, or
    /// <see cref="MigrationState.Failed"/> with its <see cref="MigrationDescription.Error"/> (not thrown: a failed
    /// migration is an answer). <paramref name="progress"/> hears of every change seen (state or part count), the first
    /// description included. Throws <see cref="TimeoutException"/> when it is not finished within
    /// <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>), saying how far it got.
    /// </summary>
    public static async Task<MigrationDescription> WaitForMigrationAsync(
        this AccountRegionClient account,
        string migrationId,
        IProgress<MigrationDescription>? progress = null,
        TimeSpan? timeout = null,
        TimeSpan? pollInterval = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        var limit = timeout ?? DefaultTimeout;
        var interval = pollInterval ?? DefaultPollInterval;
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, TimeSpan.Zero, nameof(timeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(pollInterval));

        var waited = Stopwatch.StartNew();
        string? lastSeen = null;
        while (true)
        {
            var described = await account.DescribeMigrationAsync(migrationId);
            var seen = described.Progress;
            if (seen != lastSeen)
            {
                lastSeen = seen;
                progress?.Report(described);
            }

            if (described.State.IsFinished())
            {
                return described;
            }

            if (waited.Elapsed >= limit)
            {
                throw new TimeoutException($"Migration {migrationId} is still {seen} after {limit}.");
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    /// <summary>
    /// CopyImage into this client's region (the destination) of an image the account owns in
    /// <paramref name="sourceRegion"/>: answers the copy's migration, whose <see cref="MigrationDescription.ImageId"/> is
    /// the new image (pending until the migration completes; <see cref="WaitForMigrationAsync"/> follows it). The same
    /// <paramref name="clientToken"/> again answers the same copy.
    /// </summary>
    public static Task<MigrationDescription> CopyImageAsync(
        this AccountRegionClient destination,
        string sourceRegion,
        string sourceImageId,
        string name,
        string? description = null,
        string? clientToken = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var caller = new Caller(destination.AccountId, destination.Region);
        var (imageId, migrationId) = CopyImageIds.For(caller, clientToken);
        return destination.Grains.GetGrain<IMigrationGrain>(migrationId)
            .StartCopyImageAsync(new CopyImageRequest(caller, sourceRegion, sourceImageId, name, description, imageId));
    }

    /// <summary>Starts a migration signed with the account's own credentials and waits for it (<see cref="WaitForMigrationAsync"/>).</summary>
    public static async Task<MigrationDescription> MigrateImageAsync(
        this AccountRegionClient account,
        string sourceBucket,
        string manifestKey,
        string destinationBucket,
        string location,
        IProgress<MigrationDescription>? progress = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var started = await account.StartMigrationAsync(sourceBucket, manifestKey, destinationBucket, location);
        return await account.WaitForMigrationAsync(started.MigrationId, progress, timeout, cancellationToken: cancellationToken);
    }
}

using System.Diagnostics;

namespace OrleansEc2.Grains.Tests.Migrations;

/// <summary>
/// A cluster where copying a part takes a minute of simulated time, to watch a migration's progress (and a CopyImage
/// pending); its own, as the images registered here must not show in other collections' DescribeImages.
/// </summary>
public sealed class SlowMigrationClusterFixture : ClusterFixture
{
    public static readonly TimeSpan PartCopyDelay = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();

    private Task<string>? _sharedBundle;

    /// <summary>One bundle of a customized Windows instance of Alice in us-east-1, for tests that only register it; its manifest's location.</summary>
    public Task<string> SharedBundleAsync()
    {
        lock (_lock)
        {
            return _sharedBundle ??= BundleOnceAsync();
        }
    }

    /// <summary>Moves the simulated clock a part's delay at a time until the migration is finished; answers it.</summary>
    public async Task<MigrationDescription> CompleteAsync(string migrationId, string accountId = Alice)
    {
        var migration = Grains.GetGrain<IMigrationGrain>(migrationId);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var described = await migration.DescribeAsync(accountId);
            if (described.State.IsFinished())
            {
                return described;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"Migration {migrationId} should finish, but it is {described.Progress}.");
            }

            Time.Advance(PartCopyDelay);
            await Task.Delay(5);
        }
    }

    private async Task<string> BundleOnceAsync()
    {
        var kit = new Images.ImageTestKit(this);
        return await kit.BundleAsync(await kit.CustomizedInstanceAsync(), Scenario.Unique("shared-bundles"), "shared");
    }

    protected override IDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Migrations:PartCopyDelay"] = PartCopyDelay.ToString(),
    };
}

[CollectionDefinition(Name)]
public sealed class SlowMigrationClusterCollection : ICollectionFixture<SlowMigrationClusterFixture>
{
    public const string Name = "slow migration cluster";
}

[Collection(SlowMigrationClusterCollection.Name)]
public sealed class MigrationProgressTests(SlowMigrationClusterFixture fixture)
{
    private const string Alice = ClusterFixture.Alice;

    private IGrainFactory Grains => fixture.Grains;

    private IBlobStore Blobs => fixture.GetSiloService<IBlobStore>();

    [Fact]
    public async Task Progress_CountsOnePartPerCopyDelay_FromCopyingPartsZeroToComplete()
    {
        var source = await BundleUploads.CreateBucketAsync(Grains, Alice, ClusterFixture.UsEast1);
        var (bundle, manifestKey) = await BundleUploads.UploadAsync(
            Grains, Blobs, Alice, source.Name, ClusterFixture.UsEast1, new MemoryStream(BundleUploads.SyntheticDisk(seed: 95)), partSize: 64 * 1024);
        var partCount = bundle.Parts.Count;
        var started = await MigrationRuns.StartAsync(Grains, await MigrationRuns.RequestAsync(Grains, Alice, source.Name, manifestKey, Scenario.Unique("eu-bundles"), "EU"));
        var migration = Grains.GetGrain<IMigrationGrain>(started.MigrationId);
        (await Grains.GetGrain<IMigrationRegistryGrain>(Alice).GetUnfinishedAsync()).Should().Contain(started.MigrationId);

        var seen = new List<string> { started.Progress };
        var current = await UntilAsync(migration, d => d.State == MigrationState.CopyingParts);
        seen.Add(current.Progress);
        var advances = 0;
        while (!current.State.IsFinished())
        {
            if (current.PartsCopied < partCount)
            {
                fixture.Time.Advance(SlowMigrationClusterFixture.PartCopyDelay);
                advances++;
            }

            var before = current;
            current = await UntilAsync(migration, d => d.PartsCopied != before.PartsCopied || d.State != before.State);
            current.PartsCopied.Should().Be(advances, "a part is copied when, and only when, its delay has passed on the simulation clock");
            if (current.Progress != seen[^1])
            {
                seen.Add(current.Progress);
            }
        }

        string[] expected =
        [
            "pending",
            .. Enumerable.Range(0, partCount).Select(n => $"copying-parts ({n}/{partCount})"),
            "complete",
        ];

        // The last part's count and writing-manifest go by without a delay, so a poll may or may not catch them.
        seen.Where(p => p != "writing-manifest" && p != $"copying-parts ({partCount}/{partCount})").Should().Equal(expected);
        current.PartsCopied.Should().Be(partCount);
        advances.Should().Be(partCount, "each advance of the clock by the delay copies exactly one part");
        (await Grains.GetGrain<IMigrationRegistryGrain>(Alice).GetUnfinishedAsync()).Should().NotContain(started.MigrationId);
    }

    /// <summary>Polls until <paramref name="condition"/> holds.</summary>
    private static async Task<MigrationDescription> UntilAsync(IMigrationGrain migration, Func<MigrationDescription, bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var described = await migration.DescribeAsync(Alice);
            if (condition(described))
            {
                return described;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"The migration is still {described.Progress}.");
            }

            await Task.Delay(5);
        }
    }
}

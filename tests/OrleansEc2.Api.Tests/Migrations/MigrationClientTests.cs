using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Client;

namespace OrleansEc2.Api.Tests.Migrations;

/// <summary>A silo where copying a part takes a minute on the simulated clock, so that a migration can be watched.</summary>
public sealed class SlowMigrationSiloFixture : ApiSiloFixture
{
    public static readonly TimeSpan PartCopyDelay = TimeSpan.FromMinutes(1);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Disk:DefaultSizeBytes"] = "1048576",
        ["Migrations:PartCopyDelay"] = PartCopyDelay.ToString(),
    };
}

[CollectionDefinition(Name)]
public sealed class SlowMigrationSiloCollection : ICollectionFixture<SlowMigrationSiloFixture>
{
    public const string Name = "slow-migration-silo";
}

/// <summary>The client library's migration calls, over the Orleans gateway as an out-of-process script makes them.</summary>
[Collection(SlowMigrationSiloCollection.Name)]
public sealed class MigrationClientTests(SlowMigrationSiloFixture silo) : IAsyncLifetime
{
    private const string Alice = ApiSiloFixture.Alice;

    private Ec2SimClient? _client;

    private AccountRegionClient AliceUs => _client!.ForAccount(Alice, ApiSiloFixture.UsEast1);

    public async Task InitializeAsync() => _client = await silo.Silo.ConnectClientAsync();

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    [Fact]
    public async Task WaitForMigration_ReportsEveryPartCopied_AndAnswersTheCompleteMigration()
    {
        var bundle = await ApiBundles.UploadAsync(silo, ApiSiloFixture.UsEast1, seed: 75);
        var partCount = bundle.Bundle.Parts.Count;
        var destination = Ec2Scenario.UniqueName("eu-bundles");
        var started = await AliceUs.StartMigrationAsync(bundle.Bucket, bundle.ManifestKey, destination, "EU");
        var reports = new List<string>();
        var progress = new SynchronousProgress(d =>
        {
            lock (reports)
            {
                reports.Add(d.Progress);
            }
        });

        var waiting = AliceUs.WaitForMigrationAsync(started.MigrationId, progress, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(5));
        var advanced = 0;
        while (!waiting.IsCompleted)
        {
            // One part per delay, advanced only once the waiter has reported the count it is at, so it sees every count.
            bool seen;
            lock (reports)
            {
                seen = reports.Count > 0 && reports[^1] == $"copying-parts ({advanced}/{partCount})";
            }

            if (seen)
            {
                silo.Time.Advance(SlowMigrationSiloFixture.PartCopyDelay);
                advanced++;
            }

            await Task.WhenAny(waiting, Task.Delay(5));
        }

        var finished = await waiting;
        finished.State.Should().Be(MigrationState.Complete);
        finished.PartsCopied.Should().Be(partCount);
        finished.DestinationManifestLocation.Should().Be($"{destination}/{bundle.ManifestKey}");
        reports.Should().OnlyHaveUniqueItems();
        reports[^1].Should().Be("complete");
        reports.Should().Contain(Enumerable.Range(0, partCount).Select(n => $"copying-parts ({n}/{partCount})"));
        (await AliceUs.DescribeMigrationAsync(started.MigrationId)).Should().Be(finished);
        (await ApiBundles.UnbundleInRegionAsync(silo, destination, bundle.ManifestKey, "eu-west-1")).Should().Equal(bundle.Disk);
    }

    [Fact]
    public async Task WaitForMigration_NotFinishedInTime_ThrowsATimeoutSayingHowFarItGot()
    {
        var bundle = await ApiBundles.UploadAsync(silo, ApiSiloFixture.UsEast1, seed: 76);
        var credentials = await AliceUs.Account.GetSigningCredentialsAsync();
        var started = await AliceUs.StartMigrationAsync(
            credentials.CertificatePem, credentials.PrivateKeyPem, bundle.Bucket, bundle.ManifestKey, Ec2Scenario.UniqueName("eu-bundles"), "eu-west-1");

        var act = () => AliceUs.WaitForMigrationAsync(started.MigrationId, timeout: TimeSpan.FromMilliseconds(200), pollInterval: TimeSpan.FromMilliseconds(20));

        (await act.Should().ThrowAsync<TimeoutException>()).Which.Message.Should().Contain($"copying-parts (0/{bundle.Bundle.Parts.Count})");
    }

    [Fact]
    public async Task StartMigration_Refused_ThrowsTheRefusalsCode_AndDescribeOfAnUnknownIdIsNotFound()
    {
        var bundle = await ApiBundles.UploadAsync(silo, ApiSiloFixture.UsEast1, seed: 77, partSize: 512 * 1024);

        var unknownLocation = () => AliceUs.StartMigrationAsync(bundle.Bucket, bundle.ManifestKey, Ec2Scenario.UniqueName("eu-bundles"), "MARS");
        var unknownId = () => AliceUs.DescribeMigrationAsync(Ec2Ids.NewMigrationId());
        var malformedId = () => AliceUs.DescribeMigrationAsync("bun-12345678");

        (await unknownLocation.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidLocationConstraint);
        (await unknownId.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(MigrationErrorCodes.InvalidMigrationIdNotFound);
        (await malformedId.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(MigrationErrorCodes.InvalidMigrationIdMalformed);
    }

    /// <summary>Reports on the caller's thread, in order (<see cref="Progress{T}"/> posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<MigrationDescription> report) : IProgress<MigrationDescription>
    {
        public void Report(MigrationDescription value) => report(value);
    }
}

using System.Text;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Client;

namespace OrleansEc2.Api.Tests.Migrations;

/// <summary>
/// The seed document's whole flow through the .NET client over the gateway: change a Windows instance, bundle it
/// (ec2-bundle-instance), register it, migrate it to eu-west-1 (ec2-migrate-image), register and launch it there; and
/// CopyImage of the same image. On the slow silo, whose simulated clock is moved while the migrations run.
/// </summary>
[Collection(SlowMigrationSiloCollection.Name)]
public sealed class MigrationScenarioTests(SlowMigrationSiloFixture silo) : IAsyncLifetime
{
    private const string Alice = ApiSiloFixture.Alice;
    private const string EuWest1 = "eu-west-1";
    private const string NotePath = @"C:\Documents and Settings\Administrator\Desktop\travels.txt";

    private Ec2SimClient? _client;

    private AccountRegionClient AliceUs => _client!.ForAccount(Alice, ApiSiloFixture.UsEast1);

    private AccountRegionClient AliceEu => _client!.ForAccount(Alice, EuWest1);

    public async Task InitializeAsync() => _client = await silo.Silo.ConnectClientAsync();

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    [Fact]
    public async Task BundleRegisterMigrateRegisterLaunch_TheInstanceInEuWest1HasTheFilesOfTheOneInUsEast1()
    {
        var note = Encoding.UTF8.GetBytes("bundled in Virginia, launched in Ireland\r\n");
        var windows = (await AliceUs.DescribeImagesAsync(owners: ["amazon"], filters: [new Ec2Filter("platform", ["windows"])]))[0];
        var original = (await RunAsync(AliceUs, windows.ImageId)).InstanceId;
        await _client!.Grains.GetGrain<IInstanceGrain>(original).WriteFileAsync(Alice, NotePath, note);
        var bucket = Ec2Scenario.UniqueName("bundles");
        var prefix = Ec2Scenario.UniqueName("winami");
        var task = await AliceUs.BundleInstanceAsync(original, bucket, prefix);
        await AliceUs.WaitForBundleTaskAsync(task.BundleId, BundleTaskState.Complete, TimeSpan.FromSeconds(60));
        var inUs = await AliceUs.RegisterImageAsync($"{bucket}/{prefix}.manifest.xml", Ec2Scenario.UniqueName("winami-us"));

        var started = await AliceUs.StartMigrationAsync(bucket, $"{prefix}.manifest.xml", Ec2Scenario.UniqueName("bundles-eu"), "EU");
        var migrated = await WhileTheClockMovesAsync(AliceUs.WaitForMigrationAsync(started.MigrationId, timeout: TimeSpan.FromSeconds(60)));
        var inEu = await AliceEu.RegisterImageAsync(migrated.DestinationManifestLocation, Ec2Scenario.UniqueName("winami-eu"));
        var launchedInEu = await RunAsync(AliceEu, inEu.ImageId);
        var launchedInUs = await RunAsync(AliceUs, inUs.ImageId);

        migrated.State.Should().Be(MigrationState.Complete);
        inEu.Region.Should().Be(EuWest1);
        launchedInEu.Region.Should().Be(EuWest1);
        (await ReadNoteAsync(launchedInEu.InstanceId)).Should().Equal(note);
        (await ReadNoteAsync(launchedInUs.InstanceId)).Should().Equal(note);
        var usDisk = (await AliceUs.Image(inUs.ImageId).DescribeLaunchCacheAsync(AliceUs.Caller())).Disk!;
        var euDisk = (await AliceEu.Image(inEu.ImageId).DescribeLaunchCacheAsync(AliceEu.Caller())).Disk!;
        euDisk.BlobHash.Should().Be(usDisk.BlobHash, "both regions unbundle the very same disk");

        var copy = await AliceEu.CopyImageAsync(ApiSiloFixture.UsEast1, inUs.ImageId, Ec2Scenario.UniqueName("winami-copy"), clientToken: Guid.NewGuid().ToString());
        (await AliceEu.DescribeImagesAsync(imageIds: [copy.ImageId!])).Single().State.Should().Be(ImageState.Pending);
        (await WhileTheClockMovesAsync(AliceEu.WaitForMigrationAsync(copy.MigrationId, timeout: TimeSpan.FromSeconds(60)))).State.Should().Be(MigrationState.Complete);
        (await AliceEu.DescribeImagesAsync(imageIds: [copy.ImageId!])).Single().State.Should().Be(ImageState.Available);
        (await ReadNoteAsync((await RunAsync(AliceEu, copy.ImageId!)).InstanceId)).Should().Equal(note);
    }

    private async Task<InstanceDescription> RunAsync(AccountRegionClient account, string imageId)
        => (await account.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId())
            .RunInstancesAsync(new RunInstancesRequest(account.Caller(), imageId, 1, 1, "m1.small", null, null, null, []))).Instances.Single();

    private Task<byte[]> ReadNoteAsync(string instanceId) => _client!.Grains.GetGrain<IInstanceGrain>(instanceId).ReadFileAsync(Alice, NotePath);

    /// <summary>Moves the simulated clock a part's copy at a time until <paramref name="waiting"/> is done.</summary>
    private async Task<T> WhileTheClockMovesAsync<T>(Task<T> waiting)
    {
        while (!waiting.IsCompleted)
        {
            silo.Time.Advance(SlowMigrationSiloFixture.PartCopyDelay);
            await Task.WhenAny(waiting, Task.Delay(5));
        }

        return await waiting;
    }
}

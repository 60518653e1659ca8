using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansEc2.Grains.Hosting;
using OrleansEc2.Grains.Images;

namespace OrleansEc2.Grains.Tests.Images;

/// <summary>
/// A cluster where launches do not wait at all for an image's first unbundle, as if every disk took longer to unbundle
/// than a call may last: what a launch answers meanwhile, and that the unbundle goes on without it.
/// </summary>
public sealed class NoFirstLaunchWaitFixture : IAsyncLifetime
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2008, 10, 2, 9, 31, 44, TimeSpan.Zero));

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-ec2-tests", Guid.NewGuid().ToString("n"));

    private InProcessTestCluster? _cluster;

    public IGrainFactory Grains => _cluster!.Client;

    public IBlobStore Blobs => _cluster!.Silos[0].SiloHost.Services.GetRequiredService<IBlobStore>();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        var configuration = TestConfiguration.Build(_dataDirectory);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<ISimulationClock>(SimulationClock.Simulated(Time));
            silo.Services.Configure<ImageLaunchOptions>(o => o.FirstLaunchWait = TimeSpan.Zero);
            silo.AddOrleansEc2Grains(configuration);
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.Services.UseOrleansGrainStorageSerializer<Orleans.Configuration.MemoryGrainStorageOptions>();
            silo.UseInMemoryReminderService();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finishing background write; the temp directory is cleaned by the OS.
        }
    }
}

public sealed class FirstLaunchTests(NoFirstLaunchWaitFixture fixture) : IClassFixture<NoFirstLaunchWaitFixture>
{
    private static readonly Caller Alice = new(ClusterFixture.Alice, ClusterFixture.UsEast1);

    private readonly ImageTestKit _kit = new(fixture.Grains, fixture.Blobs, fixture.Time);

    [Fact]
    public async Task Launch_WhileTheFirstUnbundleOutlastsTheWait_IsUnavailable_AndTheUnbundleGoesOnForTheNextLaunch()
    {
        var bucket = Scenario.Unique("bundles");
        var image = await _kit.RegisterAsync(await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), bucket, "slow"));
        var parts = OrleansEc2.Bundling.Manifest.Parse(System.Text.Encoding.UTF8.GetString(await _kit.GetAsync(bucket, "slow.manifest.xml"))).Parts.Count;
        var grain = fixture.Grains.GetGrain<IImageGrain>(image.ImageId);
        var before = (await Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([], [], null, null))).Instances.Length;

        var first = () => _kit.RunAsync(image.ImageId, count: 2);

        var failure = (await first.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(ImageGrain.UnavailableCode);
        failure.Message.Should().Be($"The image {image.ImageId} is being unbundled for its first launch (8 MiB from {parts} part(s)): retry in a few seconds.");
        (await Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([], [], null, null))).Instances.Length.Should().Be(before);

        var cache = await grain.DescribeLaunchCacheAsync(Alice);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); cache.Disk is null && DateTime.UtcNow < deadline; cache = await grain.DescribeLaunchCacheAsync(Alice))
        {
            await Task.Delay(20);
        }

        var retried = await _kit.RunAsync(image.ImageId, count: 2);

        cache.Unbundles.Should().Be(1);
        retried.Instances.Should().HaveCount(2);
        (await grain.DescribeLaunchCacheAsync(Alice)).Unbundles.Should().Be(1);
    }
}

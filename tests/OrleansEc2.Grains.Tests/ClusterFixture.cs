using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansEc2.Grains.Hosting;

namespace OrleansEc2.Grains.Tests;

/// <summary>
/// One in-process test cluster for the whole collection: the repository's own appsettings.json, zero durations,
/// memory storage, a fake simulation clock the tests advance, and a fresh data directory for the blob store.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    public const string Alice = "111122223333";
    public const string Bob = "444455556666";
    public const string UsEast1 = "us-east-1";
    public const string EuWest1 = "eu-west-1";

    private InProcessTestCluster? _cluster;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2008, 10, 2, 9, 31, 44, TimeSpan.Zero));

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "orleans-ec2-tests", Guid.NewGuid().ToString("n"));

    public IConfiguration Configuration { get; private set; } = new ConfigurationBuilder().Build();

    public IGrainFactory Grains => Cluster.Client;

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not deployed.");

    /// <summary>A silo-side service (the blob store, the clock) of the one silo.</summary>
    public T GetSiloService<T>()
        where T : notnull
        => Cluster.Silos[0].SiloHost.Services.GetRequiredService<T>();

    /// <summary>Settings on top of the test configuration (zero durations by default).</summary>
    protected virtual IDictionary<string, string?> Overrides => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        Configuration = TestConfiguration.Build(DataDirectory, Overrides);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<ISimulationClock>(SimulationClock.Simulated(Time));
            silo.AddOrleansEc2Grains(Configuration);
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.Services.UseOrleansGrainStorageSerializer<MemoryGrainStorageOptions>();
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
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finishing background write; the temp directory is cleaned by the OS.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>
/// A cluster whose transitions take time (boot 5 s, shutdown 3 s, terminated instances listed for an hour), for tests
/// that watch the intermediate states by advancing the fake clock.
/// </summary>
public sealed class TimedClusterFixture : ClusterFixture
{
    public static readonly TimeSpan Boot = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Shutdown = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan TerminatedRetention = TimeSpan.FromHours(1);

    protected override IDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Durations:Boot"] = Boot.ToString(),
        ["Durations:Shutdown"] = Shutdown.ToString(),
        ["Durations:TerminatedRetention"] = TerminatedRetention.ToString(),
    };
}

[CollectionDefinition(Name)]
public sealed class TimedClusterCollection : ICollectionFixture<TimedClusterFixture>
{
    public const string Name = "timed cluster";
}

using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansEc2.Silo.Storage;
using OrleansEc2.Testing;

namespace OrleansEc2.Silo.Tests;

/// <summary>
/// A one-silo InProcessTestCluster whose "ec2" storage and reminders are the project's SQLite ones, on a database file
/// that outlives the cluster: <see cref="RestartAsync"/> starts a new cluster (same ServiceId) on the same file.
/// A second provider, "ec2-deleting", has DeleteStateOnClear on. Reminders may have a period down to one second.
/// </summary>
public sealed class SqliteCluster : IAsyncDisposable
{
    public const string DeletingStorageName = "ec2-deleting";

    private readonly bool _ownsDirectory;
    private InProcessTestCluster? _cluster;

    private SqliteCluster(string directory, bool ownsDirectory)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        DatabasePath = Path.Combine(directory, SqliteDatabase.FileName);
    }

    public string Directory { get; }

    public string DatabasePath { get; }

    public string ServiceId { get; } = "sqlite-tests-" + Guid.NewGuid().ToString("n")[..8];

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not running.");

    public IGrainFactory Grains => Cluster.Client;

    public IServiceProvider SiloServices => Cluster.Silos[0].ServiceProvider;

    public static async Task<SqliteCluster> StartAsync()
    {
        var cluster = new SqliteCluster(TestSettings.NewTemporaryDirectory("sqlite-cluster"), ownsDirectory: true);
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>The ADO.NET provider itself (not the grain-type scoping in front of it).</summary>
    public IGrainStorage AdoNetStorage(string storageName = "ec2") =>
        SiloServices.GetRequiredKeyedService<IGrainStorage>(SqliteSiloBuilderExtensions.AdoNetStorageName(storageName));

    public IReminderTable ReminderTable => SiloServices.GetRequiredService<IReminderTable>();

    /// <summary>Stops the cluster and starts a new one on the same database file and ServiceId.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await DeployAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsDirectory)
        {
            TestSettings.DeleteDirectory(Directory);
        }
    }

    private async Task StopAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            _cluster = null;
        }
    }

    private async Task DeployAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = ServiceId;
        var databasePath = DatabasePath;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseSqlite(databasePath)
                .AddSqliteGrainStorage("ec2")
                .AddSqliteGrainStorage(DeletingStorageName, options => options.DeleteStateOnClear = true);
            silo.Services.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }
}

/// <summary>One SQLite cluster shared by a test class whose tests each use fresh grain ids.</summary>
public sealed class SqliteClusterFixture : IAsyncLifetime
{
    private SqliteCluster? _cluster;

    public SqliteCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _cluster = await SqliteCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansEc2.Client;
using OrleansEc2.Silo;
using OrleansEc2.Silo.Storage;

namespace OrleansEc2.Testing;

/// <summary>
/// The very silo <c>Program.cs</c> runs (<see cref="SiloHost.Build"/>), hosted in the test process: SQLite on a
/// temporary data directory, HTTP on a free loopback port, zero durations plus the test's settings. Faster to start
/// than <see cref="SiloProcess"/>, and its services are at hand. Disposing it stops it and deletes the directory.
/// </summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly string _dataRoot;

    private InProcessSilo(WebApplication app, string dataRoot, string dataDirectory, SiloPorts ports)
    {
        App = app;
        _dataRoot = dataRoot;
        DataDirectory = dataDirectory;
        Ports = ports;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.TrimEnd('/');
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>The silo's own grain factory (no gateway hop).</summary>
    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    /// <summary><c>http://127.0.0.1:{port}</c>: the EC2 Query API, S3, <c>/_sim/</c> and the dashboard.</summary>
    public string BaseUrl { get; }

    /// <summary>The silo and gateway ports (the HTTP port is in <see cref="BaseUrl"/>).</summary>
    public SiloPorts Ports { get; }

    public int GatewayPort => Ports.Gateway;

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, SqliteDatabase.FileName);

    /// <summary>
    /// Builds and starts the silo. <paramref name="settings"/> override appsettings.json and the test defaults;
    /// <paramref name="configure"/> can add services before the silo is composed (a fake clock, say). Logging is off
    /// unless <paramref name="configure"/> adds a provider.
    /// </summary>
    public static async Task<InProcessSilo> StartAsync(
        IEnumerable<KeyValuePair<string, string?>>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        CancellationToken cancellationToken = default)
    {
        var materialized = settings?.ToList();
        for (var attempt = 1; ; attempt++)
        {
            var dataRoot = TestSettings.NewTemporaryDirectory("in-process-silo");
            var dataDirectory = Path.Combine(dataRoot, "data");
            var ports = SiloPorts.Free();
            var app = SiloHost.Build([], builder =>
            {
                builder.Logging.ClearProviders();
                builder.Configuration.AddInMemoryCollection(TestSettings.For(dataDirectory, "http://127.0.0.1:0", ports, materialized));
                configure?.Invoke(builder);
            });
            try
            {
                await app.StartAsync(cancellationToken);
                return new InProcessSilo(app, dataRoot, dataDirectory, ports);
            }
            catch (IOException e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Another test took the silo or gateway port between the OS handing it out and the silo binding it.
                await app.DisposeAsync();
                TestSettings.DeleteDirectory(dataRoot);
            }
            catch
            {
                await app.DisposeAsync();
                TestSettings.DeleteDirectory(dataRoot);
                throw;
            }
        }
    }

    public T GetRequiredService<T>()
        where T : notnull
        => Services.GetRequiredService<T>();

    /// <summary>An HTTP client whose base address is <see cref="BaseUrl"/>.</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = new Uri(BaseUrl) };

    /// <summary>Connects an Orleans client through the gateway, as an out-of-process script would.</summary>
    public Task<Ec2SimClient> ConnectClientAsync(CancellationToken cancellationToken = default)
    {
        var orleans = Services.GetRequiredService<SiloLocation>().Orleans;
        return Ec2SimClient.ConnectAsync(
            new Ec2SimClientOptions { GatewayPort = GatewayPort, ServiceId = orleans.ServiceId, ClusterId = orleans.ClusterId },
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
            TestSettings.DeleteDirectory(_dataRoot);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OrleansEc2.Grains.Hosting;

namespace OrleansEc2.Api.Tests.Infrastructure;

/// <summary>
/// One silo for the collection with the front door on a loopback port: the repository's appsettings.json, zero
/// durations, memory storage, a simulated clock the tests advance, and a fresh data directory.
/// </summary>
public sealed class ApiSiloFixture : IAsyncLifetime
{
    public const string Alice = "111122223333";
    public const string AliceKey = "AKIAIOSFODNN7EXAMPLE";
    public const string AliceSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public const string Bob = "444455556666";
    public const string BobKey = "AKIAI44QH8DHBEXAMPLE";
    public const string BobSecret = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
    public const string UsEast1 = "us-east-1";

    private WebApplication? _app;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2008, 10, 2, 9, 31, 44, TimeSpan.Zero));

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "orleans-ec2-api-tests", Guid.NewGuid().ToString("n"));

    public Uri BaseUri { get; private set; } = new("http://127.0.0.1/");

    public HttpClient Http { get; } = new();

    public CapturedLog Log { get; } = new();

    public IGrainFactory Grains => App.Services.GetRequiredService<IGrainFactory>();

    public WebApplication App => _app ?? throw new InvalidOperationException("The silo is not started.");

    public AmazonEC2Client Ec2(string accessKeyId = AliceKey, string secret = AliceSecret, string region = UsEast1)
        => new(new BasicAWSCredentials(accessKeyId, secret), new AmazonEC2Config
        {
            ServiceURL = BaseUri.ToString().TrimEnd('/'),
            AuthenticationRegion = region,
            MaxErrorRetry = 0,
        });

    public AmazonEC2Client Alices() => Ec2();

    public AmazonEC2Client Bobs() => Ec2(BobKey, BobSecret);

    /// <summary>An S3 client as a user would configure one against this endpoint: path style, SDK defaults otherwise (integrity checksums on).</summary>
    public AmazonS3Client S3(string accessKeyId = AliceKey, string secret = AliceSecret, string region = UsEast1)
        => new(new BasicAWSCredentials(accessKeyId, secret), new AmazonS3Config
        {
            ServiceURL = BaseUri.ToString().TrimEnd('/'),
            ForcePathStyle = true,
            AuthenticationRegion = region,
            MaxErrorRetry = 0,
        });

    public AmazonS3Client Alices3() => S3();

    public AmazonS3Client Bobs3() => S3(BobKey, BobSecret);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        var configuration = BuildConfiguration(DataDirectory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);

        // A filter matches by prefix: without this one, "Orleans" would also silence the OrleansEc2.* categories.
        builder.Logging.AddFilter("OrleansEc2", LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddProvider(Log);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "api-tests", clusterId: "api-tests-" + Guid.NewGuid().ToString("n"));
            silo.Services.AddSingleton<ISimulationClock>(SimulationClock.Simulated(Time));
            silo.AddOrleansEc2Grains(configuration);
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.UseInMemoryReminderService();
        });
        builder.Services.AddOrleansEc2Api(configuration);
        _app = builder.Build();
        _app.MapOrleansEc2Api();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finishing background write; the temp directory is cleaned by the OS.
        }
    }

    public static IConfiguration BuildConfiguration(string dataDirectory)
    {
        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(FindRepositoryRoot(), "appsettings.json"), optional: false)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["DataDirectory"] = dataDirectory,
                ["Durations:Boot"] = "00:00:00",
                ["Durations:Shutdown"] = "00:00:00",
                ["Durations:Reboot"] = "00:00:00",
                ["Durations:BundlePhaseMinimum"] = "00:00:00",
                ["Durations:PasswordAvailableAfterBoot"] = "00:00:00",
                ["Disk:DefaultSizeBytes"] = "1048576",
            })
            .Build();
    }

    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansEc2.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OrleansEc2.sln not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiSiloCollection : ICollectionFixture<ApiSiloFixture>
{
    public const string Name = "api-silo";
}

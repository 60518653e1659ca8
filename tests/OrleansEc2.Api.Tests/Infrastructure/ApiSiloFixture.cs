using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OrleansEc2.Grains.Hosting;
using OrleansEc2.Testing;

namespace OrleansEc2.Api.Tests.Infrastructure;

/// <summary>
/// One silo for the collection — the very host <c>Program.cs</c> runs (<see cref="InProcessSilo"/>: SQLite on a
/// temporary directory, the front door on a free loopback port), with zero durations, a simulated clock the tests
/// advance, and the front door's log captured.
/// </summary>
public class ApiSiloFixture : IAsyncLifetime
{
    public const string Alice = "111122223333";
    public const string AliceKey = "AKIAIOSFODNN7EXAMPLE";
    public const string AliceSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public const string Bob = "444455556666";
    public const string BobKey = "AKIAI44QH8DHBEXAMPLE";
    public const string BobSecret = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
    public const string UsEast1 = "us-east-1";

    private InProcessSilo? _silo;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2008, 10, 2, 9, 31, 44, TimeSpan.Zero));

    public Uri BaseUri { get; private set; } = new("http://127.0.0.1/");

    public HttpClient Http { get; } = new();

    public CapturedLog Log { get; } = new();

    public InProcessSilo Silo => _silo ?? throw new InvalidOperationException("The silo is not started.");

    public IGrainFactory Grains => Silo.Grains;

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

    /// <summary>Settings on top of the test defaults (zero durations).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Disk:DefaultSizeBytes"] = "1048576" };

    public async Task InitializeAsync()
    {
        _silo = await InProcessSilo.StartAsync(
            Settings,
            builder =>
            {
                builder.Services.AddSingleton<ISimulationClock>(SimulationClock.Simulated(Time));
                builder.Logging.SetMinimumLevel(LogLevel.Information);
                builder.Logging.AddProvider(Log);
            });
        BaseUri = new Uri(_silo.BaseUrl + "/");
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ApiSiloCollection : ICollectionFixture<ApiSiloFixture>
{
    public const string Name = "api-silo";
}

/// <summary>A silo whose transitions take time (boot 5 s, shutdown 3 s on the simulated clock), to watch states move.</summary>
public sealed class TimedApiSiloFixture : ApiSiloFixture
{
    public static readonly TimeSpan Boot = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Shutdown = TimeSpan.FromSeconds(3);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Disk:DefaultSizeBytes"] = "1048576",
        ["Durations:Boot"] = Boot.ToString(),
        ["Durations:Shutdown"] = Shutdown.ToString(),
    };
}

[CollectionDefinition(Name)]
public sealed class TimedApiSiloCollection : ICollectionFixture<TimedApiSiloFixture>
{
    public const string Name = "timed-api-silo";
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansEc2.Api.Auth;
using OrleansEc2.Silo;

namespace OrleansEc2.Bench.Api;

/// <summary>
/// <c>bench api</c>: starts a silo with the front door on loopback, launches 50 instances for one account, then
/// replays one signed DescribeInstances request from a load generator (wrk, else a .NET one) with 16 connections
/// for 10 s and prints throughput and latency percentiles.
/// </summary>
public static partial class ApiBench
{
    private const string AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string Region = "us-east-1";
    private const string Body = "Action=DescribeInstances&Version=2016-11-15";

    private static readonly Option<int> InstancesOption = new("--instances") { Description = "Running instances DescribeInstances lists (1 to 100).", DefaultValueFactory = _ => 50 };
    private static readonly Option<int> ConnectionsOption = new("--connections") { Description = "Concurrent connections of the load generator.", DefaultValueFactory = _ => 16 };
    private static readonly Option<int> DurationOption = new("--duration") { Description = "Seconds of load.", DefaultValueFactory = _ => 10 };
    private static readonly Option<string?> GeneratorOption = new("--generator") { Description = "wrk or dotnet (default: wrk when it is installed or installable, else dotnet)." };
    private static readonly Option<bool> LogRequestsOption = new("--log-requests") { Description = "Keep the per-request log line (to the console) during the run." };

    public static Command CreateCommand()
    {
        var command = new Command("api", "EC2 Query API: one signed DescribeInstances of 50 running instances replayed on loopback; throughput and p50/p99.")
        {
            InstancesOption, ConnectionsOption, DurationOption, GeneratorOption, LogRequestsOption,
        };
        command.SetAction((parseResult, _) => RunAsync(new BenchOptions(
            parseResult.GetValue(InstancesOption),
            parseResult.GetValue(ConnectionsOption),
            TimeSpan.FromSeconds(parseResult.GetValue(DurationOption)),
            parseResult.GetValue(GeneratorOption),
            parseResult.GetValue(LogRequestsOption))));
        return command;
    }

    public static async Task<int> RunAsync(BenchOptions options)
    {
        if (options.Instances is < 1 or > 100 || options.Connections is < 1 or > 1024 || options.Duration <= TimeSpan.Zero
            || options.Generator is not (null or "wrk" or "dotnet"))
        {
            Console.Error.WriteLine("api: --instances 1..100, --connections 1..1024, --duration > 0, --generator wrk|dotnet.");
            return 2;
        }

#if DEBUG
        Console.WriteLine("warning: a Debug build; run with -c Release for figures worth quoting.");
#endif
        var dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-ec2-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dataDirectory);
        await using var app = BuildSilo(dataDirectory, options.LogRequests);
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var baseUri = new Uri(address + "/");
            Console.WriteLine($"silo up at {baseUri}");

            await LaunchAsync(baseUri, options.Instances);
            var request = SignedDescribeInstances(baseUri);
            var expected = await CheckOnceAsync(baseUri, request, options.Instances);
            Console.WriteLine($"DescribeInstances answers {expected} bytes with {options.Instances} instances; load: {options.Connections} connections for {options.Duration.TotalSeconds:0} s");

            var generator = options.Generator ?? (await WrkRunner.EnsureInstalledAsync() ? "wrk" : "dotnet");
            var result = generator == "wrk"
                ? await WrkRunner.RunAsync(baseUri, request, options.Connections, options.Duration)
                : await DotnetLoad.RunAsync(baseUri, request, options.Connections, options.Duration);
            Console.WriteLine($"generator:    {generator}");
            Console.WriteLine($"requests:     {result.Requests} ({result.Errors} not 200)");
            Console.WriteLine($"throughput:   {result.RequestsPerSecond:0} requests/s");
            Console.WriteLine($"latency p50:  {result.P50.TotalMilliseconds:0.00} ms");
            Console.WriteLine($"latency p99:  {result.P99.TotalMilliseconds:0.00} ms");
            var met = result.RequestsPerSecond >= 3000 && result.P99 < TimeSpan.FromMilliseconds(50) && result.Errors == 0;
            Console.WriteLine($"target (>= 3000 requests/s, p99 < 50 ms, no errors): {(met ? "met" : "NOT met")}");
            return result.Errors == 0 ? 0 : 1;
        }
        finally
        {
            await app.StopAsync();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left to the OS's temp cleanup.
            }
        }
    }

    /// <summary>
    /// The silo <c>Program.cs</c> runs (<see cref="SiloHost.Build"/>: SQLite, the dashboard, the front door) on a
    /// temporary data directory and free loopback ports, with instant boots and only warnings logged (the per-request
    /// line too with <c>--log-requests</c>). <paramref name="settings"/> override these (another bench's durations, disk
    /// size or port).
    /// </summary>
    internal static WebApplication BuildSilo(string dataDirectory, bool logRequests, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        return SiloHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["DataDirectory"] = dataDirectory,
                ["Urls"] = $"http://127.0.0.1:{FreePort()}",
                ["Orleans:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
                ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
                ["Durations:Boot"] = "00:00:00",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:FrontDoor"] = logRequests ? "Information" : "Warning",
            });
            builder.Configuration.AddInMemoryCollection(settings ?? []);
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        });
    }

    private static async Task LaunchAsync(Uri baseUri, int count)
    {
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials(AccessKeyId, SecretAccessKey), new AmazonEC2Config
        {
            ServiceURL = baseUri.ToString().TrimEnd('/'),
            AuthenticationRegion = Region,
        });
        var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"], Filters = [new Filter("platform", ["windows"])] });
        var watch = Stopwatch.StartNew();
        await ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = images.Images[0].ImageId, MinCount = count, MaxCount = count, InstanceType = "m1.small" });
        var running = 0;
        while (running < count)
        {
            var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("instance-state-name", ["running"])] });
            running = (response.Reservations ?? []).Sum(r => r.Instances.Count);
        }

        Console.WriteLine($"launched {count} running instances in {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    /// <summary>One signed request, valid for the 15 minutes of allowed skew: replayed as it is.</summary>
    private static SignedRequest SignedDescribeInstances(Uri baseUri)
    {
        var amzDate = SigV4.FormatAmzDate(DateTimeOffset.UtcNow);
        var host = $"{baseUri.Host}:{baseUri.Port}";
        const string contentType = "application/x-www-form-urlencoded; charset=utf-8";
        var headers = new List<KeyValuePair<string, string>> { new("content-type", contentType), new("host", host), new("x-amz-date", amzDate) };
        var canonical = SigV4.CanonicalRequest("POST", "/", "", headers, SigV4.HexSha256(Encoding.UTF8.GetBytes(Body)));
        var scope = $"{amzDate[..8]}/{Region}/ec2/aws4_request";
        var signature = SigV4.Sign(SigV4.SigningKey(SecretAccessKey, amzDate[..8], Region, "ec2"), SigV4.StringToSign(amzDate, scope, canonical));
        var authorization = $"AWS4-HMAC-SHA256 Credential={AccessKeyId}/{scope}, SignedHeaders=content-type;host;x-amz-date, Signature={signature}";
        return new SignedRequest(Body, contentType, amzDate, authorization);
    }

    private static async Task<int> CheckOnceAsync(Uri baseUri, SignedRequest request, int instances)
    {
        using var http = new HttpClient();
        using var response = await http.SendAsync(request.ToMessage(baseUri));
        var text = await response.Content.ReadAsStringAsync();
        var found = InstanceIdPattern().Matches(text).Count;
        if (response.StatusCode != HttpStatusCode.OK || found != instances)
        {
            throw new InvalidOperationException($"The replayed request does not answer {instances} instances: {(int)response.StatusCode} {text[..Math.Min(400, text.Length)]}");
        }

        return Encoding.UTF8.GetByteCount(text);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("<instanceId>i-[0-9a-f]{17}</instanceId>")]
    private static partial Regex InstanceIdPattern();
}

/// <summary>The bench's options.</summary>
public sealed record BenchOptions(int Instances, int Connections, TimeSpan Duration, string? Generator, bool LogRequests);

/// <summary>A signed request the load generators replay byte for byte.</summary>
public sealed record SignedRequest(string Body, string ContentType, string AmzDate, string Authorization)
{
    public HttpRequestMessage ToMessage(Uri baseUri)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, baseUri) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body)) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        message.Headers.TryAddWithoutValidation("X-Amz-Date", AmzDate);
        message.Headers.TryAddWithoutValidation("Authorization", Authorization);
        return message;
    }
}

/// <summary>What a load run measured.</summary>
public sealed record LoadResult(long Requests, long Errors, double RequestsPerSecond, TimeSpan P50, TimeSpan P99);

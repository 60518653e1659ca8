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
using OrleansEc2.Api;
using OrleansEc2.Api.Auth;
using OrleansEc2.Grains.Hosting;

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

    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: OrleansEc2.Bench api [--instances 50] [--connections 16] [--duration 10] [--generator wrk|dotnet] [--log-requests]");
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
    /// A silo with the front door, composed as the silo host does (grains, API) but with memory storage: the measured
    /// path never writes state, and the bench must not depend on a data directory's history.
    /// </summary>
    private static WebApplication BuildSilo(string dataDirectory, bool logRequests)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddJsonFile(Path.Combine(FindRepositoryRoot(), "appsettings.json"), optional: false);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataDirectory"] = dataDirectory,
            ["Durations:Boot"] = "00:00:00",
            ["Disk:DefaultSizeBytes"] = "1048576",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Logging:LogLevel:FrontDoor"] = logRequests ? "Information" : "Warning",
        });
        var configuration = builder.Configuration;
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, FreePort());
        });
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "bench", clusterId: "bench");
            silo.AddOrleansEc2Grains(configuration);
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.UseInMemoryReminderService();
        });
        builder.Services.AddOrleansEc2Api(configuration);
        var app = builder.Build();
        app.MapOrleansEc2Api();
        return app;
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OrleansEc2.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run the bench from the repository (OrleansEc2.sln not found).");
    }

    [GeneratedRegex("<instanceId>i-[0-9a-f]{17}</instanceId>")]
    private static partial Regex InstanceIdPattern();
}

/// <summary>The bench's options.</summary>
public sealed record BenchOptions(int Instances, int Connections, TimeSpan Duration, string? Generator, bool LogRequests)
{
    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions(50, 16, TimeSpan.FromSeconds(10), null, false);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : "";
            switch (args[i])
            {
                case "--instances" when int.TryParse(Next(), CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 100:
                    options = options with { Instances = n };
                    break;
                case "--connections" when int.TryParse(Next(), CultureInfo.InvariantCulture, out var c) && c is > 0 and <= 1024:
                    options = options with { Connections = c };
                    break;
                case "--duration" when int.TryParse(Next(), CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 600:
                    options = options with { Duration = TimeSpan.FromSeconds(s) };
                    break;
                case "--generator" when Next() is "wrk" or "dotnet":
                    options = options with { Generator = args[i] };
                    break;
                case "--log-requests":
                    options = options with { LogRequests = true };
                    break;
                default:
                    return null;
            }
        }

        return options;
    }
}

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

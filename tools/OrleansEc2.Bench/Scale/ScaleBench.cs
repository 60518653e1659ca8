using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using OrleansEc2.Bench.Api;
using OrleansEc2.Client;
using Ec2BundleInstanceRequest = Amazon.EC2.Model.BundleInstanceRequest;
using Ec2BundleTaskState = Amazon.EC2.BundleTaskState;
using Ec2RunInstancesRequest = Amazon.EC2.Model.RunInstancesRequest;
using Ec2Tag = Amazon.EC2.Model.Tag;

namespace OrleansEc2.Bench.Scale;

/// <summary>
/// <c>bench scale</c>: one silo in process on a temporary data directory. The reference is measured first in the same
/// run: 50 instances, DescribeInstances of them, the silo's memory, a restart. Then the account grows to N instances
/// (RunInstances batches of 100, a few at once) and the same figures are taken again, M Windows instances are bundled at
/// once against one alone, and the silo is restarted with N. Prints the figures, their ratios and PASS/FAIL lines.
/// </summary>
public static class ScaleBench
{
    internal const string AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    internal const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    internal const string Region = "us-east-1";
    private const int BaselineInstances = 50;

    /// <summary>RunInstances launches at most this many instances per request (the simulator's limit, as EC2's).</summary>
    private const int BatchSize = 100;

    /// <summary>Time per instance listed at N at most this many times the baseline's: listing scales linearly.</summary>
    private const double ListingCostTarget = 2.0;

    private static readonly TimeSpan BundleDescribeTarget = TimeSpan.FromSeconds(2);

    private static readonly Option<int> InstancesOption = new("--instances") { Description = "Instances the account grows to (100 to 20000).", DefaultValueFactory = _ => 2000 };
    private static readonly Option<int> BundlesOption = new("--bundles") { Description = "Windows instances bundled at once (1 to 48).", DefaultValueFactory = _ => 10 };
    private static readonly Option<int> CallsOption = new("--calls") { Description = "Sequential calls each DescribeInstances percentile is taken over.", DefaultValueFactory = _ => 200 };
    private static readonly Option<int> ParallelOption = new("--parallel") { Description = "RunInstances requests in flight at once.", DefaultValueFactory = _ => 4 };
    private static readonly Option<int> PageSizeOption = new("--page-size") { Description = "MaxResults of the paged full listing (5 to 1000).", DefaultValueFactory = _ => 1000 };
    private static readonly Option<int> DiskOption = new("--disk-mib") { Description = "Size of the public AMIs' disks, MiB (each Windows launch writes its own copy).", DefaultValueFactory = _ => 1 };

    public static Command CreateCommand()
    {
        var command = new Command("scale", "N instances in one account: launch rate, DescribeInstances and memory per instance against 50, M bundle tasks at once, restart.")
        {
            InstancesOption, BundlesOption, CallsOption, ParallelOption, PageSizeOption, DiskOption,
        };
        command.SetAction((parseResult, _) => RunAsync(new ScaleOptions(
            parseResult.GetValue(InstancesOption),
            parseResult.GetValue(BundlesOption),
            parseResult.GetValue(CallsOption),
            parseResult.GetValue(ParallelOption),
            parseResult.GetValue(PageSizeOption),
            parseResult.GetValue(DiskOption))));
        return command;
    }

    public static async Task<int> RunAsync(ScaleOptions options)
    {
        if (options.Instances is < 100 or > 20_000 || options.Bundles is < 1 or > 48 || options.Calls is < 10 or > 100_000
            || options.Parallel is < 1 or > 64 || options.PageSize is < 5 or > 1000 || options.DiskMib is < 1 or > 1024)
        {
            Console.Error.WriteLine("scale: --instances 100..20000, --bundles 1..48, --calls 10..100000, --parallel 1..64, --page-size 5..1000, --disk-mib 1..1024.");
            return 2;
        }

#if DEBUG
        Console.WriteLine("warning: a Debug build; run with -c Release for figures worth quoting.");
#endif
        Console.WriteLine($"Scale benchmark: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"{options.Instances} instances against {BaselineInstances}, {options.Bundles} bundle tasks at once, {options.DiskMib} MiB public disks, zero durations, {options.Calls} calls per percentile");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-ec2-bench", "scale-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dataDirectory);
        var settings = Settings(options.DiskMib);
        var silo = await BenchSilo.StartAsync(dataDirectory, settings, expectedInstances: 0, options.PageSize);
        try
        {
            Console.WriteLine($"silo up at {silo.BaseUri} in {silo.HealthUp.TotalSeconds:F2} s, data in {dataDirectory}");
            Console.WriteLine();

            // The reference: 50 instances.
            var ec2 = silo.CreateSdkClient();
            var imageId = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"], Filters = [new Filter("platform", ["windows"])] })).Images[0].ImageId;
            var baselineLaunch = await LaunchAsync(ec2, imageId, 0, BaselineInstances, 1);
            var probeId = baselineLaunch.InstanceIds[0];
            Console.WriteLine($"baseline: launched {BaselineInstances} in {baselineLaunch.Elapsed.TotalSeconds:F2} s ({baselineLaunch.Rate:F0} instances/s)");
            var baseline = await MeasureListingsAsync(silo, BaselineInstances, probeId, options);
            Console.WriteLine($"baseline: {Describe(baseline)}");

            // The baseline restart, on the same directory, before the account grows.
            ec2.Dispose();
            var baselineStop = await silo.StopAsync();
            silo = await BenchSilo.StartAsync(dataDirectory, settings, BaselineInstances, options.PageSize);
            var baselineRestart = new RestartFigures(baselineStop, silo.HealthUp, silo.FirstListing);
            Console.WriteLine($"baseline: restart {Describe(baselineRestart)}");
            Console.WriteLine();

            // N instances.
            ec2 = silo.CreateSdkClient();
            var scaleLaunch = await LaunchAsync(ec2, imageId, 1, options.Instances - BaselineInstances, options.Parallel);
            Console.WriteLine($"scale: launched {options.Instances - BaselineInstances} more in {scaleLaunch.Elapsed.TotalSeconds:F2} s ({scaleLaunch.Rate:F0} instances/s, batches of {BatchSize}, {options.Parallel} at once; first quarter {scaleLaunch.QuarterRates.First:F0}/s, last quarter {scaleLaunch.QuarterRates.Last:F0}/s)");
            var scale = await MeasureListingsAsync(silo, options.Instances, probeId, options);
            Console.WriteLine($"scale: {Describe(scale)}");
            Console.WriteLine();

            // M bundle tasks at once, against one alone (first).
            var bucket = "scale-bench-" + Guid.NewGuid().ToString("n")[..12];
            var bundled = scaleLaunch.InstanceIds;
            // An untimed bundle first: it creates the bucket and warms the path up.
            await BundleAsync(ec2, bucket, [bundled[0]]);
            var alone = await BundleAsync(ec2, bucket, [bundled[1]]);
            Console.WriteLine($"bundles: 1 alone complete in {alone.Wall.TotalSeconds:F2} s; DescribeBundleTasks p50 {Ms(alone.DescribeP50)}, p99 {Ms(alone.DescribeP99)} over {alone.Describes} calls");
            var together = await BundleAsync(ec2, bucket, bundled.Skip(2).Take(options.Bundles).ToList());
            Console.WriteLine($"bundles: {options.Bundles} at once complete in {together.Wall.TotalSeconds:F2} s; DescribeBundleTasks p50 {Ms(together.DescribeP50)}, p99 {Ms(together.DescribeP99)} over {together.Describes} calls");
            Console.WriteLine();

            // The restart with N.
            ec2.Dispose();
            var scaleStop = await silo.StopAsync();
            silo = await BenchSilo.StartAsync(dataDirectory, settings, options.Instances, options.PageSize);
            var scaleRestart = new RestartFigures(scaleStop, silo.HealthUp, silo.FirstListing);
            Console.WriteLine($"scale: restart {Describe(scaleRestart)}");
            Console.WriteLine();

            PrintTable(options, baselineLaunch, scaleLaunch, baseline, scale, baselineRestart, scaleRestart, alone, together);
            Console.WriteLine();

            var passed = true;
            foreach (var (what, left, right) in new[] { ("Listing cost per instance", baseline.Full, scale.Full), ("  rendered afresh", baseline.Rendered, scale.Rendered) })
            {
                var baselinePerInstance = left.P50 / BaselineInstances;
                var scalePerInstance = right.P50 / options.Instances;
                var ratio = scalePerInstance / baselinePerInstance;
                passed &= Report(
                    what,
                    $"{ratio:F2}x the baseline's ({Us(scalePerInstance)} vs {Us(baselinePerInstance)} per instance, p50)",
                    $"<= {ListingCostTarget:F1}x",
                    ratio <= ListingCostTarget);
            }

            passed &= Report(
                "DescribeBundleTasks p99",
                $"{Ms(together.DescribeP99)} while {options.Bundles} tasks ran",
                $"< {BundleDescribeTarget.TotalSeconds:F0} s",
                together.DescribeP99 < BundleDescribeTarget);
            var added = options.Instances - BaselineInstances;
            Console.WriteLine($"{"Memory per instance",-28}{(scale.Memory.GcHeapBytes - baseline.Memory.GcHeapBytes) / (double)added / 1024:F1} KiB GC heap, {(scale.Memory.WorkingSetBytes - baseline.Memory.WorkingSetBytes) / (double)added / 1024:F1} KiB working set   (no target)");
            Console.WriteLine($"{"Restart to first answer",-28}{scaleRestart.FirstListing.TotalSeconds:F2} s with {options.Instances} vs {baselineRestart.FirstListing.TotalSeconds:F2} s with {BaselineInstances} = {scaleRestart.FirstListing / baselineRestart.FirstListing:F2}x   (no target)");
            return passed ? 0 : 1;
        }
        finally
        {
            await silo.DisposeAsync();
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

    /// <summary>Zero durations (as the tests run), small public disks, warnings only.</summary>
    internal static Dictionary<string, string?> Settings(int diskMib) => new()
    {
        ["Durations:Boot"] = "00:00:00",
        ["Durations:Shutdown"] = "00:00:00",
        ["Durations:Reboot"] = "00:00:00",
        ["Durations:BundlePhaseMinimum"] = "00:00:00",
        ["Durations:PasswordAvailableAfterBoot"] = "00:00:00",
        ["Disk:DefaultSizeBytes"] = ((long)diskMib << 20).ToString(CultureInfo.InvariantCulture),
        ["Logging:LogLevel:OrleansEc2"] = "Warning",

        // The note that the silo runs without server GC: so does the silo's own process, which sets none either.
        ["Logging:LogLevel:Orleans.Runtime.Silo"] = "Error",

        // Its first check of a new silo reports the machine's uptime as a stall (the latencies here are measured anyway).
        ["Logging:LogLevel:Orleans.Runtime.Watchdog"] = "Error",
    };

    /// <summary>
    /// Launches <paramref name="count"/> instances in RunInstances batches of up to 100, <paramref name="parallel"/> in
    /// flight; each batch is tagged <c>batch=bNNN</c> (numbered from <paramref name="firstBatch"/>), so a tag filter
    /// can pick one.
    /// </summary>
    private static async Task<LaunchFigures> LaunchAsync(AmazonEC2Client ec2, string imageId, int firstBatch, int count, int parallel)
    {
        var batches = Enumerable.Range(0, (count + BatchSize - 1) / BatchSize)
            .Select(i => (Number: firstBatch + i, Count: Math.Min(BatchSize, count - (i * BatchSize))))
            .ToList();
        var ids = new string[batches.Count][];
        var done = new TimeSpan[batches.Count];
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            batches.Select((batch, index) => (batch, index)),
            new ParallelOptions { MaxDegreeOfParallelism = parallel },
            async (item, cancellationToken) =>
            {
                var response = await ec2.RunInstancesAsync(
                    new Ec2RunInstancesRequest
                    {
                        ImageId = imageId,
                        MinCount = item.batch.Count,
                        MaxCount = item.batch.Count,
                        InstanceType = "m1.small",
                        TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Ec2Tag("batch", BatchTag(item.batch.Number))] }],
                    },
                    cancellationToken);
                ids[item.index] = [.. response.Reservation.Instances.Select(i => i.InstanceId)];
                done[item.index] = watch.Elapsed;
            });
        watch.Stop();
        var launched = ids.SelectMany(i => i).ToList();
        if (launched.Count != count)
        {
            throw new InvalidOperationException($"RunInstances launched {launched.Count} instances, not {count}.");
        }

        return new LaunchFigures(launched, watch.Elapsed, QuarterRates(batches.Select(b => b.Count).ToList(), done));
    }

    /// <summary>
    /// Launch rates over the first and the last quarter of the instances (by when their batches answered): whether a
    /// launch costs more as the account grows.
    /// </summary>
    private static (double First, double Last) QuarterRates(IReadOnlyList<int> counts, TimeSpan[] done)
    {
        var total = counts.Sum();
        var cumulative = 0;
        var points = counts.Zip(done).OrderBy(x => x.Second).Select(x => (Launched: cumulative += x.First, At: x.Second)).ToList();
        var first = points.First(p => p.Launched * 4 >= total);
        var lastStart = points.LastOrDefault(p => p.Launched * 4 <= total * 3);
        var end = points[^1].At;
        return (first.Launched / first.At.TotalSeconds, (total - lastStart.Launched) / (end - lastStart.At).TotalSeconds);
    }

    private static string BatchTag(int number) => "b" + number.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>
    /// DescribeInstances over <see cref="ScaleOptions.Calls"/> sequential calls each: every instance (paged) as a steady
    /// client sees it (the front door reuses an answer while the account's index is unchanged), every instance again
    /// with a CreateTags on one of them before each call (untimed), so that each answer is rendered afresh, one instance
    /// by an <c>instance-id</c> filter, the baseline's 50 by their tag; then the silo's memory after a full GC.
    /// </summary>
    private static async Task<ListingFigures> MeasureListingsAsync(BenchSilo silo, int instances, string probeId, ScaleOptions options)
    {
        using var query = silo.CreateQuery();
        var full = await TimeAsync(query, "", options.PageSize, instances, options.Calls, change: null);
        var round = 0;
        var rendered = await TimeAsync(query, "", options.PageSize, instances, options.Calls, () =>
            query.PostAsync($"Action=CreateTags&Version=2016-11-15&ResourceId.1={probeId}&Tag.1.Key=bench-round&Tag.1.Value={++round}"));
        var byId = await TimeAsync(query, $"Filter.1.Name=instance-id&Filter.1.Value.1={probeId}", 0, 1, options.Calls, change: null);
        var byTag = await TimeAsync(query, $"Filter.1.Name=tag%3Abatch&Filter.1.Value.1={BatchTag(0)}", 0, BaselineInstances, options.Calls, change: null);
        return new ListingFigures(full, rendered, byId, byTag, MemoryFigures.Measure());
    }

    private static async Task<Percentiles> TimeAsync(SignedQuery query, string parameters, int pageSize, int expected, int calls, Func<Task>? change)
    {
        // Untimed calls first: they check the answer, and a first rendering or a cold path is not what a steady client sees.
        var (listed, pages) = (0, 0);
        for (var i = 0; i < Math.Max(5, calls / 10); i++)
        {
            if (change is not null)
            {
                await change();
            }

            (listed, pages) = await query.ListInstancesAsync(parameters, pageSize);
            if (listed != expected)
            {
                throw new InvalidOperationException($"DescribeInstances {parameters} listed {listed} instances, not {expected}.");
            }
        }

        var latencies = new TimeSpan[calls];
        for (var i = 0; i < calls; i++)
        {
            if (change is not null)
            {
                await change();
            }

            var started = Stopwatch.GetTimestamp();
            (listed, _) = await query.ListInstancesAsync(parameters, pageSize);
            latencies[i] = Stopwatch.GetElapsedTime(started);
            if (listed != expected)
            {
                throw new InvalidOperationException($"DescribeInstances {parameters} listed {listed} instances, not {expected}.");
            }
        }

        return Percentiles.Of(latencies, pages);
    }

    /// <summary>
    /// Bundles <paramref name="instanceIds"/> at once (one BundleInstance each, the AWS CLI's signed upload policy) and
    /// polls DescribeBundleTasks of them back to back (a watching client at its most demanding) until every task is
    /// complete, timing each poll.
    /// </summary>
    private static async Task<BundleFigures> BundleAsync(AmazonEC2Client ec2, string bucket, IReadOnlyList<string> instanceIds)
    {
        var watch = Stopwatch.StartNew();
        var tasks = await Task.WhenAll(instanceIds.Select(id =>
        {
            var policy = UploadPolicies.Build(bucket, "image-" + id, DateTimeOffset.UtcNow + BundleTaskClientExtensions.DefaultPolicyLifetime);
            return ec2.BundleInstanceAsync(new Ec2BundleInstanceRequest
            {
                InstanceId = id,
                Storage = new Storage
                {
                    S3 = new S3Storage
                    {
                        Bucket = bucket,
                        Prefix = "image-" + id,
                        AWSAccessKeyId = AccessKeyId,
                        // A blob in the service model: the SDK takes the policy's JSON bytes and sends their base64.
                        UploadPolicy = new MemoryStream(Convert.FromBase64String(policy)),
                        UploadPolicySignature = UploadPolicies.Sign(policy, SecretAccessKey),
                    },
                },
            });
        }));
        var bundleIds = tasks.Select(t => t.BundleTask.BundleId).ToList();
        var latencies = new List<TimeSpan>();
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            var response = await ec2.DescribeBundleTasksAsync(new DescribeBundleTasksRequest { BundleIds = bundleIds });
            latencies.Add(Stopwatch.GetElapsedTime(started));
            var states = response.BundleTasks.ToList();
            if (states.FirstOrDefault(t => t.State == Ec2BundleTaskState.Failed) is { } failed)
            {
                throw new InvalidOperationException($"Bundle task {failed.BundleId} of {failed.InstanceId} failed: {failed.BundleTaskError?.Code} {failed.BundleTaskError?.Message}");
            }

            if (states.Count == bundleIds.Count && states.All(t => t.State == Ec2BundleTaskState.Complete))
            {
                break;
            }

        }

        watch.Stop();
        var percentiles = Percentiles.Of([.. latencies], 1);
        return new BundleFigures(watch.Elapsed, percentiles.P50, percentiles.P99, latencies.Count);
    }

    private static void PrintTable(
        ScaleOptions options,
        LaunchFigures baselineLaunch,
        LaunchFigures scaleLaunch,
        ListingFigures baseline,
        ListingFigures scale,
        RestartFigures baselineRestart,
        RestartFigures scaleRestart,
        BundleFigures alone,
        BundleFigures together)
    {
        const int label = 40;
        const int column = 26;
        Console.WriteLine($"{"",-label}{$"baseline ({BaselineInstances})",-column}{$"scale ({options.Instances})",-column}ratio");
        Console.WriteLine($"{"launch rate",-label}{$"{baselineLaunch.Rate:F0} instances/s",-column}{$"{scaleLaunch.Rate:F0} instances/s",-column}{scaleLaunch.Rate / baselineLaunch.Rate:F2}x");
        Console.WriteLine($"{"  first / last quarter of the N",-label}{"",-column}{$"{scaleLaunch.QuarterRates.First:F0} / {scaleLaunch.QuarterRates.Last:F0} instances/s",-column}{scaleLaunch.QuarterRates.Last / scaleLaunch.QuarterRates.First:F2}x");
        Row("full listing p50 / p99", baseline.Full, scale.Full);
        Console.WriteLine($"{"  pages of " + options.PageSize,-label}{baseline.Full.Pages,-column}{scale.Full.Pages,-column}");
        PerInstance(baseline.Full, scale.Full);
        Row("full listing rendered afresh p50 / p99", baseline.Rendered, scale.Rendered);
        PerInstance(baseline.Rendered, scale.Rendered);
        Row("instance-id filter (1) p50 / p99", baseline.ById, scale.ById);
        Row($"tag filter ({BaselineInstances}) p50 / p99", baseline.ByTag, scale.ByTag);
        Console.WriteLine($"{"GC heap / working set",-label}{Mib(baseline.Memory),-column}{Mib(scale.Memory),-column}{(double)scale.Memory.GcHeapBytes / baseline.Memory.GcHeapBytes:F2}x / {(double)scale.Memory.WorkingSetBytes / baseline.Memory.WorkingSetBytes:F2}x");
        Console.WriteLine($"{"restart: stop",-label}{Seconds(baselineRestart.Stop),-column}{Seconds(scaleRestart.Stop),-column}{scaleRestart.Stop / baselineRestart.Stop:F2}x");
        Console.WriteLine($"{"restart: /_sim/health up",-label}{Seconds(baselineRestart.HealthUp),-column}{Seconds(scaleRestart.HealthUp),-column}{scaleRestart.HealthUp / baselineRestart.HealthUp:F2}x");
        Console.WriteLine($"{"restart: first full listing",-label}{Seconds(baselineRestart.FirstListing),-column}{Seconds(scaleRestart.FirstListing),-column}{scaleRestart.FirstListing / baselineRestart.FirstListing:F2}x");
        Console.WriteLine();
        Console.WriteLine($"{"",-label}{"1 alone",-column}{$"{options.Bundles} at once",-column}ratio");
        Console.WriteLine($"{"bundle tasks: all complete",-label}{Seconds(alone.Wall),-column}{Seconds(together.Wall),-column}{together.Wall / alone.Wall:F2}x");
        Console.WriteLine($"{"DescribeBundleTasks p50 / p99",-label}{$"{Ms(alone.DescribeP50)} / {Ms(alone.DescribeP99)}",-column}{$"{Ms(together.DescribeP50)} / {Ms(together.DescribeP99)}",-column}{together.DescribeP99 / alone.DescribeP99:F2}x (p99)");

        void PerInstance(Percentiles left, Percentiles right) =>
            Console.WriteLine($"{"  per instance listed (p50)",-label}{Us(left.P50 / BaselineInstances),-column}{Us(right.P50 / options.Instances),-column}{right.P50 / options.Instances / (left.P50 / BaselineInstances):F2}x");

        void Row(string what, Percentiles left, Percentiles right) =>
            Console.WriteLine($"{what,-label}{$"{Ms(left.P50)} / {Ms(left.P99)}",-column}{$"{Ms(right.P50)} / {Ms(right.P99)}",-column}{right.P50 / left.P50:F2}x (p50)");
    }

    private static bool Report(string what, string measured, string target, bool pass)
    {
        Console.WriteLine($"{what,-28}{measured}   target {target}   {(pass ? "PASS" : "FAIL")}");
        return pass;
    }

    private static string Describe(ListingFigures f) =>
        $"full listing p50 {Ms(f.Full.P50)} p99 {Ms(f.Full.P99)} ({f.Full.Pages} page(s)), rendered afresh p50 {Ms(f.Rendered.P50)} p99 {Ms(f.Rendered.P99)}; instance-id filter p50 {Ms(f.ById.P50)}; tag filter p50 {Ms(f.ByTag.P50)}; {Mib(f.Memory)}";

    private static string Describe(RestartFigures f) =>
        $"stopped in {Seconds(f.Stop)}, /_sim/health up in {Seconds(f.HealthUp)}, first full listing after {Seconds(f.FirstListing)}";

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F2} ms";

    private static string Us(TimeSpan t) => $"{t.TotalMicroseconds:F1} µs";

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:F2} s";

    private static string Mib(MemoryFigures m) => $"{m.GcHeapBytes / 1048576.0:F1} / {m.WorkingSetBytes / 1048576.0:F1} MiB";

    /// <summary>
    /// A silo <see cref="ApiBench"/>'s way, in this process, on a given data directory: started, then timed to
    /// <c>/_sim/health</c> answering 200 and to the first full DescribeInstances answering what is expected.
    /// </summary>
    internal sealed class BenchSilo : IAsyncDisposable
    {
        private WebApplication? _app;

        private BenchSilo(WebApplication app, Uri baseUri)
        {
            _app = app;
            BaseUri = baseUri;
        }

        public Uri BaseUri { get; }

        public TimeSpan HealthUp { get; private set; }

        public TimeSpan FirstListing { get; private set; }

        public static async Task<BenchSilo> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string?> settings, int expectedInstances, int pageSize)
        {
            for (var attempt = 1; ; attempt++)
            {
                var watch = Stopwatch.StartNew();
                var ports = FreePorts(3);
                var baseUri = new Uri($"http://127.0.0.1:{ports[0]}/");
                var app = ApiBench.BuildSilo(dataDirectory, logRequests: false, settings.Concat(new Dictionary<string, string?>
                {
                    ["Urls"] = baseUri.ToString().TrimEnd('/'),
                    ["Orleans:SiloPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
                    ["Orleans:GatewayPort"] = ports[2].ToString(CultureInfo.InvariantCulture),
                }));
                var silo = new BenchSilo(app, baseUri);
                try
                {
                    var starting = app.StartAsync();
                    await WaitForHealthAsync(baseUri, starting);
                    silo.HealthUp = watch.Elapsed;
                    await starting;
                }
                catch (IOException e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    // Another process took a port between the OS handing it out and the silo binding it.
                    await silo.DisposeAsync();
                    continue;
                }
                catch
                {
                    await silo.DisposeAsync();
                    throw;
                }

                using var query = silo.CreateQuery();
                var (listed, _) = await query.ListInstancesAsync("", pageSize);
                silo.FirstListing = watch.Elapsed;
                if (listed != expectedInstances)
                {
                    await silo.DisposeAsync();
                    throw new InvalidOperationException($"The silo on {dataDirectory} lists {listed} instances, not {expectedInstances}.");
                }

                return silo;
            }
        }

        public AmazonEC2Client CreateSdkClient() => new(new BasicAWSCredentials(AccessKeyId, SecretAccessKey), new AmazonEC2Config
        {
            ServiceURL = BaseUri.ToString().TrimEnd('/'),
            AuthenticationRegion = Region,
        });

        public SignedQuery CreateQuery() => new(BaseUri, AccessKeyId, SecretAccessKey, Region);

        /// <summary>Stops the silo (a clean stop) and returns how long it took.</summary>
        public async Task<TimeSpan> StopAsync()
        {
            var watch = Stopwatch.StartNew();
            await DisposeAsync();
            return watch.Elapsed;
        }

        /// <summary>Polls <c>/_sim/health</c> until it answers 200 (or the start fails).</summary>
        private static async Task WaitForHealthAsync(Uri baseUri, Task starting)
        {
            using var http = new HttpClient();
            while (true)
            {
                if (starting.IsFaulted)
                {
                    await starting;
                }

                try
                {
                    using var response = await http.GetAsync(new Uri(baseUri, "_sim/health"));
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(5);
            }
        }

        /// <summary>Distinct free loopback ports: each listener is held until all are chosen.</summary>
        private static int[] FreePorts(int count)
        {
            var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
            try
            {
                listeners.ForEach(l => l.Start());
                return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
            }
            finally
            {
                listeners.ForEach(l => l.Dispose());
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is { } app)
            {
                _app = null;
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }
}

/// <summary>The bench's options.</summary>
public sealed record ScaleOptions(int Instances, int Bundles, int Calls, int Parallel, int PageSize, int DiskMib);

internal sealed record LaunchFigures(IReadOnlyList<string> InstanceIds, TimeSpan Elapsed, (double First, double Last) QuarterRates)
{
    public double Rate => InstanceIds.Count / Elapsed.TotalSeconds;
}

internal sealed record Percentiles(TimeSpan P50, TimeSpan P99, int Pages)
{
    public static Percentiles Of(TimeSpan[] latencies, int pages)
    {
        Array.Sort(latencies);
        TimeSpan At(double q) => latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        return new Percentiles(At(0.50), At(0.99), pages);
    }
}

internal sealed record ListingFigures(Percentiles Full, Percentiles Rendered, Percentiles ById, Percentiles ByTag, MemoryFigures Memory);

internal sealed record RestartFigures(TimeSpan Stop, TimeSpan HealthUp, TimeSpan FirstListing);

internal sealed record BundleFigures(TimeSpan Wall, TimeSpan DescribeP50, TimeSpan DescribeP99, int Describes);

/// <summary>The process's (the silo's, hosted here) live GC heap after a full blocking collection, and its working set.</summary>
internal sealed record MemoryFigures(long GcHeapBytes, long WorkingSetBytes)
{
    public static MemoryFigures Measure()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return new MemoryFigures(GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64);
    }
}

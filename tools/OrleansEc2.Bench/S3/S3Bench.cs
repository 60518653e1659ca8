using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using S3PutObjectRequest = Amazon.S3.Model.PutObjectRequest;
using OrleansEc2.Bench.Scale;

namespace OrleansEc2.Bench.S3;

/// <summary>
/// <c>bench s3</c>: one silo in process on a temporary data directory (the scale bench's way). The reference is measured
/// first in the same run: a bucket of 1,000 small objects, its full-page ListObjectsV2 and HEAD. Then ONE bucket is
/// filled with N small objects through the S3 REST API (AWSSDK.S3, a few PutObjects at once), and the same figures are
/// taken at N. The put rate over the first and last quarter of the N shows whether a put costs more as the bucket grows.
/// </summary>
public static class S3Bench
{
    private const int ReferenceObjects = 1000;

    /// <summary>A full page of ListObjectsV2 (S3's most).</summary>
    private const int PageSize = 1000;

    private const int ObjectBytes = 128;

    /// <summary>The last quarter's put rate at least this share of the first quarter's: a put's cost does not grow with N.</summary>
    private const double QuarterRateTarget = 0.5;

    private static readonly Option<int> ObjectsOption = new("--objects") { Description = "Objects the bucket grows to (1000 to 100000).", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<int> ParallelOption = new("--parallel") { Description = "PutObject requests in flight at once.", DefaultValueFactory = _ => 8 };
    private static readonly Option<int> CallsOption = new("--calls") { Description = "Sequential calls each ListObjectsV2 and HEAD percentile is taken over.", DefaultValueFactory = _ => 100 };

    public static Command CreateCommand()
    {
        var command = new Command("s3", "N small objects in one bucket over S3 REST: put rate (first and last quarter), ListObjectsV2 of a full page and HEAD against a bucket of 1,000.")
        {
            ObjectsOption, ParallelOption, CallsOption,
        };
        command.SetAction((parseResult, _) => RunAsync(
            parseResult.GetValue(ObjectsOption),
            parseResult.GetValue(ParallelOption),
            parseResult.GetValue(CallsOption)));
        return command;
    }

    public static async Task<int> RunAsync(int objects, int parallel, int calls)
    {
        if (objects is < 1000 or > 100_000 || parallel is < 1 or > 64 || calls is < 10 or > 100_000)
        {
            Console.Error.WriteLine("s3: --objects 1000..100000, --parallel 1..64, --calls 10..100000.");
            return 2;
        }

#if DEBUG
        Console.WriteLine("warning: a Debug build; run with -c Release for figures worth quoting.");
#endif
        Console.WriteLine($"S3 benchmark: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"{objects} objects of {ObjectBytes} bytes in one bucket against {ReferenceObjects}, {parallel} PutObjects at once, {calls} calls per percentile");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-ec2-bench", "s3-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dataDirectory);
        var silo = await ScaleBench.BenchSilo.StartAsync(dataDirectory, ScaleBench.Settings(1), expectedInstances: 0, pageSize: 1000);
        try
        {
            Console.WriteLine($"silo up at {silo.BaseUri} in {silo.HealthUp.TotalSeconds:F2} s, data in {dataDirectory}");
            Console.WriteLine();
            using var s3 = new AmazonS3Client(new BasicAWSCredentials(ScaleBench.AccessKeyId, ScaleBench.SecretAccessKey), new AmazonS3Config
            {
                ServiceURL = silo.BaseUri.ToString().TrimEnd('/'),
                ForcePathStyle = true,
                AuthenticationRegion = ScaleBench.Region,
                MaxErrorRetry = 0,
            });
            var suffix = Guid.NewGuid().ToString("n")[..12];

            // The reference: 1,000 objects.
            var referenceBucket = "s3-bench-reference-" + suffix;
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = referenceBucket });
            var referencePuts = await PutAsync(s3, referenceBucket, ReferenceObjects, parallel);
            Console.WriteLine($"reference: put {ReferenceObjects} in {referencePuts.Elapsed.TotalSeconds:F2} s ({referencePuts.Rate:F0} objects/s; first quarter {referencePuts.First:F0}/s, last quarter {referencePuts.Last:F0}/s)");
            var reference = await MeasureReadsAsync(s3, referenceBucket, calls);
            Console.WriteLine($"reference: {Describe(reference)}");
            Console.WriteLine();

            // N objects.
            var bucket = "s3-bench-" + suffix;
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
            var puts = await PutAsync(s3, bucket, objects, parallel);
            Console.WriteLine($"scale: put {objects} in {puts.Elapsed.TotalSeconds:F2} s ({puts.Rate:F0} objects/s; first quarter {puts.First:F0}/s, last quarter {puts.Last:F0}/s)");
            var scale = await MeasureReadsAsync(s3, bucket, calls);
            Console.WriteLine($"scale: {Describe(scale)}");
            Console.WriteLine();

            const int label = 40;
            const int column = 26;
            Console.WriteLine($"{"",-label}{$"reference ({ReferenceObjects})",-column}{$"scale ({objects})",-column}ratio");
            Console.WriteLine($"{"put rate",-label}{$"{referencePuts.Rate:F0} objects/s",-column}{$"{puts.Rate:F0} objects/s",-column}{puts.Rate / referencePuts.Rate:F2}x");
            Console.WriteLine($"{"  first / last quarter",-label}{$"{referencePuts.First:F0} / {referencePuts.Last:F0} objects/s",-column}{$"{puts.First:F0} / {puts.Last:F0} objects/s",-column}{puts.Last / puts.First:F2}x");
            Console.WriteLine($"{$"ListObjectsV2 ({PageSize} keys) p50 / p99",-label}{$"{Ms(reference.List.P50)} / {Ms(reference.List.P99)}",-column}{$"{Ms(scale.List.P50)} / {Ms(scale.List.P99)}",-column}{scale.List.P50 / reference.List.P50:F2}x (p50)");
            Console.WriteLine($"{"HEAD p50 / p99",-label}{$"{Ms(reference.Head.P50)} / {Ms(reference.Head.P99)}",-column}{$"{Ms(scale.Head.P50)} / {Ms(scale.Head.P99)}",-column}{scale.Head.P50 / reference.Head.P50:F2}x (p50)");
            Console.WriteLine();

            var ratio = puts.Last / puts.First;
            var passed = ratio >= QuarterRateTarget;
            Console.WriteLine($"{"Put rate, last quarter",-28}{ratio:F2}x the first quarter's ({puts.Last:F0} vs {puts.First:F0} objects/s)   target >= {QuarterRateTarget:F1}x   {(passed ? "PASS" : "FAIL")}");
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

    private static string Key(int i) => "object-" + i.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>
    /// Puts <paramref name="count"/> objects, <paramref name="parallel"/> in flight, and the rates over the first and
    /// the last quarter of them (by when each answered).
    /// </summary>
    private static async Task<PutFigures> PutAsync(AmazonS3Client s3, string bucket, int count, int parallel)
    {
        var body = new byte[ObjectBytes];
        Random.Shared.NextBytes(body);
        var done = new TimeSpan[count];
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = parallel },
            async (i, cancellationToken) =>
            {
                await s3.PutObjectAsync(
                    new S3PutObjectRequest { BucketName = bucket, Key = Key(i), InputStream = new MemoryStream(body, writable: false) },
                    cancellationToken);
                done[i] = watch.Elapsed;
            });
        watch.Stop();
        Array.Sort(done);
        var quarter = count / 4;
        var first = quarter / done[quarter - 1].TotalSeconds;
        var last = quarter / (done[^1] - done[count - quarter - 1]).TotalSeconds;
        return new PutFigures(count / watch.Elapsed.TotalSeconds, first, last, watch.Elapsed);
    }

    /// <summary>ListObjectsV2 of a full page and HEAD of one object, sequential calls each.</summary>
    private static async Task<ReadFigures> MeasureReadsAsync(AmazonS3Client s3, string bucket, int calls)
    {
        var list = new TimeSpan[calls];
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var response = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = PageSize });
            list[i] = Stopwatch.GetElapsedTime(started);
            if (response.S3Objects.Count != PageSize)
            {
                throw new InvalidOperationException($"ListObjectsV2 of {bucket} listed {response.S3Objects.Count} keys, not {PageSize}.");
            }
        }

        var head = new TimeSpan[calls];
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var response = await s3.GetObjectMetadataAsync(bucket, Key(i * 7 % ReferenceObjects));
            head[i] = Stopwatch.GetElapsedTime(started);
            if (response.ContentLength != ObjectBytes)
            {
                throw new InvalidOperationException($"HEAD in {bucket} answered {response.ContentLength} bytes, not {ObjectBytes}.");
            }
        }

        return new ReadFigures(Percentiles.Of(list, 1), Percentiles.Of(head, 1));
    }

    private static string Describe(ReadFigures f) =>
        $"ListObjectsV2 ({PageSize} keys) p50 {Ms(f.List.P50)} p99 {Ms(f.List.P99)}; HEAD p50 {Ms(f.Head.P50)} p99 {Ms(f.Head.P99)}";

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F2} ms";

    private sealed record PutFigures(double Rate, double First, double Last, TimeSpan Elapsed);

    private sealed record ReadFigures(Percentiles List, Percentiles Head);
}

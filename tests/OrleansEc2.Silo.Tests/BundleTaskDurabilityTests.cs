using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using OrleansEc2.Api.Auth;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;
using OrleansEc2.Client;
using OrleansEc2.Testing;

namespace OrleansEc2.Silo.Tests;

/// <summary>A bundle task SIGKILLed with the real silo process while bundling: after the restart it resumes by itself.</summary>
public sealed class BundleTaskKilledWhileBundlingTests
{
    [Fact]
    public async Task SigKill_WhileBundling_ThenRestart_TheTaskResumesAndItsBundleVerifies()
    {
        await using var silo = await SiloProcess.StartAsync(BundleCrash.Settings);
        var run = await BundleCrash.StartBundleAsync(silo, "killed-bundling");
        await using (var client = await silo.ConnectClientAsync())
        {
            var alice = client.ForAccount(BundleCrash.Alice, BundleCrash.Region);
            await BundleCrash.AdvanceUntilAsync(silo, alice, run.BundleId, BundleTaskState.Bundling);

            // Its parts are written (blobs, not yet objects) and it waits out the phase minimum: kill it now.
            var task = client.Grains.GetGrain<IBundleTaskGrain>(run.BundleId);
            await BundleCrash.PollAsync(async () => (await task.DescribeAsync(BundleCrash.Alice)).Progress == 70);
            (await BundleCrash.ListAsync(client, run)).Should().BeEmpty("bundling writes blobs; objects come in storing");
        }

        await silo.KillAsync();
        await silo.RestartAsync();

        await BundleCrash.FinishAndVerifyAsync(silo, run);
    }
}

/// <summary>A bundle task SIGKILLed with the real silo process while storing: after the restart it stores the rest.</summary>
public sealed class BundleTaskKilledWhileStoringTests
{
    [Fact]
    public async Task SigKill_WhileStoring_ThenRestart_TheTaskResumesAndItsBundleVerifies()
    {
        await using var silo = await SiloProcess.StartAsync(BundleCrash.Settings);
        var run = await BundleCrash.StartBundleAsync(silo, "killed-storing");
        await using (var client = await silo.ConnectClientAsync())
        {
            var alice = client.ForAccount(BundleCrash.Alice, BundleCrash.Region);
            await BundleCrash.AdvanceUntilAsync(silo, alice, run.BundleId, BundleTaskState.Storing);

            // Every part is an object by now and the manifest, which comes last, is not: kill it now.
            await BundleCrash.PollAsync(async () => (await alice.DescribeBundleTaskAsync(run.BundleId)).Progress > 70);
            var keys = (await BundleCrash.ListAsync(client, run)).Select(o => o.Key).ToList();
            keys.Should().NotBeEmpty().And.OnlyContain(k => k.StartsWith(run.Prefix + ".part.", StringComparison.Ordinal));
        }

        await silo.KillAsync();
        await silo.RestartAsync();

        await BundleCrash.FinishAndVerifyAsync(silo, run);
    }
}

/// <summary>What the crash tests share: a silo on a simulated clock where each bundle phase lasts an hour of it.</summary>
internal static class BundleCrash
{
    public const string Alice = "111122223333";
    public const string AliceKey = "AKIAIOSFODNN7EXAMPLE";
    public const string AliceSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public const string Region = "us-east-1";
    public const string NotesPath = @"C:\Users\Administrator\Desktop\notes.txt";

    public static readonly TimeSpan PhaseMinimum = TimeSpan.FromHours(1);
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    public static readonly byte[] Notes = Encoding.UTF8.GetBytes("written before the crash\r\n");

    /// <summary>
    /// Time moves only when the test advances it (through <c>/_sim/clock/advance</c>), so a task stays in each phase
    /// until then — long enough to kill the silo in it. 4 MiB disks in 512 KiB parts.
    /// </summary>
    public static Dictionary<string, string?> Settings => new()
    {
        ["Clock:Mode"] = "Simulated",
        ["Durations:BundlePhaseMinimum"] = PhaseMinimum.ToString(),
        ["Disk:DefaultSizeBytes"] = (4 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
        ["BundleTasks:PartSizeBytes"] = (512 * 1024).ToString(CultureInfo.InvariantCulture),
    };

    public sealed record Run(string BundleId, string InstanceId, string Bucket, string Prefix, string ComputerName);

    /// <summary>Runs a Windows instance, changes it, zeroes its free space and bundles it through the client library.</summary>
    public static async Task<Run> StartBundleAsync(SiloProcess silo, string prefix)
    {
        await using var client = await silo.ConnectClientAsync();
        var alice = client.ForAccount(Alice, Region);
        var images = await alice.Resources.DescribeImagesAsync(new ImageQuery([], ["amazon"], [], [new Ec2Filter("platform", ["windows"])]));
        var reservation = await client.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId())
            .RunInstancesAsync(new RunInstancesRequest(new Caller(Alice, Region), images[0].ImageId, 1, 1, "m1.small", null, null, null, []));
        var instance = client.Grains.GetGrain<IInstanceGrain>(reservation.Instances[0].InstanceId);
        await instance.WriteFileAsync(Alice, NotesPath, Notes);
        await instance.ZeroFreeSpaceAsync(Alice);
        var described = await instance.DescribeAsync(Alice);
        var bucket = "crash-" + Guid.NewGuid().ToString("n")[..12];

        var task = await alice.BundleInstanceAsync(described.InstanceId, bucket, prefix);

        task.State.Should().Be(BundleTaskState.Pending);
        return new Run(task.BundleId, described.InstanceId, bucket, prefix, described.ComputerName!);
    }

    /// <summary>Advances the clock a phase at a time until the task is in <paramref name="state"/>, watching it through the index.</summary>
    public static async Task<BundleTaskDescription> AdvanceUntilAsync(SiloProcess silo, AccountRegionClient alice, string bundleId, BundleTaskState state)
    {
        var current = await alice.DescribeBundleTaskAsync(bundleId);
        while (current.State != state)
        {
            current.State.IsFinished().Should().BeFalse($"the task should reach {state.ToEc2Name()}, not end {current.State.ToEc2Name()} ({current.Error?.Message})");
            var last = current.State;
            await AdvanceClockAsync(silo, PhaseMinimum);
            await PollAsync(async () => (current = await alice.DescribeBundleTaskAsync(bundleId)).State != last);
        }

        return current;
    }

    /// <summary>
    /// After the restart: without calling the task, advances the clock until the index shows it complete (only a task
    /// that resumed by itself gets there), then checks the bundle as registration would and the instance.
    /// </summary>
    public static async Task FinishAndVerifyAsync(SiloProcess silo, Run run)
    {
        await using var client = await silo.ConnectClientAsync();
        var alice = client.ForAccount(Alice, Region);
        var complete = await AdvanceUntilAsync(silo, alice, run.BundleId, BundleTaskState.Complete);
        complete.Progress.Should().Be(100);

        var objects = await ListAsync(client, run);
        var parts = new MemoryPartStore();
        foreach (var item in objects)
        {
            parts.Put(item.Key, await File.ReadAllBytesAsync(BlobPath(silo, item.Blob.Hash)));
        }

        var manifest = Manifest.Parse(Encoding.UTF8.GetString(parts.Parts[PartNames.ManifestFor(run.Prefix)]));
        objects.Select(o => o.Key).Should().BeEquivalentTo([.. manifest.Parts.Select(p => p.FileName), PartNames.ManifestFor(run.Prefix)]);
        manifest.Parts.Should().HaveCountGreaterThan(1);
        using var certificate = PemKeys.ParseCertificate(await alice.Account.GetSigningCertificatePemAsync());
        ManifestVerifier.VerifySignature(manifest, certificate);
        using var ec2Key = PemKeys.ParsePrivateKey(await alice.RegionGrain.GetEc2PrivateKeyPemAsync());
        var key = ManifestVerifier.UnsealForRegion(manifest, ec2Key, Region);
        var image = new MemoryStream();
        await Unbundler.UnbundleAsync(manifest, key, parts, image);

        var instance = client.Grains.GetGrain<IInstanceGrain>(run.InstanceId);
        var restarted = await instance.DescribeAsync(Alice);
        restarted.State.Should().Be(InstanceStateName.Running);
        restarted.ComputerName.Should().Be(run.ComputerName);
        DiskImage.Open(new MemoryStream(image.ToArray(), writable: false)).ReadFile(NotesPath).Should().Equal(Notes);
        await instance.StopAsync(Alice, force: false);
        var disk = (await instance.SnapshotDiskAsync(Alice)).Disk;
        await using var stored = File.OpenRead(BlobPath(silo, disk.BlobHash));
        await using var generalized = Sysprep.OpenGeneralized(stored);
        var expected = new MemoryStream();
        await generalized.CopyToAsync(expected);
        Convert.ToHexString(SHA256.HashData(image.ToArray())).Should().Be(Convert.ToHexString(SHA256.HashData(expected.ToArray())));
    }

    public static async Task<IReadOnlyList<S3ObjectInfo>> ListAsync(Ec2SimClient client, Run run)
    {
        var bucket = client.Grains.GetGrain<IBucketGrain>(run.Bucket);
        return await bucket.FindAsync() is null
            ? []
            : (await bucket.ListObjectsAsync(Alice, new ListObjectsQuery(run.Prefix + ".", null, 1000, null))).Objects;
    }

    public static async Task PollAsync(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > Patience)
            {
                throw new TimeoutException($"The condition did not hold within {Patience}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Where the silo's file blob store keeps a blob.</summary>
    private static string BlobPath(SiloProcess silo, string hash) => Path.Combine(silo.DataDirectory, "blobs", hash[..2], hash[2..4], hash);

    /// <summary>POST /_sim/clock/advance, signed with SigV4 as Alice.</summary>
    private static async Task AdvanceClockAsync(SiloProcess silo, TimeSpan by)
    {
        using var http = silo.CreateHttpClient();
        var uri = new Uri($"{silo.BaseUrl}/_sim/clock/advance?seconds={by.TotalSeconds.ToString(CultureInfo.InvariantCulture)}");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent([]) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/octet-stream");
        var amzDate = SigV4.FormatAmzDate(DateTimeOffset.UtcNow);
        var date = amzDate[..8];
        var headers = new List<KeyValuePair<string, string>>
        {
            new("content-type", "application/octet-stream"),
            new("host", $"{uri.Host}:{uri.Port}"),
            new("x-amz-date", amzDate),
        };
        var canonical = SigV4.CanonicalRequest(
            "POST", SigV4.CanonicalUri(uri.AbsolutePath, isS3: false), SigV4.CanonicalQueryString(SigV4.ParseQuery(uri.Query)), headers, SigV4.HexSha256([]));
        var scope = $"{date}/{Region}/ec2/aws4_request";
        var signature = SigV4.Sign(SigV4.SigningKey(AliceSecret, date, Region, "ec2"), SigV4.StringToSign(amzDate, scope, canonical));
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation(
            "Authorization", $"AWS4-HMAC-SHA256 Credential={AliceKey}/{scope}, SignedHeaders=content-type;host;x-amz-date, Signature={signature}");
        using var response = await http.SendAsync(request);
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
    }
}

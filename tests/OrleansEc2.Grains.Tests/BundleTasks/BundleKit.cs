using System.Diagnostics;
using System.Globalization;
using System.Text;
using OrleansEc2.Bundling;
using OrleansEc2.Grains.BundleTasks;

namespace OrleansEc2.Grains.Tests.BundleTasks;

/// <summary>What the bundle task tests share: signed BundleInstance requests, polling a task, reading a bundle back.</summary>
public static class BundleKit
{
    public const string Alice = ClusterFixture.Alice;
    public const string Bob = ClusterFixture.Bob;
    public const string AliceKey = "AKIAIOSFODNN7EXAMPLE";
    public const string AliceSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public const string BobKey = "AKIAI44QH8DHBEXAMPLE";
    public const string BobSecret = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
    public const string UsEast1 = ClusterFixture.UsEast1;

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The policy document the AWS CLI's bundle-instance builds, byte for byte in its layout.</summary>
    public static string PolicyJson(string bucket, string prefix, DateTimeOffset expiration)
        => "{\"expiration\": \"" + expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) + "\","
            + "\"conditions\": [{\"bucket\": \"" + bucket + "\"},{\"acl\": \"ec2-bundle-read\"},[\"starts-with\", \"$key\", \"" + prefix + "\"]]}";

    public static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    /// <summary>A request as the AWS CLI would send it: the policy's expiration a day after <paramref name="now"/>, signed with the owner's secret.</summary>
    public static BundleInstanceRequest Request(
        string instanceId,
        string bucket,
        string prefix,
        DateTimeOffset now,
        string account = Alice,
        string region = UsEast1,
        string accessKeyId = AliceKey,
        string secret = AliceSecret,
        string? policyJson = null)
    {
        var policy = Base64(policyJson ?? PolicyJson(bucket, prefix, now.AddHours(24)));
        return new BundleInstanceRequest(new Caller(account, region), instanceId, bucket, prefix, accessKeyId, policy, UploadPolicy.Sign(policy, secret));
    }

    public static string NewBucketName() => "bundles-" + Guid.NewGuid().ToString("n")[..12];

    public static IBundleTaskGrain NewTask(IGrainFactory grains) => grains.GetGrain<IBundleTaskGrain>(Ec2Ids.NewBundleId());

    /// <summary>Polls the task until <paramref name="until"/> holds (or it is finished otherwise, which fails the test).</summary>
    public static async Task<BundleTaskDescription> WaitForAsync(IBundleTaskGrain task, Func<BundleTaskDescription, bool> until, string account = Alice)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var current = await task.DescribeAsync(account);
            if (until(current))
            {
                return current;
            }

            if (current.State.IsFinished())
            {
                throw new InvalidOperationException($"Bundle task {current.BundleId} ended {current.State.ToEc2Name()} ({current.Error?.Code}: {current.Error?.Message}) before the awaited condition.");
            }

            if (watch.Elapsed > Patience)
            {
                throw new TimeoutException($"Bundle task {current.BundleId} is still {current.State.ToEc2Name()} after {Patience}.");
            }

            await Task.Delay(10);
        }
    }

    public static Task<BundleTaskDescription> WaitForStateAsync(IBundleTaskGrain task, BundleTaskState state, string account = Alice)
        => WaitForAsync(task, t => t.State == state, account);

    public static async Task<BundleTaskDescription> WaitUntilFinishedAsync(IBundleTaskGrain task, string account = Alice)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var current = await task.DescribeAsync(account);
            if (current.State.IsFinished())
            {
                return current;
            }

            if (watch.Elapsed > Patience)
            {
                throw new TimeoutException($"Bundle task {current.BundleId} is still {current.State.ToEc2Name()} after {Patience}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Polls until the instance is in <paramref name="state"/> (a restart by the task lands a moment after the task's own state).</summary>
    public static async Task<InstanceDescription> WaitForInstanceAsync(IInstanceGrain instance, InstanceStateName state, string account = Alice)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var current = await instance.DescribeAsync(account);
            if (current.State == state)
            {
                return current;
            }

            if (watch.Elapsed > Patience)
            {
                throw new TimeoutException($"Instance {current.InstanceId} is still {current.State.ToEc2Name()} after {Patience}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>The objects under <paramref name="prefix"/>, by key.</summary>
    public static async Task<IReadOnlyList<S3ObjectInfo>> ListAsync(IGrainFactory grains, string bucket, string prefix, string account = Alice)
        => (await grains.GetGrain<IBucketGrain>(bucket).ListObjectsAsync(account, new ListObjectsQuery(prefix, null, 1000, null))).Objects;

    /// <summary>Reads every object under the prefix from the blob store into a part store, and parses the manifest.</summary>
    public static async Task<(Manifest Manifest, MemoryPartStore Parts, IReadOnlyList<string> Keys)> ReadBundleAsync(
        IGrainFactory grains, IBlobStore blobs, string bucket, string prefix, string account = Alice)
    {
        var objects = await ListAsync(grains, bucket, prefix, account);
        var store = new MemoryPartStore();
        foreach (var item in objects)
        {
            await using var stream = blobs.OpenRead(item.Blob.Hash);
            var bytes = new MemoryStream();
            await stream.CopyToAsync(bytes);
            store.Put(item.Key, bytes.ToArray());
        }

        var manifest = Manifest.Parse(Encoding.UTF8.GetString(store.Parts[PartNames.ManifestFor(prefix)]));
        return (manifest, store, [.. objects.Select(o => o.Key)]);
    }

    /// <summary>
    /// Checks the bundle as registration would (the user's signature, the region's key unseals it, every part's
    /// digest) and unbundles it: the image bytes.
    /// </summary>
    public static async Task<byte[]> VerifyAndUnbundleAsync(IGrainFactory grains, Manifest manifest, MemoryPartStore parts, string account = Alice, string region = UsEast1)
    {
        using var certificate = PemKeys.ParseCertificate(await grains.GetGrain<IAccountGrain>(account).GetSigningCertificatePemAsync());
        ManifestVerifier.VerifySignature(manifest, certificate);
        using var ec2Key = PemKeys.ParsePrivateKey(await grains.GetGrain<IRegionGrain>(region).GetEc2PrivateKeyPemAsync());
        var key = ManifestVerifier.UnsealForRegion(manifest, ec2Key, region);
        await ManifestVerifier.VerifyPartsAsync(manifest, parts);
        var image = new MemoryStream();
        await Unbundler.UnbundleAsync(manifest, key, parts, image);
        return image.ToArray();
    }

    /// <summary>The bytes of a disk blob as sysprep generalizes them.</summary>
    public static async Task<byte[]> GeneralizedAsync(IBlobStore blobs, string diskBlobHash)
    {
        await using var disk = blobs.OpenRead(diskBlobHash);
        await using var generalized = OrleansEc2.Bundling.Disks.Sysprep.OpenGeneralized(disk);
        var bytes = new MemoryStream();
        await generalized.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    public static async Task<Ec2Exception> ThrowsAsync(Func<Task> act, string code)
    {
        var error = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        error.Code.Should().Be(code, error.Message);
        return error;
    }
}

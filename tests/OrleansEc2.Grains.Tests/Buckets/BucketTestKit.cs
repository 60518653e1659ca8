using System.Collections.Immutable;
using OrleansEc2.Grains.Blobs;
using OrleansEc2.Grains.Tests.Blobs;

namespace OrleansEc2.Grains.Tests.Buckets;

/// <summary>What the bucket tests share: fresh bucket names, bodies put through the silo's blob store, exact error checks.</summary>
public sealed class BucketTestKit(ClusterFixture fixture)
{
    public const string Alice = ClusterFixture.Alice;
    public const string Bob = ClusterFixture.Bob;
    public const string UsEast1 = ClusterFixture.UsEast1;
    public const string EuWest1 = ClusterFixture.EuWest1;

    public FileBlobStore Blobs => fixture.GetSiloService<FileBlobStore>();

    public static string NewBucketName() => $"bucket-{Guid.NewGuid():n}";

    public IBucketGrain Bucket(string name) => fixture.Grains.GetGrain<IBucketGrain>(name);

    public IAccountBucketsGrain AccountBuckets(string accountId) => fixture.Grains.GetGrain<IAccountBucketsGrain>(accountId);

    public async Task<IBucketGrain> CreateBucketAsync(string owner = Alice, string region = UsEast1)
    {
        var bucket = Bucket(NewBucketName());
        await bucket.CreateAsync(owner, region);
        return bucket;
    }

    public Task<BlobInfo> PutBlobAsync(byte[] bytes) => Blobs.PutAsync(new MemoryStream(bytes));

    public async Task<S3ObjectInfo> PutObjectAsync(IBucketGrain bucket, string key, byte[] bytes, string owner = Alice)
    {
        var blob = await PutBlobAsync(bytes);
        return await bucket.PutObjectAsync(owner, new PutObjectRequest(key, blob, "text/plain", ImmutableDictionary<string, string>.Empty, null));
    }

    public async Task PutObjectsAsync(IBucketGrain bucket, params string[] keys)
    {
        var blob = await PutBlobAsync([42]);
        foreach (var key in keys)
        {
            await bucket.PutObjectAsync(Alice, new PutObjectRequest(key, blob, "text/plain", ImmutableDictionary<string, string>.Empty, null));
        }
    }

    public async Task<byte[]> ReadAllAsync(BlobInfo blob)
    {
        await using var stream = Blobs.OpenRead(blob.Hash);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    public Task<IReadOnlyList<string>> HoldersOfAsync(BlobInfo blob) => Blobs.GetHoldersAsync(blob.Hash);

    /// <summary>Deactivates every idle grain, so the next call reloads state from storage (what a restart would see).</summary>
    public async Task DeactivateAllAsync()
    {
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        var statistics = await management.GetSimpleGrainStatistics();
        statistics.Where(s => s.GrainType.Contains("BucketGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount)
            .Should().Be(0, "every bucket grain should have been deactivated");
    }

    public static async Task<Ec2Exception> ShouldFailWithAsync(Func<Task> call, string code)
    {
        var failure = await call.Should().ThrowAsync<Ec2Exception>();
        failure.Which.Code.Should().Be(code);
        return failure.Which;
    }

    public static byte[] Bytes(int length, int seed) => TestBytes.Random(length, seed);
}

using System.Diagnostics;
using System.Text;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;
using OrleansEc2.Client;
using OrleansEc2.Api.Auth;
using OrleansEc2.Testing;

namespace OrleansEc2.Silo.Tests;

/// <summary>A migration in the real silo process, on SQLite, across a SIGKILL in the middle of copying its parts.</summary>
public sealed class MigrationDurabilityTests
{
    private const string Alice = "111122223333";
    private const string UsEast1 = "us-east-1";
    private const string EuWest1 = "eu-west-1";
    private const string AliceKey = "AKIAIOSFODNN7EXAMPLE";
    private const string AliceSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /// <summary>Long enough per part to kill the silo mid-copy, short enough for the whole copy to take a few seconds.</summary>
    private static readonly TimeSpan PartCopyDelay = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task SigKill_MidCopy_ThenRestart_TheMigrationCompletes_AndRunningItAgainChangesNothing()
    {
        await using var silo = await SiloProcess.StartAsync([new("Migrations:PartCopyDelay", PartCopyDelay.ToString())]);
        var source = "bundles-" + Guid.NewGuid().ToString("n")[..12];
        var destination = "eu-bundles-" + Guid.NewGuid().ToString("n")[..12];
        var disk = SyntheticDiskBytes(seed: 2009);
        BundleResult bundle;
        string euKeyPem;
        MigrationDescription caught;
        await using (var client = await silo.ConnectClientAsync())
        {
            await client.Grains.GetGrain<IBucketGrain>(source).CreateAsync(Alice, UsEast1);
            (bundle, var parts) = await BundleAsync(client.Grains, disk);
            euKeyPem = await client.Grains.GetGrain<IRegionGrain>(EuWest1).GetEc2PrivateKeyPemAsync();
            bundle.Parts.Count.Should().BeGreaterThanOrEqualTo(20);
            await UploadAsync(silo, source, bundle, parts);

            var alice = client.ForAccount(Alice, UsEast1);
            var started = await alice.StartMigrationAsync(source, bundle.ManifestFileName, destination, "EU");
            caught = await UntilAsync(() => alice.DescribeMigrationAsync(started.MigrationId), d => d.PartsCopied >= 3 || d.State.IsFinished());
        }

        caught.State.Should().Be(MigrationState.CopyingParts, "the silo must be killed in the middle of the copy");
        caught.PartsCopied.Should().BeLessThan(caught.PartCount);
        await silo.KillAsync();
        await silo.RestartAsync();

        await using (var client = await silo.ConnectClientAsync())
        {
            var alice = client.ForAccount(Alice, UsEast1);
            var destinationBucket = client.Grains.GetGrain<IBucketGrain>(destination);

            // Watched through the destination bucket, not the migration: nobody asks the migration to go on, the silo's start-up scan does.
            var manifest = await UntilAsync(() => FindAsync(destinationBucket, bundle.ManifestFileName), m => m is not null, TimeSpan.FromSeconds(60));
            silo.Output.Should().Contain("Resumed 1 unfinished migration(s)");
            var finished = await alice.WaitForMigrationAsync(caught.MigrationId, timeout: TimeSpan.FromSeconds(30));
            finished.State.Should().Be(MigrationState.Complete);
            finished.PartsCopied.Should().Be(bundle.Parts.Count);
            finished.Error.Should().BeNull();
            (await client.Grains.GetGrain<IMigrationRegistryGrain>(Alice).GetUnfinishedAsync()).Should().BeEmpty();

            var sourceObjects = await ListAsync(client.Grains.GetGrain<IBucketGrain>(source));
            var migrated = await ListAsync(destinationBucket);
            migrated.Select(o => o.Key).Should().BeEquivalentTo(sourceObjects.Select(o => o.Key));
            foreach (var part in bundle.Parts)
            {
                migrated.Single(o => o.Key == part.FileName).Blob.Should().Be(sourceObjects.Single(o => o.Key == part.FileName).Blob);
            }

            var again = await alice.MigrateImageAsync(source, bundle.ManifestFileName, destination, "EU", timeout: TimeSpan.FromSeconds(30));
            again.State.Should().Be(MigrationState.Complete);
            again.MigrationId.Should().NotBe(caught.MigrationId);
            (await ListAsync(destinationBucket)).Should().BeEquivalentTo(migrated, "the same migration again changes no object, not even its date");
            manifest!.ETag.Should().Be(migrated.Single(o => o.Key == bundle.ManifestFileName).ETag);
        }

        // The bytes, downloaded from eu-west-1: the migrated bundle unbundles there to the disk that was bundled.
        using var http = silo.CreateHttpClient();
        using var euKey = PemKeys.ParsePrivateKey(euKeyPem);
        var resealed = Manifest.Parse(Encoding.UTF8.GetString(await DownloadAsync(http, EuWest1, destination, bundle.ManifestFileName)));
        var output = new MemoryStream();
        await Unbundler.UnbundleAsync(resealed, ManifestVerifier.UnsealForRegion(resealed, euKey, EuWest1), new DownloadedParts(http, destination), output);
        output.ToArray().Should().Equal(disk);
    }

    [Fact]
    public async Task SigKill_WhileCopyImageIsPending_ThenRestart_APendingCopyEndsAvailable_AndADeregisteredOneStaysCancelled()
    {
        await using var silo = await SiloProcess.StartAsync([new("Migrations:PartCopyDelay", PartCopyDelay.ToString())]);
        var source = "bundles-" + Guid.NewGuid().ToString("n")[..12];
        var aliceEu = new Caller(Alice, EuWest1);
        var kept = CopyImageIds.For(aliceEu, Guid.NewGuid().ToString());
        var cancelled = CopyImageIds.For(aliceEu, Guid.NewGuid().ToString());
        BundleResult bundle;
        ImageDescription pending;
        MigrationDescription caught;
        await using (var client = await silo.ConnectClientAsync())
        {
            await client.Grains.GetGrain<IBucketGrain>(source).CreateAsync(Alice, UsEast1);
            (bundle, var parts) = await BundleAsync(client.Grains, SyntheticDiskBytes(seed: 2010));
            await UploadAsync(silo, source, bundle, parts);
            var original = await client.Grains.GetGrain<IImageGrain>(Ec2Ids.NewImageId()).RegisterAsync(
                new RegisterImageRequest(new Caller(Alice, UsEast1), $"{source}/{bundle.ManifestFileName}", "durable-original", null, null));
            foreach (var (imageId, migrationId) in new[] { kept, cancelled })
            {
                await client.Grains.GetGrain<IMigrationGrain>(migrationId).StartCopyImageAsync(
                    new CopyImageRequest(aliceEu, UsEast1, original.ImageId, "durable-copy-" + imageId, "survives a SIGKILL", imageId));
            }

            caught = await UntilAsync(() => client.Grains.GetGrain<IMigrationGrain>(kept.MigrationId).DescribeAsync(Alice), d => d.PartsCopied >= 3 || d.State.IsFinished());
            pending = await client.Grains.GetGrain<IImageGrain>(kept.ImageId).DescribeAsync(aliceEu);
            await client.Grains.GetGrain<IImageGrain>(cancelled.ImageId).DeregisterAsync(aliceEu);
        }

        caught.State.Should().Be(MigrationState.CopyingParts, "the silo must be killed in the middle of the copy");
        pending.State.Should().Be(ImageState.Pending);
        await silo.KillAsync();
        await silo.RestartAsync();

        await using (var client = await silo.ConnectClientAsync())
        {
            var image = client.Grains.GetGrain<IImageGrain>(kept.ImageId);
            var available = await UntilAsync(() => image.DescribeAsync(aliceEu), i => i.State != ImageState.Pending, TimeSpan.FromSeconds(60));
            var copied = await UntilAsync(() => client.Grains.GetGrain<IMigrationGrain>(kept.MigrationId).DescribeAsync(Alice), d => d.State.IsFinished());
            var stopped = await UntilAsync(() => client.Grains.GetGrain<IMigrationGrain>(cancelled.MigrationId).DescribeAsync(Alice), d => d.State.IsFinished());
            var deregistered = await client.Grains.GetGrain<IImageGrain>(cancelled.ImageId).DescribeAsync(aliceEu);
            var listed = await client.Grains.GetGrain<IAccountRegionGrain>(AccountRegionKeys.Format(Alice, EuWest1)).DescribeImagesAsync(new ImageQuery([], ["self"], [], []));
            var launchDisk = await image.ResolveLaunchDiskAsync(aliceEu);
            var copyBucket = client.Grains.GetGrain<IBucketGrain>($"amis-for-{Alice}-in-{EuWest1}");
            var left = await copyBucket.ListObjectsAsync(Alice, new ListObjectsQuery(cancelled.ImageId + "/", null, 1000, null));

            available.Should().BeEquivalentTo(pending with { State = ImageState.Available }, "the copy is the image reserved before the SIGKILL");
            copied.State.Should().Be(MigrationState.Complete);
            copied.PartsCopied.Should().Be(bundle.Parts.Count);
            listed.Should().ContainSingle(i => i.ImageId == kept.ImageId).Which.Should().BeEquivalentTo(available);
            listed.Should().NotContain(i => i.ImageId == cancelled.ImageId);
            launchDisk.Length.Should().Be(1 << 20);
            deregistered.State.Should().Be(ImageState.Deregistered, "a deregistered copy is not reserved again when its migration resumes");
            stopped.State.Should().Be(MigrationState.Failed);
            stopped.Error!.Code.Should().Be(Ec2ErrorCodes.Cancelled);
            left.Objects.Should().BeEmpty();
        }
    }

    private static byte[] SyntheticDiskBytes(int seed)
    {
        using var disk = SyntheticDisk.OpenRead(new SyntheticDiskSpec(1 << 20, seed, DiskPlatform.Windows));
        using var copy = new MemoryStream();
        disk.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>ec2-bundle-image with alice's credentials for us-east-1, in small parts so that the copy has many steps.</summary>
    private static async Task<(BundleResult, MemoryPartStore)> BundleAsync(IGrainFactory grains, byte[] disk)
    {
        var credentials = await grains.GetGrain<IAccountGrain>(Alice).GetSigningCredentialsAsync();
        using var certificate = PemKeys.ParseCertificate(credentials.CertificatePem);
        using var key = PemKeys.ParsePrivateKey(credentials.PrivateKeyPem);
        using var ec2Certificate = PemKeys.ParseCertificate(await grains.GetGrain<IRegionGrain>(UsEast1).GetEc2CertificatePemAsync());
        var parts = new MemoryPartStore();
        var bundle = await new BundleWriter(new BundleOptions
        {
            Prefix = "durable-winami",
            User = Alice,
            UserCertificate = certificate,
            UserPrivateKey = key,
            Ec2Certificate = ec2Certificate,
            PartSize = 12 * 1024,
            MaxDegreeOfParallelism = 1,
        }).WriteAsync(new MemoryStream(disk), parts);
        return (bundle, parts);
    }

    /// <summary>The upload, as ec2-upload-bundle made it: signed S3 PUTs of the parts, then of the manifest.</summary>
    private static async Task UploadAsync(SiloProcess silo, string bucket, BundleResult bundle, MemoryPartStore parts)
    {
        using var http = silo.CreateHttpClient();
        foreach (var part in bundle.Parts)
        {
            (await S3Async(http, HttpMethod.Put, UsEast1, bucket, part.FileName, parts.Parts[part.FileName])).EnsureSuccessStatusCode();
        }

        (await S3Async(http, HttpMethod.Put, UsEast1, bucket, bundle.ManifestFileName, Encoding.UTF8.GetBytes(bundle.ManifestXml))).EnsureSuccessStatusCode();
    }

    private static async Task<byte[]> DownloadAsync(HttpClient http, string region, string bucket, string key)
    {
        using var response = await S3Async(http, HttpMethod.Get, region, bucket, key, null);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>A path-style S3 request signed with SigV4 as alice (the payload's SHA-256 in x-amz-content-sha256).</summary>
    private static Task<HttpResponseMessage> S3Async(HttpClient http, HttpMethod method, string region, string bucket, string key, byte[]? body)
    {
        var uri = new Uri(http.BaseAddress!, $"/{bucket}/{key}");
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        var amzDate = SigV4.FormatAmzDate(DateTimeOffset.UtcNow);
        var date = amzDate[..8];
        var payloadHash = SigV4.HexSha256(body ?? []);
        List<KeyValuePair<string, string>> headers =
        [
            new("host", $"{uri.Host}:{uri.Port}"),
            new("x-amz-content-sha256", payloadHash),
            new("x-amz-date", amzDate),
        ];
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        var canonical = SigV4.CanonicalRequest(method.Method, SigV4.CanonicalUri(uri.AbsolutePath, isS3: true), "", headers, payloadHash);
        var scope = $"{date}/{region}/s3/aws4_request";
        var signature = SigV4.Sign(SigV4.SigningKey(AliceSecret, date, region, "s3"), SigV4.StringToSign(amzDate, scope, canonical));
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            $"AWS4-HMAC-SHA256 Credential={AliceKey}/{scope}, SignedHeaders={string.Join(';', headers.Select(h => h.Key))}, Signature={signature}");
        return http.SendAsync(request);
    }

    private static async Task<S3ObjectInfo?> FindAsync(IBucketGrain bucket, string key)
    {
        try
        {
            return await bucket.GetObjectAsync(Alice, key);
        }
        catch (Ec2Exception e) when (e.Code is Ec2ErrorCodes.NoSuchKey or Ec2ErrorCodes.NoSuchBucket)
        {
            return null;
        }
    }

    private static async Task<List<S3ObjectInfo>> ListAsync(IBucketGrain bucket)
        => [.. (await bucket.ListObjectsAsync(Alice, new ListObjectsQuery(null, null, 1000, null))).Objects];

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"Still {value} after {limit}.");
            }

            await Task.Delay(10);
        }
    }

    private sealed class DownloadedParts(HttpClient http, string bucket) : IPartSource
    {
        public async Task<Stream> OpenPartAsync(string fileName, CancellationToken cancellationToken)
            => new MemoryStream(await DownloadAsync(http, EuWest1, bucket, fileName));
    }
}

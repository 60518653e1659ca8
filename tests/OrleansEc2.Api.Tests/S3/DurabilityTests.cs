using System.Collections.Concurrent;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Testing;
using Xunit.Abstractions;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>The real silo process on SQLite, killed with SIGKILL in the middle of a stream of S3 uploads.</summary>
public sealed class DurabilityTests(ITestOutputHelper output)
{
    private const int Uploaders = 4;
    private const int AcknowledgedBeforeTheKill = 40;

    [Fact]
    public async Task SigKill_DuringUploads_EveryAcknowledgedObjectReadsBackAndNoTornObjectIsListed()
    {
        await using var silo = await SiloProcess.StartAsync();
        var bucket = S3TestKit.UniqueBucket("durable");
        var acknowledged = new ConcurrentDictionary<string, byte[]>();
        var attempted = new ConcurrentDictionary<string, byte[]>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var killing = 0;

        using (var s3 = Client(silo))
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
            var uploaders = Enumerable.Range(0, Uploaders).Select(u => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"u{u}/object-{i:D5}";
                    var content = ContentOf(key);
                    attempted[key] = content;
                    try
                    {
                        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(content) }, stop.Token);
                    }
                    catch (Exception) when (Volatile.Read(ref killing) == 1)
                    {
                        return;
                    }

                    acknowledged[key] = content;
                    if (acknowledged.Count >= AcknowledgedBeforeTheKill)
                    {
                        enough.TrySetResult();
                    }
                }
            })).ToList();

            await enough.Task.WaitAsync(TimeSpan.FromMinutes(2));
            Volatile.Write(ref killing, 1);
            await silo.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(uploaders);
        }

        await silo.RestartAsync();

        using var after = Client(silo);
        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await after.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = token });
            listed.AddRange(page.S3Objects?.Select(o => o.Key) ?? []);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);

        output.WriteLine($"acknowledged {acknowledged.Count}, sent {attempted.Count}, listed after the restart {listed.Count}");
        acknowledged.Count.Should().BeGreaterThanOrEqualTo(AcknowledgedBeforeTheKill);
        listed.Should().Contain(acknowledged.Keys, "every upload the silo acknowledged must survive the kill");

        // An upload in flight at the kill may or may not have been recorded before it; either way it is whole.
        listed.Should().OnlyContain(key => attempted.ContainsKey(key), "nothing that was never sent can appear");
        foreach (var key in listed)
        {
            using var got = await after.GetObjectAsync(bucket, key);
            using var body = new MemoryStream();
            await got.ResponseStream.CopyToAsync(body);
            body.ToArray().Should().Equal(attempted[key], $"{key} must read back byte-exact");
        }
    }

    private static AmazonS3Client Client(SiloProcess silo) =>
        new(new BasicAWSCredentials(ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret), new AmazonS3Config
        {
            ServiceURL = silo.BaseUrl,
            ForcePathStyle = true,
            AuthenticationRegion = ApiSiloFixture.UsEast1,
            MaxErrorRetry = 0,
        });

    /// <summary>Each key's own bytes (16 KiB to 400 KiB), so a torn or swapped object cannot pass for another.</summary>
    private static byte[] ContentOf(string key)
    {
        var seed = BitConverter.ToInt32(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        var random = new Random(seed);
        var content = new byte[random.Next(16 * 1024, 400 * 1024)];
        random.NextBytes(content);
        return content;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Client;
using Xunit.Abstractions;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>A silo of its own, alone on the machine while it runs, so that what the process allocates is this upload's.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostObjectStreamingCollection : ICollectionFixture<ApiSiloFixture>
{
    public const string Name = "api-silo-post-streaming";
}

/// <summary>A large POST Object streams from the form into the blob store: the file is never held whole in memory.</summary>
[Collection(PostObjectStreamingCollection.Name)]
public sealed class PostObjectStreamingTests(ApiSiloFixture silo, ITestOutputHelper output)
{
    private const long FileLength = 50L * 1024 * 1024;

    [Fact]
    public async Task UploadPolicy_A50MiBFile_StreamsIntoTheBucket_AllocatingAFractionOfIt()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post-big");
        var policy = UploadPolicies.Build(bucket, "big", silo.Time.GetUtcNow().AddHours(24));
        var generated = new GeneratedStream(FileLength, seed: 50);
        var form = PostForm.UploadPolicy(policy, "big.part.00", []);
        form.File = new StreamContent(generated, 64 * 1024);
        form.File.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        // Warm the path (JIT, pools) with a small upload, so that what is measured is what the size costs.
        (await PostForm.UploadPolicy(policy, "big.warm", Bytes(100_000, 1)).PostAsync(http, silo.BaseUri, bucket)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var workingSetBefore = Process.GetCurrentProcess().WorkingSet64;
        var watch = Stopwatch.StartNew();

        var response = await form.PostAsync(http, silo.BaseUri, bucket);

        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var workingSetGrowth = Process.GetCurrentProcess().WorkingSet64 - workingSetBefore;
        output.WriteLine($"{FileLength / 1048576} MiB posted in {watch.Elapsed.TotalSeconds:0.00} s ({FileLength / 1048576.0 / watch.Elapsed.TotalSeconds:0} MiB/s); "
            + $"allocated {allocated / 1048576.0:0.0} MiB in the process (client and silo), working set grew {workingSetGrowth / 1048576.0:0.0} MiB");
        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        response.Headers.ETag!.Tag.Should().Be($"\"{generated.Md5Hex}\"");
        allocated.Should().BeLessThan(FileLength / 5, "the file streams through fixed buffers; buffering it would allocate at least its size");
        var head = await s3.GetObjectMetadataAsync(bucket, "big.part.00");
        head.ContentLength.Should().Be(FileLength);
        head.ETag.Should().Be($"\"{generated.Md5Hex}\"");
    }

    /// <summary>Pseudo-random bytes of a given length, made as they are read, their MD5 computed on the way.</summary>
    private sealed class GeneratedStream(long length, int seed) : Stream
    {
        private readonly Random _random = new(seed);
        private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        private long _position;
        private string? _md5Hex;

        public string Md5Hex => _md5Hex ?? throw new InvalidOperationException("The stream has not been read to its end.");

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, length - _position);
            if (count == 0)
            {
                _md5Hex ??= Convert.ToHexStringLower(_md5.GetHashAndReset());
                return 0;
            }

            _random.NextBytes(buffer[..count]);
            _md5.AppendData(buffer[..count]);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _md5.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

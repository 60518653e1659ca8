using System.Security.Cryptography;

namespace OrleansEc2.Bundling.Tests;

public class BundleRoundTripTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096 * 3)]
    [InlineData(300_000)]
    public async Task Unbundle_OfABundle_GivesBackExactlyTheImage(int imageSize)
    {
        var image = TestImages.Create(imageSize);
        var (result, parts) = await Bundles.BundleAsync(image);

        var key = ManifestVerifier.UnsealForRegion(result.Manifest, TestIdentity.UsEast1.PrivateKey, "us-east-1");
        var unbundled = await Bundles.UnbundleAsync(result.Manifest, key, parts);

        unbundled.Should().Equal(image);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(7)]
    public async Task Unbundle_OfPartsThatSplitAesBlocks_GivesBackTheImage(int partSize)
    {
        var image = RandomNumberGenerator.GetBytes(20_000);
        var (result, parts) = await Bundles.BundleAsync(image, Bundles.Options(partSize: partSize));

        result.Parts.Take(result.Parts.Count - 1).Should().OnlyContain(p => p.Size == partSize);
        var key = ManifestVerifier.UnsealForUser(result.Manifest, TestIdentity.User.PrivateKey);
        (await Bundles.UnbundleAsync(result.Manifest, key, parts)).Should().Equal(image);
    }

    [Fact]
    public async Task Bundle_OfAnImageWhoseCiphertextFillsEveryPart_HasNoEmptyLastPart()
    {
        // AES output is always a multiple of 16 bytes, so 16-byte parts are all full.
        var image = TestImages.Create(5000);
        var (result, parts) = await Bundles.BundleAsync(image, Bundles.Options(partSize: 16));

        result.Parts.Should().OnlyContain(p => p.Size == 16);
        result.Manifest.BundledSize.Should().Be(16L * result.Parts.Count);
        var key = ManifestVerifier.UnsealForUser(result.Manifest, TestIdentity.User.PrivateKey);
        (await Bundles.UnbundleAsync(result.Manifest, key, parts)).Should().Equal(image);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Bundle_WithAnyNumberOfCompressionWorkers_UnbundlesToTheImage(int workers)
    {
        var image = TestImages.Create(700_000, seed: workers);
        var options = Bundles.Options(partSize: 50_000);
        var (result, parts) = await Bundles.BundleAsync(image, new BundleOptions
        {
            Prefix = options.Prefix,
            User = options.User,
            UserCertificate = options.UserCertificate,
            UserPrivateKey = options.UserPrivateKey,
            Ec2Certificate = options.Ec2Certificate,
            PartSize = options.PartSize,
            CompressionBlockSize = 64 * 1024,
            MaxDegreeOfParallelism = workers,
        });

        var key = ManifestVerifier.UnsealForUser(result.Manifest, TestIdentity.User.PrivateKey);
        (await Bundles.UnbundleAsync(result.Manifest, key, parts)).Should().Equal(image);
    }

    [Fact]
    public async Task Bundle_WritesPartsInOrderWithTheirSha1AndSizes_AndTheManifestListsThem()
    {
        var image = TestImages.Create(200_000);
        var sink = new RecordingSink();

        var result = await new BundleWriter(Bundles.Options(partSize: 10_000)).WriteAsync(new MemoryStream(image), sink);

        sink.Parts.Select(p => p.Part.Index).Should().Equal(Enumerable.Range(0, sink.Parts.Count));
        sink.Parts.Should().HaveCountGreaterThan(2);
        foreach (var (part, bytes) in sink.Parts)
        {
            part.FileName.Should().Be($"winami.part.{part.Index:D2}");
            part.Size.Should().Be(bytes.Length);
            part.Digest.Should().Be(Convert.ToHexStringLower(SHA1.HashData(bytes)));
        }

        sink.Parts.Take(sink.Parts.Count - 1).Should().OnlyContain(p => p.Bytes.Length == 10_000);
        result.Parts.Should().Equal(sink.Parts.Select(p => p.Part));
        result.Manifest.Parts.Should().Equal(sink.Parts.Select(p => new ManifestPart(p.Part.Index, p.Part.FileName, p.Part.Digest)));
        result.Manifest.BundledSize.Should().Be(sink.Parts.Sum(p => p.Bytes.Length));
        result.Manifest.Size.Should().Be(image.Length);
        result.Manifest.Name.Should().Be("winami");
        result.Manifest.User.Should().Be("111122223333");
        result.Manifest.Architecture.Should().Be("x86_64");
        result.ManifestFileName.Should().Be("winami.manifest.xml");
    }

    [Fact]
    public async Task PartContent_AsStream_ReadsThePartsBytes()
    {
        var sink = new StreamingSink();

        await new BundleWriter(Bundles.Options(partSize: 5000)).WriteAsync(new MemoryStream(TestImages.Create(100_000)), sink);

        sink.Parts.Should().HaveCountGreaterThan(1);
        sink.Parts.Should().OnlyContain(p => Convert.ToHexStringLower(SHA1.HashData(p.Bytes)) == p.Part.Digest);
    }

    [Fact]
    public async Task Bundle_OfMoreThanAHundredParts_NamesEveryPartWithThreeDigits()
    {
        var image = RandomNumberGenerator.GetBytes(200_000);

        var (result, _) = await Bundles.BundleAsync(image, Bundles.Options(partSize: 1024));

        result.Parts.Should().HaveCountGreaterThan(100);
        result.Parts[0].FileName.Should().Be("winami.part.000");
        result.Parts[^1].FileName.Should().Be($"winami.part.{result.Parts.Count - 1:D3}");
    }

    [Fact]
    public async Task Bundle_OfANonSeekableStream_UsesTheAnnouncedLength()
    {
        var image = TestImages.Create(100_000);
        var options = Bundles.Options();
        var parts = new MemoryPartStore();

        var result = await new BundleWriter(WithImageLength(options, image.Length)).WriteAsync(new NonSeekableStream(image), parts);

        var key = ManifestVerifier.UnsealForUser(result.Manifest, TestIdentity.User.PrivateKey);
        (await Bundles.UnbundleAsync(result.Manifest, key, parts)).Should().Equal(image);
    }

    [Fact]
    public async Task Bundle_OfAStreamWithNeitherSeekNorLength_AsksForTheImageLength()
    {
        var act = () => new BundleWriter(Bundles.Options()).WriteAsync(new NonSeekableStream(new byte[10]), new MemoryPartStore());

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().StartWith(
            "The image stream can neither seek nor tell its length, so the length must be given in BundleOptions.ImageLength.");
    }

    [Fact]
    public async Task Bundle_OfAStreamShorterThanAnnounced_FailsWithInvalidImage()
    {
        var image = TestImages.Create(100_000);

        var act = () => new BundleWriter(WithImageLength(Bundles.Options(), 150_000)).WriteAsync(new NonSeekableStream(image), new MemoryPartStore());

        (await act.Should().ThrowAsync<BundleException>())
            .Which.Should().Match<BundleException>(e => e.Error == BundleError.InvalidImage
                && e.Message == "The image stream ended after 100000 bytes; 150000 were announced.");
    }

    [Fact]
    public async Task Bundle_OfAStreamLongerThanAnnounced_FailsWithInvalidImage()
    {
        var image = TestImages.Create(100_000);

        var act = () => new BundleWriter(WithImageLength(Bundles.Options(), 99_000)).WriteAsync(new NonSeekableStream(image), new MemoryPartStore());

        (await act.Should().ThrowAsync<BundleException>())
            .Which.Message.Should().Be("The image stream is longer than the 99000 bytes announced.");
    }

    [Fact]
    public async Task Bundle_WhenTheSinkFails_FailsWithTheSinksError()
    {
        var act = () => new BundleWriter(Bundles.Options()).WriteAsync(new MemoryStream(TestImages.Create(100_000)), new FailingSink());

        (await act.Should().ThrowAsync<IOException>()).WithMessage("disk full");
    }

    [Fact]
    public async Task Bundle_WhenCancelled_StopsWithOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        var sink = new CancellingSink(cancellation);

        var act = () => new BundleWriter(Bundles.Options()).WriteAsync(new MemoryStream(TestImages.Create(400_000)), sink, cancellationToken: cancellation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        sink.PartsSeen.Should().Be(1);
    }

    [Fact]
    public async Task Bundle_ReportsProgressUpToTheWholeImage()
    {
        var image = TestImages.Create(300_000);
        var reports = new List<BundleProgress>();
        var progress = new SynchronousProgress<BundleProgress>(reports.Add);

        var result = await new BundleWriter(Bundles.Options(partSize: 20_000)).WriteAsync(new MemoryStream(image), new MemoryPartStore(), progress);

        reports.Should().NotBeEmpty();
        reports.Should().OnlyContain(r => r.ImageSize == image.Length && r.BytesRead <= image.Length);
        reports.Max(r => r.BytesRead).Should().Be(image.Length);
        reports.Max(r => r.PartsWritten).Should().Be(result.Parts.Count);
        reports.Max(r => r.BundledBytes).Should().Be(result.Manifest.BundledSize);
    }

    [Fact]
    public async Task Bundle_OfTheSameImageWithTheSameKey_IsTheSameBytes()
    {
        var image = TestImages.Create(150_000);
        var key = BundleKey.CreateRandom();
        var options = Bundles.Options();
        var first = await Bundles.BundleAsync(image, WithKey(options, key));
        var second = await Bundles.BundleAsync(image, WithKey(options, key));

        second.Result.Parts.Should().Equal(first.Result.Parts);
        second.Result.Manifest.Digest.Should().Be(first.Result.Manifest.Digest);
    }

    [Fact]
    public async Task Bundle_OfAnImageCompressedInOneBlockOrMany_HasTheSameImageDigest()
    {
        var image = TestImages.Create(500_000);
        var manyBlocks = await Bundles.BundleAsync(image);
        var oneBlock = await Bundles.BundleAsync(image, WithBlockSize(Bundles.Options(), 1024 * 1024));

        oneBlock.Result.Manifest.Digest.Should().Be(manyBlocks.Result.Manifest.Digest);
    }

    private static BundleOptions WithImageLength(BundleOptions o, long length) => Copy(o, imageLength: length);

    private static BundleOptions WithKey(BundleOptions o, BundleKey key) => Copy(o, key: key);

    private static BundleOptions WithBlockSize(BundleOptions o, int blockSize) => Copy(o, blockSize: blockSize);

    private static BundleOptions Copy(BundleOptions o, long? imageLength = null, BundleKey? key = null, int? blockSize = null) => new()
    {
        Prefix = o.Prefix,
        User = o.User,
        UserCertificate = o.UserCertificate,
        UserPrivateKey = o.UserPrivateKey,
        Ec2Certificate = o.Ec2Certificate,
        PartSize = o.PartSize,
        CompressionBlockSize = blockSize ?? o.CompressionBlockSize,
        ModificationTime = o.ModificationTime,
        ImageLength = imageLength ?? o.ImageLength,
        Key = key ?? o.Key,
    };

    private sealed class RecordingSink : IPartSink
    {
        public List<(BundlePart Part, byte[] Bytes)> Parts { get; } = [];

        public Task WritePartAsync(BundlePart part, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            Parts.Add((part, content.ToArray()));
            return Task.CompletedTask;
        }
    }

    private sealed class StreamingSink : IPartSink
    {
        public List<(BundlePart Part, byte[] Bytes)> Parts { get; } = [];

        public async Task WritePartAsync(BundlePart part, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            await using var stream = PartContent.AsStream(content);
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancellationToken);
            Parts.Add((part, copy.ToArray()));
        }
    }

    private sealed class FailingSink : IPartSink
    {
        public Task WritePartAsync(BundlePart part, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
            throw new IOException("disk full");
    }

    private sealed class CancellingSink(CancellationTokenSource cancellation) : IPartSink
    {
        public int PartsSeen { get; private set; }

        public Task WritePartAsync(BundlePart part, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            PartsSeen++;
            cancellation.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly object _lock = new();

        public void Report(T value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }
}

/// <summary>A read-only stream that cannot seek, as a network body is.</summary>
public sealed class NonSeekableStream(byte[] content) : Stream
{
    private readonly MemoryStream _inner = new(content, writable: false);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

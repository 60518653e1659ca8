using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using OrleansEc2.Grains.Blobs;

namespace OrleansEc2.Grains.Tests.Blobs;

public sealed class FileBlobStoreTests : IDisposable
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromHours(1);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-ec2-blob-tests", Guid.NewGuid().ToString("n"));

    // Starts at the real time so that files the OS stamps (temporary files) and blobs the store stamps agree.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private FileBlobStore _store;

    public FileBlobStoreTests()
    {
        _store = Open();
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Put_ReturnsSha256Md5AndLength_AndReadsBackByteExact()
    {
        var bytes = TestBytes.Random((3 * 1024 * 1024) + 17, seed: 1);

        var blob = await _store.PutAsync(new MemoryStream(bytes));

        blob.Should().Be(new BlobInfo(Sha256Hex(bytes), bytes.Length, Md5Hex(bytes)));
        (await ReadAllAsync(blob.Hash)).Should().Equal(bytes);
    }

    [Fact]
    public async Task Put_FromAStreamThatTricklesSmallReads_StoresEveryByteInOrder()
    {
        var bytes = TestBytes.Random((2 * 1024 * 1024) + 4321, seed: 2);

        var blob = await _store.PutAsync(new TrickleStream(bytes, maxRead: 7000));

        blob.Hash.Should().Be(Sha256Hex(bytes));
        (await ReadAllAsync(blob.Hash)).Should().Equal(bytes);
    }

    [Fact]
    public async Task Put_EmptyStream_StoresTheEmptyBlob()
    {
        var blob = await _store.PutAsync(new MemoryStream());

        blob.Should().Be(new BlobInfo(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            0,
            "d41d8cd98f00b204e9800998ecf8427e"));
        _store.Exists(blob.Hash).Should().BeTrue();
    }

    [Fact]
    public async Task Put_StoresTheBlobUnderTwoFanOutDirectoriesNamedByItsHash()
    {
        var blob = await _store.PutAsync(new MemoryStream(TestBytes.Random(1000, seed: 3)));

        File.Exists(Path.Combine(_directory, blob.Hash[..2], blob.Hash[2..4], blob.Hash)).Should().BeTrue();
        Directory.EnumerateFiles(_store.TemporaryDirectory).Should().BeEmpty();
    }

    [Fact]
    public async Task Put_SameBytesTwice_KeepsOneFile()
    {
        var bytes = TestBytes.Random(5000, seed: 4);

        var first = await _store.PutAsync(new MemoryStream(bytes));
        var second = await _store.PutAsync(new MemoryStream(bytes));

        second.Should().Be(first);
        Directory.EnumerateFiles(Path.Combine(_directory, first.Hash[..2], first.Hash[2..4])).Should().ContainSingle();
        Directory.EnumerateFiles(_store.TemporaryDirectory).Should().BeEmpty();
    }

    [Fact]
    public async Task Put_WhenTheSourceFailsMidway_LeavesNoBlobAndNoTemporaryFile()
    {
        var bytes = TestBytes.Random(4 * 1024 * 1024, seed: 5);
        var source = new TrickleStream(bytes, maxRead: 256 * 1024, failAfter: 2 * 1024 * 1024);

        var put = () => _store.PutAsync(source);

        await put.Should().ThrowAsync<IOException>().WithMessage("The connection was reset.");
        Directory.EnumerateFiles(_store.TemporaryDirectory).Should().BeEmpty();
        BlobFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task OpenRead_IsSeekable()
    {
        var bytes = TestBytes.Random(3 * 1024 * 1024, seed: 6);
        var blob = await _store.PutAsync(new MemoryStream(bytes));

        await using var stream = _store.OpenRead(blob.Hash);
        stream.CanSeek.Should().BeTrue();
        stream.Length.Should().Be(bytes.Length);
        stream.Seek(2_000_000, SeekOrigin.Begin);
        var slice = new byte[1000];
        await stream.ReadExactlyAsync(slice);

        slice.Should().Equal(bytes.AsSpan(2_000_000, 1000).ToArray());
    }

    [Fact]
    public void OpenRead_OfABlobNotStored_ThrowsFileNotFound()
    {
        var hash = new string('a', 64);

        var open = () => _store.OpenRead(hash);

        open.Should().Throw<FileNotFoundException>();
        _store.Exists(hash).Should().BeFalse();
    }

    [Fact]
    public async Task CommitTemporaryFile_HashesTheFileAndMovesItIntoTheStore()
    {
        var bytes = TestBytes.Random((1024 * 1024) + 3, seed: 7);
        var path = _store.NewTemporaryPath();
        await File.WriteAllBytesAsync(path, bytes);

        var blob = await _store.CommitTemporaryFileAsync(path);

        blob.Should().Be(new BlobInfo(Sha256Hex(bytes), bytes.Length, Md5Hex(bytes)));
        File.Exists(path).Should().BeFalse();
        (await ReadAllAsync(blob.Hash)).Should().Equal(bytes);
    }

    [Fact]
    public async Task CommitTemporaryFile_OutsideTheStore_IsRefused()
    {
        var outside = Path.Combine(_directory, "elsewhere.tmp");
        await File.WriteAllBytesAsync(outside, [1, 2, 3]);

        var commit = () => _store.CommitTemporaryFileAsync(outside);

        await commit.Should().ThrowAsync<ArgumentException>();
        File.Exists(outside).Should().BeTrue();
    }

    [Fact]
    public async Task TemporaryFileLeftByACrash_IsNeverVisible_AndIsSweptAtStartUp()
    {
        var bytes = TestBytes.Random(2 * 1024 * 1024, seed: 8);
        var half = bytes.AsSpan(0, bytes.Length / 2).ToArray();
        var path = _store.NewTemporaryPath();
        await File.WriteAllBytesAsync(path, half);

        _store.Exists(Sha256Hex(bytes)).Should().BeFalse();
        _store.Exists(Sha256Hex(half)).Should().BeFalse();
        BlobFiles().Should().BeEmpty();

        _store.Dispose();
        _store = Open();

        File.Exists(path).Should().BeFalse();
        Directory.EnumerateFiles(_store.TemporaryDirectory).Should().BeEmpty();
    }

    [Fact]
    public async Task ListReferences_ByHolderPrefix_GivesExactlyTheHoldersThatBeginWithIt()
    {
        var blob = await _store.PutAsync(new MemoryStream([1, 2, 3]));
        string[] holders = ["object:b/k", "object:b/", "object:b/ü/k", "object:b0", "object:b-x/k", "object:b", "object:a/k", "part:b/u/1"];
        foreach (var holder in holders)
        {
            await _store.AddReferenceAsync(blob.Hash, holder);
        }

        var underB = await _store.ListReferencesAsync("object:b/");
        var underAccented = await _store.ListReferencesAsync("object:b/ü");

        underB.Select(r => r.Holder).Should().Equal("object:b/", "object:b/k", "object:b/ü/k");
        underB.Should().OnlyContain(r => r.Hash == blob.Hash);
        underAccented.Select(r => r.Holder).Should().Equal("object:b/ü/k");
    }

    [Fact]
    public async Task CollectGarbage_DeletesUnreferencedBlobsPastTheGracePeriod_AndKeepsReferencedOnes()
    {
        var kept = await _store.PutAsync(new MemoryStream(TestBytes.Random(1000, seed: 9)));
        var dropped = await _store.PutAsync(new MemoryStream(TestBytes.Random(1000, seed: 10)));
        await _store.AddReferenceAsync(kept.Hash, "object:bucket/kept");
        _time.Advance(GracePeriod + TimeSpan.FromSeconds(1));

        var deleted = await _store.CollectGarbageAsync();

        deleted.Should().Be(1);
        _store.Exists(kept.Hash).Should().BeTrue();
        _store.Exists(dropped.Hash).Should().BeFalse();
    }

    [Fact]
    public async Task CollectGarbage_KeepsAnUnreferencedBlobWithinTheGracePeriod()
    {
        var blob = await _store.PutAsync(new MemoryStream(TestBytes.Random(1000, seed: 11)));
        _time.Advance(GracePeriod - TimeSpan.FromMinutes(1));

        var deleted = await _store.CollectGarbageAsync();

        deleted.Should().Be(0);
        _store.Exists(blob.Hash).Should().BeTrue();
    }

    [Fact]
    public async Task CollectGarbage_KeepsABlobUntilItsLastHolderLetsGo()
    {
        var blob = await _store.PutAsync(new MemoryStream(TestBytes.Random(1000, seed: 12)));
        await _store.AddReferenceAsync(blob.Hash, "object:a/one");
        await _store.AddReferenceAsync(blob.Hash, "object:b/two");
        _time.Advance(GracePeriod * 2);

        await _store.RemoveReferenceAsync(blob.Hash, "object:a/one");
        var whileHeld = await _store.CollectGarbageAsync();
        await _store.RemoveReferenceAsync(blob.Hash, "object:b/two");
        var afterRelease = await _store.CollectGarbageAsync();

        whileHeld.Should().Be(0);
        afterRelease.Should().Be(1);
        _store.Exists(blob.Hash).Should().BeFalse();
    }

    [Fact]
    public async Task Put_OfBytesAlreadyStored_RenewsTheirGracePeriod()
    {
        var bytes = TestBytes.Random(1000, seed: 13);
        var blob = await _store.PutAsync(new MemoryStream(bytes));
        _time.Advance(GracePeriod * 2);

        await _store.PutAsync(new MemoryStream(bytes));
        var deleted = await _store.CollectGarbageAsync();

        deleted.Should().Be(0);
        _store.Exists(blob.Hash).Should().BeTrue();
    }

    [Fact]
    public async Task References_AreDurable_AcrossAReopenOfTheStore()
    {
        var blob = await _store.PutAsync(new MemoryStream(TestBytes.Random(1000, seed: 14)));
        await _store.AddReferenceAsync(blob.Hash, "part:bucket/upload/1");
        await _store.AddReferenceAsync(blob.Hash, "object:bucket/key");

        _store.Dispose();
        _store = Open();
        _time.Advance(GracePeriod * 2);
        var deleted = await _store.CollectGarbageAsync();

        deleted.Should().Be(0);
        (await _store.GetHoldersAsync(blob.Hash)).Should().Equal("object:bucket/key", "part:bucket/upload/1");
    }

    [Fact]
    public async Task AddReference_ToABlobNotStored_ThrowsFileNotFound()
    {
        var add = () => _store.AddReferenceAsync(new string('b', 64), "object:bucket/key");

        await add.Should().ThrowAsync<FileNotFoundException>();
    }

    [Fact]
    public async Task CollectGarbage_SweepsTemporaryFilesAbandonedPastTheGracePeriod()
    {
        var abandoned = _store.NewTemporaryPath();
        await File.WriteAllBytesAsync(abandoned, [1, 2, 3]);
        _time.Advance(GracePeriod + TimeSpan.FromMinutes(1));
        var fresh = _store.NewTemporaryPath();
        await File.WriteAllBytesAsync(fresh, [4, 5, 6]);
        File.SetLastWriteTimeUtc(fresh, _time.GetUtcNow().UtcDateTime);

        await _store.CollectGarbageAsync();

        File.Exists(abandoned).Should().BeFalse();
        File.Exists(fresh).Should().BeTrue();
    }

    [Fact]
    public async Task ConcatenatedBlobStream_ReadsBlobsOneAfterAnother()
    {
        var first = TestBytes.Random(1_500_000, seed: 15);
        var second = TestBytes.Random(10, seed: 16);
        var third = TestBytes.Random(700_000, seed: 17);
        var hashes = new List<string>();
        foreach (var bytes in new[] { first, second, third })
        {
            hashes.Add((await _store.PutAsync(new MemoryStream(bytes))).Hash);
        }

        await using var concatenated = new ConcatenatedBlobStream(_store, hashes);
        var blob = await _store.PutAsync(concatenated);

        (await ReadAllAsync(blob.Hash)).Should().Equal([.. first, .. second, .. third]);
    }

    private FileBlobStore Open() => new(_directory, GracePeriod, _time);

    private IEnumerable<string> BlobFiles() =>
        Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).Length == 64);

    private async Task<byte[]> ReadAllAsync(string hash)
    {
        await using var stream = _store.OpenRead(hash);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string Md5Hex(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));
}

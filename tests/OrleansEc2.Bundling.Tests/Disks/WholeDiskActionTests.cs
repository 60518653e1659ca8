using OrleansEc2.Bundling.Disks;
using Xunit.Abstractions;

namespace OrleansEc2.Bundling.Tests.Disks;

public sealed class WholeDiskActionTests(ITestOutputHelper output)
{
    [Fact]
    public void Defragment_KeepsEveryFileAndLeavesNoFragments()
    {
        var stream = DiskTestKit.Synthetic(seed: 12);
        var disk = DiskImage.Open(stream);
        var before = disk.GetUsage();
        var contents = disk.ListFiles().ToDictionary(f => f.Path, f => DiskTestKit.Sha256(disk.ReadFile(f.Path)));

        var moved = disk.Defragment();

        before.FragmentedFileCount.Should().BeGreaterThan(0);
        moved.Should().BeGreaterThan(0);
        var reopened = DiskImage.Open(stream);
        var after = reopened.GetUsage();
        after.FragmentedFileCount.Should().Be(0);
        after.FragmentedFilesPercent.Should().BeLessThan(before.FragmentedFilesPercent);
        after.UsedBytes.Should().Be(before.UsedBytes);
        reopened.ListFiles().ToDictionary(f => f.Path, f => DiskTestKit.Sha256(reopened.ReadFile(f.Path)))
            .Should().Equal(contents);
    }

    [Fact]
    public void Defragment_PacksFilesSoFreeSpaceIsOneRunAtTheEnd()
    {
        var stream = DiskTestKit.Synthetic(seed: 12);

        DiskImage.Open(stream).Defragment();

        var free = DiskTestKit.FreeDataBlocks(stream);
        free.Should().Equal(Enumerable.Range(free[0], free.Count));
        free[^1].Should().Be((int)(stream.Length / 4096) - 1);
    }

    [Fact]
    public void Defragment_AFullDiskWithNoFreeBlock_StillKeepsEveryFile()
    {
        var (stream, disk) = DiskTestKit.Empty();
        for (var i = 0; i < 60; i++)
        {
            disk.WriteFile($@"C:\f{i}.bin", DiskTestKit.Pattern(i, (1 + i % 3) * 4096));
        }

        for (var i = 0; i < 60; i += 3)
        {
            disk.DeleteFile($@"C:\f{i}.bin");
        }

        disk.WriteFile(@"C:\rest.bin", DiskTestKit.Pattern(1000, (int)disk.GetUsage().FreeBytes));
        disk.GetUsage().FreeBytes.Should().Be(0);
        var contents = disk.ListFiles().ToDictionary(f => f.Path, f => DiskTestKit.Sha256(disk.ReadFile(f.Path)));

        disk.Defragment();

        var reopened = DiskImage.Open(stream);
        reopened.GetUsage().FragmentedFileCount.Should().Be(0);
        reopened.ListFiles().ToDictionary(f => f.Path, f => DiskTestKit.Sha256(reopened.ReadFile(f.Path))).Should().Equal(contents);
    }

    [Fact]
    public void Defragment_AlreadyDefragmented_MovesNothing()
    {
        var stream = DiskTestKit.Synthetic(seed: 12);
        DiskImage.Open(stream).Defragment();
        var before = DiskTestKit.Sha256(stream);

        var moved = DiskImage.Open(stream).Defragment();

        moved.Should().Be(0);
        DiskTestKit.Sha256(stream).Should().Be(before);
    }

    [Fact]
    public void ZeroFreeSpace_ZeroesEveryFreeByteAndKeepsEveryFile()
    {
        var stream = DiskTestKit.Synthetic(seed: 13);
        var disk = DiskImage.Open(stream);
        var contents = disk.ListFiles().ToDictionary(f => f.Path, f => DiskTestKit.Sha256(disk.ReadFile(f.Path)));

        var zeroed = disk.ZeroFreeSpace();

        var free = DiskTestKit.FreeDataBlocks(stream);
        zeroed.Should().Be(free.Count * 4096L).And.Be(disk.GetUsage().FreeBytes);
        free.Where(b => DiskTestKit.Block(stream, b).Any(x => x != 0)).Should().BeEmpty();
        var reopened = DiskImage.Open(stream);
        reopened.ListFiles().ToDictionary(f => f.Path, f => DiskTestKit.Sha256(reopened.ReadFile(f.Path))).Should().Equal(contents);
    }

    [Fact]
    public void ZeroFreeSpace_MakesTheDiskCompressMeasurablySmaller()
    {
        var stream = DiskTestKit.Synthetic(seed: 14);
        var before = DiskTestKit.GzipSize(stream);

        DiskImage.Open(stream).ZeroFreeSpace();

        var after = DiskTestKit.GzipSize(stream);
        var saving = 1.0 - (double)after / before;
        var numbers = $"gzip -6 of the {stream.Length}-byte disk: {before} bytes before sdelete -c, {after} after ({saving:P1} smaller)";
        output.WriteLine(numbers);
        saving.Should().BeGreaterThanOrEqualTo(0.10, numbers);
    }

    [Fact]
    public void DiskCleanupThenZeroFreeSpace_ShrinksTheDiskMoreThanZeroingAlone()
    {
        var zeroOnly = DiskTestKit.Synthetic(seed: 15);
        DiskImage.Open(zeroOnly).ZeroFreeSpace();
        var cleaned = DiskTestKit.Synthetic(seed: 15);
        var disk = DiskImage.Open(cleaned);
        disk.DiskCleanup();
        disk.ZeroFreeSpace();

        var zeroOnlySize = DiskTestKit.GzipSize(zeroOnly);
        var cleanedSize = DiskTestKit.GzipSize(cleaned);

        cleanedSize.Should().BeLessThan(zeroOnlySize, $"cleaned {cleanedSize} bytes vs zeroed only {zeroOnlySize} bytes");
    }
}

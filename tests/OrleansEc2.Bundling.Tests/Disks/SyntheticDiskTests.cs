using System.Diagnostics;
using System.Text;
using OrleansEc2.Bundling.Disks;
using Xunit.Abstractions;

namespace OrleansEc2.Bundling.Tests.Disks;

public sealed class SyntheticDiskTests(ITestOutputHelper output)
{
    [Fact]
    public void Write_SameSpecTwice_WritesTheSameBytes()
    {
        DiskTestKit.Sha256(DiskTestKit.Synthetic(seed: 7)).Should().Be(DiskTestKit.Sha256(DiskTestKit.Synthetic(seed: 7)));
    }

    [Fact]
    public void Write_DifferentSeeds_WriteDifferentBytes()
    {
        DiskTestKit.Sha256(DiskTestKit.Synthetic(seed: 7)).Should().NotBe(DiskTestKit.Sha256(DiskTestKit.Synthetic(seed: 8)));
    }

    [Fact]
    public void Write_WindowsAndLinux_WriteDifferentSystems()
    {
        var linux = DiskImage.Open(DiskTestKit.Synthetic(seed: 7, platform: DiskPlatform.Linux));
        var windows = DiskImage.Open(DiskTestKit.Synthetic(seed: 7));

        linux.Platform.Should().Be(DiskPlatform.Linux);
        linux.ListFiles().Should().OnlyContain(f => f.Path.StartsWith('/'));
        windows.Platform.Should().Be(DiskPlatform.Windows);
        windows.ListFiles().Should().OnlyContain(f => f.Path.StartsWith(@"C:\"));
    }

    [Theory]
    [InlineData(1024 * 1024)]
    [InlineData(4 * 1024 * 1024)]
    [InlineData(8 * 1024 * 1024)]
    [InlineData(5 * 1024 * 1024 + 3 * 4096)]
    public void Write_BlockMultipleSize_WritesExactlyThatManyBytes(long size)
    {
        var disk = DiskTestKit.Synthetic(seed: 1, size: size);

        disk.Length.Should().Be(size);
        DiskImage.Open(disk).Size.Should().Be(size);
    }

    [Theory]
    [InlineData(4L * 1024 * 1024 + 1, "whole number of 4096-byte blocks")]
    [InlineData(512 * 1024, "between 1048576 bytes")]
    [InlineData(SyntheticDisk.MaxSize + 4096, "at most")]
    public void Write_SizeOutsideTheFormat_IsRefusedNotRounded(long size, string why)
    {
        var write = () => SyntheticDisk.Write(Stream.Null, new SyntheticDiskSpec(size, 1, DiskPlatform.Windows));

        write.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*{why}*");
    }

    [Fact]
    public void Write_OddSize_NamesTheNearestValidSizes()
    {
        var write = () => SyntheticDisk.Write(Stream.Null, new SyntheticDiskSpec(4_000_000, 1, DiskPlatform.Windows));

        write.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*3997696 or 4001792 bytes*");
    }

    [Fact]
    public void Write_WindowsDisk_IsGeneralizedWithoutPassword()
    {
        var disk = DiskImage.Open(DiskTestKit.Synthetic(seed: 3));

        disk.Identity.Should().BeNull();
        disk.AdministratorPassword.Should().BeNull();
    }

    [Fact]
    public void Write_LinuxDisk_HasNoSam()
    {
        var disk = DiskImage.Open(DiskTestKit.Synthetic(seed: 3, platform: DiskPlatform.Linux));

        disk.AdministratorPassword.Should().BeNull();
        var setPassword = () => disk.SetAdministratorPassword("Secret-2008");
        setPassword.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.WrongPlatform);
    }

    [Fact]
    public void Write_WindowsDisk_HoldsTheMixOfASystemDisk()
    {
        var disk = DiskImage.Open(DiskTestKit.Synthetic(seed: 11));
        var files = disk.ListFiles();
        var usage = disk.GetUsage();

        files.Should().Contain(f => f.Path == @"C:\pagefile.sys");
        files.Should().Contain(f => f.Path == @"C:\Windows\System32\config\SOFTWARE");
        files.Should().Contain(f => f.Path == @"C:\Program Files\Amazon\Ec2ConfigService\Settings\config.xml");
        var dlls = files.Where(f => f.Path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).ToList();
        dlls.Should().HaveCountGreaterThan(20);
        dlls.Select(f => Encoding.ASCII.GetString(disk.ReadFile(f.Path), 0, 2)).Should().OnlyContain(magic => magic == "MZ");
        files.Where(f => f.Path.EndsWith(".manifest", StringComparison.Ordinal))
            .Select(f => Encoding.ASCII.GetString(disk.ReadFile(f.Path), 0, 5))
            .Should().NotBeEmpty().And.OnlyContain(start => start == "<?xml");
        files.Should().Contain(f => f.IsTemporary);
        files.Should().Contain(f => !f.IsTemporary);
        usage.FragmentedFileCount.Should().BeGreaterThan(0, "setup and updates leave some files fragmented");
        ((double)usage.UsedBytes / usage.Size).Should().BeInRange(0.45, 0.75);
    }

    [Fact]
    public void Write_CompressesLikeARealSystemDisk()
    {
        var disk = DiskTestKit.Synthetic(seed: 5);

        var gzip = DiskTestKit.GzipSize(disk);
        var ratio = (double)gzip / disk.Length;

        output.WriteLine($"8 MiB disk: gzip -6 {gzip} of {disk.Length} bytes = {ratio:P1}");
        ratio.Should().BeInRange(0.40, 0.60, $"gzip -6 made {gzip} bytes of {disk.Length}");
    }

    [Fact]
    public void Write_FreeSpace_HoldsHighEntropyGarbage()
    {
        var disk = DiskTestKit.Synthetic(seed: 5);
        var free = DiskTestKit.FreeDataBlocks(disk);
        var garbage = free.Where(b => DiskTestKit.Block(disk, b).AsSpan().ContainsAnyExcept((byte)0)).ToList();
        var garbageBytes = garbage.SelectMany(b => DiskTestKit.Block(disk, b)).ToArray();

        var share = (double)garbage.Count / free.Count;
        var entropy = (double)DiskTestKit.GzipSize(garbageBytes) / garbageBytes.Length;
        output.WriteLine($"{garbage.Count} of {free.Count} free blocks hold garbage; it gzips to {entropy:P1}");
        share.Should().BeGreaterThan(0.4, $"{garbage.Count} of {free.Count} free blocks hold old bytes");
        entropy.Should().BeGreaterThan(0.6, "leftovers of deleted downloads and binaries barely compress");
    }

    [Fact]
    public void Write_ToAForwardOnlyStream_WritesTheSameBytes()
    {
        var buffer = new MemoryStream();
        SyntheticDisk.Write(new ForwardOnlyStream(buffer), new SyntheticDiskSpec(9));

        DiskTestKit.Sha256(buffer).Should().Be(DiskTestKit.Sha256(DiskTestKit.Synthetic(seed: 9)));
    }

    [Fact]
    public async Task OpenRead_StreamsTheSameBytesAsWrite()
    {
        using var stream = SyntheticDisk.OpenRead(new SyntheticDiskSpec(9));
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        stream.Length.Should().Be(SyntheticDiskSpec.DefaultSize);
        DiskTestKit.Sha256(copy).Should().Be(DiskTestKit.Sha256(DiskTestKit.Synthetic(seed: 9)));
    }

    [Fact]
    public async Task WriteAsync_WritesTheSameBytesAsWrite()
    {
        var buffer = new MemoryStream();
        await SyntheticDisk.WriteAsync(buffer, new SyntheticDiskSpec(9));

        DiskTestKit.Sha256(buffer).Should().Be(DiskTestKit.Sha256(DiskTestKit.Synthetic(seed: 9)));
    }

    [Fact]
    public void Write_64MiB_IsASoundDisk()
    {
        const long size = 64L * 1024 * 1024;
        var spec = new SyntheticDiskSpec(size, 64, DiskPlatform.Windows);
        SyntheticDisk.Write(Stream.Null, new SyntheticDiskSpec(1024 * 1024, 0, DiskPlatform.Windows));

        var watch = Stopwatch.StartNew();
        var stream = new MemoryStream();
        SyntheticDisk.Write(stream, spec);
        watch.Stop();

        output.WriteLine($"64 MiB generated in {watch.ElapsedMilliseconds} ms ({size / 1048576.0 / watch.Elapsed.TotalSeconds:F0} MiB/s)");
        stream.Length.Should().Be(size);
        var disk = DiskImage.Open(stream);
        disk.GetUsage().FileCount.Should().BeGreaterThan(100);
    }
}

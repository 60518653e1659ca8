using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Bundling.Tests.Disks;

public sealed class GuestFileTests
{
    private const string Notes = @"C:\Users\Administrator\Desktop\notes.txt";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(100_000)]
    public void WriteFile_ThenReadFile_ReturnsTheExactBytesAfterReopening(int length)
    {
        var stream = DiskTestKit.Synthetic(seed: 4);
        var content = DiskTestKit.Pattern(length, length);

        DiskImage.Open(stream).WriteFile(Notes, content);

        var disk = DiskImage.Open(stream);
        disk.ReadFile(Notes).Should().Equal(content);
        var file = disk.FindFile(Notes)!;
        (file.Path, file.Length, file.IsTemporary).Should().Be((Notes, length, false));
        (file.Fragments > 0).Should().Be(length > 0, "an empty file has no blocks");
    }

    [Fact]
    public void WriteFile_SmallFile_ChangesOnlyItsBlockItsRecordTheBitmapAndTheHeader()
    {
        var stream = DiskTestKit.Synthetic(seed: 4, size: 64 * 1024 * 1024);
        var before = stream.ToArray();

        DiskImage.Open(stream).WriteFile(Notes, "hello from the guest"u8);

        var after = stream.ToArray();
        var changed = Enumerable.Range(0, before.Length / 4096)
            .Where(b => !before.AsSpan(b * 4096, 4096).SequenceEqual(after.AsSpan(b * 4096, 4096)))
            .ToList();
        changed.Should().HaveCountLessThanOrEqualTo(4, $"blocks {string.Join(", ", changed)} changed");
        changed.Should().Contain(0, "the file table's high-water mark grew");
    }

    [Fact]
    public void WriteFile_PathsAreCaseInsensitiveAndKeepTheFirstSpelling()
    {
        var (_, disk) = DiskTestKit.Empty();

        disk.WriteFile(Notes, [1, 2, 3]);
        disk.WriteFile(@"c:\users\ADMINISTRATOR\desktop\NOTES.TXT", [4, 5]);

        disk.ListFiles().Should().ContainSingle().Which.Should().Be(new DiskFile(Notes, 2, false, 1));
        disk.ReadFile("C:/Users/Administrator/Desktop/Notes.txt").Should().Equal(4, 5);
    }

    [Fact]
    public void WriteFile_Overwrite_ReplacesContentAndTemporaryFlag()
    {
        var stream = DiskTestKit.Synthetic(seed: 4);
        var disk = DiskImage.Open(stream);
        var before = disk.GetUsage();

        disk.WriteFile(Notes, DiskTestKit.Pattern(1, 50_000), temporary: true);
        disk.WriteFile(Notes, DiskTestKit.Pattern(2, 9_000));

        var reopened = DiskImage.Open(stream);
        reopened.ReadFile(Notes).Should().Equal(DiskTestKit.Pattern(2, 9_000));
        reopened.FindFile(Notes)!.IsTemporary.Should().BeFalse();
        reopened.GetUsage().FileCount.Should().Be(before.FileCount + 1);
        reopened.GetUsage().UsedBytes.Should().Be(before.UsedBytes + 3 * 4096);
    }

    [Fact]
    public void WriteFile_IntoHoles_TakesTheFirstFreeBlocksAndFragments()
    {
        var (_, disk) = DiskTestKit.Empty();
        disk.WriteFile(@"C:\a.bin", DiskTestKit.Pattern(1, 2 * 4096));
        disk.WriteFile(@"C:\b.bin", DiskTestKit.Pattern(2, 2 * 4096));
        disk.WriteFile(@"C:\c.bin", DiskTestKit.Pattern(3, 2 * 4096));
        disk.DeleteFile(@"C:\b.bin");

        disk.WriteFile(@"C:\d.bin", DiskTestKit.Pattern(4, 3 * 4096));

        disk.FindFile(@"C:\d.bin")!.Fragments.Should().Be(2);
        disk.ReadFile(@"C:\d.bin").Should().Equal(DiskTestKit.Pattern(4, 3 * 4096));
        disk.GetUsage().FragmentedFileCount.Should().Be(1);
    }

    [Fact]
    public void WriteFile_InHundredsOfFragments_UsesExtensionRecordsAndReadsBack()
    {
        var (stream, disk) = DiskTestKit.Empty();
        for (var i = 0; i < 160; i++)
        {
            disk.WriteFile($@"C:\Temp\f{i}.bin", DiskTestKit.Pattern(i, 4096));
        }

        for (var i = 0; i < 160; i += 2)
        {
            disk.DeleteFile($@"C:\Temp\f{i}.bin");
        }

        var content = DiskTestKit.Pattern(999, 90 * 4096);
        disk.WriteFile(@"C:\big.bin", content);

        var reopened = DiskImage.Open(stream);
        reopened.FindFile(@"C:\big.bin")!.Fragments.Should().BeGreaterThan(58, "more extents than one file record holds");
        reopened.ReadFile(@"C:\big.bin").Should().Equal(content);
    }

    [Theory]
    [InlineData(@"notes.txt")]
    [InlineData(@"D:\notes.txt")]
    [InlineData(@"C:\")]
    [InlineData(@"C:\Users\\notes.txt")]
    [InlineData(@"C:\Users\..\notes.txt")]
    [InlineData(@"C:\what?.txt")]
    [InlineData(@"C:\a|b.txt")]
    [InlineData(@"C:\CON")]
    [InlineData(@"C:\Users\nul.txt")]
    [InlineData(@"C:\trailing.")]
    [InlineData(@"C:\Users\")]
    public void WriteFile_InvalidPath_FailsWithInvalidPath(string path)
    {
        var (_, disk) = DiskTestKit.Empty();

        var write = () => disk.WriteFile(path, [1]);

        write.Should().Throw<DiskException>().WithMessage($"Invalid path '*").Which.Error.Should().Be(DiskError.InvalidPath);
    }

    [Fact]
    public void WriteFile_PathLongerThanMaxPath_FailsWithInvalidPath()
    {
        var (_, disk) = DiskTestKit.Empty();

        var write = () => disk.WriteFile(@"C:\" + new string('a', 257), [1]);

        write.Should().Throw<DiskException>().WithMessage("*at most 259 characters, this one is 260*");
    }

    [Fact]
    public void WriteFile_OverAFolderOrUnderAFile_FailsWithInvalidPath()
    {
        var (_, disk) = DiskTestKit.Empty();
        disk.WriteFile(Notes, [1]);

        var overFolder = () => disk.WriteFile(@"C:\Users\Administrator", [1]);
        var underFile = () => disk.WriteFile(Notes + @"\inner.txt", [1]);

        overFolder.Should().Throw<DiskException>().WithMessage("*it is a folder*");
        underFile.Should().Throw<DiskException>().WithMessage("*is a file, not a folder*");
    }

    [Fact]
    public void WriteFile_LinuxDisk_TakesCaseSensitivePosixPaths()
    {
        var (_, disk) = DiskTestKit.Empty(platform: DiskPlatform.Linux);

        disk.WriteFile("/home/ec2-user/notes.txt", [1]);
        disk.WriteFile("/home/ec2-user/NOTES.txt", [2]);
        var windowsPath = () => disk.WriteFile(@"C:\notes.txt", [3]);

        disk.ListFiles().Select(f => f.Path).Should().Equal("/home/ec2-user/NOTES.txt", "/home/ec2-user/notes.txt");
        windowsPath.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.InvalidPath);
    }

    [Fact]
    public void WriteFile_WhenTheDiskIsFull_FailsWithDiskFullAndChangesNothing()
    {
        var (stream, disk) = DiskTestKit.Empty();
        var free = disk.GetUsage().FreeBytes;
        disk.WriteFile(@"C:\fill.bin", DiskTestKit.Pattern(1, (int)free - 4096));
        disk.WriteFile(Notes, [1, 2, 3]);
        var before = DiskTestKit.Sha256(stream);

        var tooBig = () => disk.WriteFile(@"C:\more.bin", new byte[4097]);
        var overwriteTooBig = () => disk.WriteFile(Notes, new byte[8193]);

        tooBig.Should().Throw<DiskException>().WithMessage("*needs 8192 bytes, 0 bytes are free*").Which.Error.Should().Be(DiskError.DiskFull);
        overwriteTooBig.Should().Throw<DiskException>().WithMessage("*needs 12288 bytes, 4096 bytes are free*");
        DiskTestKit.Sha256(stream).Should().Be(before);
        DiskImage.Open(stream).ReadFile(Notes).Should().Equal(1, 2, 3);
        disk.ReadFile(Notes).Should().Equal(1, 2, 3);
    }

    [Fact]
    public void WriteFile_WhenEveryRecordIsUsed_FailsWithFileTableFull()
    {
        var (_, disk) = DiskTestKit.Empty();
        for (var i = 0; i < 256; i++)
        {
            disk.WriteFile($@"C:\empty\{i}.txt", []);
        }

        var write = () => disk.WriteFile(@"C:\empty\one-more.txt", []);

        write.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.FileTableFull);
    }

    [Fact]
    public void ReadFile_Missing_FailsWithFileNotFound()
    {
        var disk = DiskImage.Open(DiskTestKit.Synthetic(seed: 4));

        var read = () => disk.ReadFile(@"C:\nowhere.txt");

        read.Should().Throw<DiskException>().WithMessage(@"Could not find 'C:\nowhere.txt'.").Which.Error.Should().Be(DiskError.FileNotFound);
    }

    [Fact]
    public void DeleteFile_RemovesTheFileButLeavesItsBytesAsGarbageInFreeSpace()
    {
        var stream = DiskTestKit.Synthetic(seed: 4);
        var disk = DiskImage.Open(stream);
        var secret = DiskTestKit.Pattern(77, 3 * 4096);
        disk.WriteFile(Notes, secret);
        var before = disk.GetUsage();

        disk.DeleteFile(Notes);

        var reopened = DiskImage.Open(stream);
        reopened.FindFile(Notes).Should().BeNull();
        reopened.GetUsage().FreeBytes.Should().Be(before.FreeBytes + 3 * 4096);
        stream.ToArray().AsSpan().IndexOf(secret).Should().BeGreaterThan(0, "a deleted file's bytes stay on the disk");
    }

    [Fact]
    public void DeleteFile_Missing_FailsWithFileNotFound()
    {
        var (_, disk) = DiskTestKit.Empty();

        var delete = () => disk.DeleteFile(Notes);

        delete.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.FileNotFound);
    }

    [Fact]
    public void DeleteFile_ThenTheFolderCanBecomeAFile()
    {
        var (_, disk) = DiskTestKit.Empty();
        disk.WriteFile(@"C:\Temp\x.txt", [1]);
        disk.DeleteFile(@"C:\Temp\x.txt");

        disk.WriteFile(@"C:\Temp", [2]);

        disk.ReadFile(@"C:\Temp").Should().Equal(2);
    }

    [Fact]
    public void DiskCleanup_RemovesOnlyTemporaryFiles()
    {
        var stream = DiskTestKit.Synthetic(seed: 6);
        var disk = DiskImage.Open(stream);
        disk.WriteFile(Notes, [1, 2, 3]);
        disk.WriteFile(@"C:\Windows\Temp\setup.tmp", [4, 5], temporary: true);
        var files = disk.ListFiles();
        var temporary = files.Count(f => f.IsTemporary);

        var removed = disk.DiskCleanup();

        removed.Should().Be(temporary);
        temporary.Should().BeGreaterThan(1);
        var after = DiskImage.Open(stream).ListFiles();
        after.Should().Equal(files.Where(f => !f.IsTemporary));
        DiskImage.Open(stream).GetUsage().TemporaryFileCount.Should().Be(0);
    }

    [Fact]
    public void GetUsage_AddsUpToTheDiskSize()
    {
        var disk = DiskImage.Open(DiskTestKit.Synthetic(seed: 6));
        var files = disk.ListFiles();

        var usage = disk.GetUsage();

        (usage.UsedBytes + usage.FreeBytes).Should().Be(usage.Size);
        usage.FileCount.Should().Be(files.Count);
        usage.FileBytes.Should().Be(files.Sum(f => f.Length));
        usage.TemporaryFileBytes.Should().Be(files.Where(f => f.IsTemporary).Sum(f => f.Length));
        usage.ExcessFragments.Should().Be(files.Sum(f => Math.Max(0, f.Fragments - 1)));
    }
}

using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Bundling.Tests.Disks;

public sealed class DiskImageTests
{
    [Fact]
    public void Open_StreamThatIsNotADisk_FailsWithNotADisk()
    {
        var open = () => DiskImage.Open(new MemoryStream(DiskTestKit.Pattern(1, 1024 * 1024)));

        open.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.NotADisk);
    }

    [Fact]
    public void Open_EmptyStream_FailsWithNotADisk()
    {
        var open = () => DiskImage.Open(new MemoryStream());

        open.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.NotADisk);
    }

    [Fact]
    public void Open_DamagedHeader_FailsWithCorrupt()
    {
        var disk = DiskTestKit.Synthetic(seed: 1, size: 1024 * 1024);
        disk.GetBuffer()[20] ^= 0xFF;

        var open = () => DiskImage.Open(disk);

        open.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.Corrupt);
    }

    [Fact]
    public void Open_TruncatedDisk_FailsWithCorruptNamingBothSizes()
    {
        var disk = DiskTestKit.Synthetic(seed: 1, size: 1024 * 1024);
        disk.SetLength(1024 * 1024 - 4096);

        var open = () => DiskImage.Open(disk);

        open.Should().Throw<DiskException>().WithMessage("*1044480 bytes long but its header says 1048576*")
            .Which.Error.Should().Be(DiskError.Corrupt);
    }

    [Fact]
    public void Open_DamagedFileRecord_FailsWithCorrupt()
    {
        var disk = DiskTestKit.Synthetic(seed: 1, size: 1024 * 1024);
        disk.GetBuffer()[3 * 4096 + 40] ^= 0x01;

        var open = () => DiskImage.Open(disk);

        open.Should().Throw<DiskException>().WithMessage("*file record 0*").Which.Error.Should().Be(DiskError.Corrupt);
    }

    [Fact]
    public void Open_BitmapThatDisagreesWithTheFileTable_FailsWithCorrupt()
    {
        var disk = DiskTestKit.Synthetic(seed: 1, size: 1024 * 1024);
        var layout = DiskLayout.For(disk.Length, DiskPlatform.Windows);
        var lastBlock = layout.BlockCount - 1;
        disk.GetBuffer()[layout.BitmapOffset + lastBlock / 8] ^= (byte)(1 << (lastBlock % 8));

        var open = () => DiskImage.Open(disk);

        open.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.Corrupt);
    }

    [Fact]
    public void Format_MakesAnEmptyGeneralizedDisk()
    {
        var (stream, disk) = DiskTestKit.Empty(2 * 1024 * 1024);

        stream.Length.Should().Be(2 * 1024 * 1024);
        disk.Size.Should().Be(2 * 1024 * 1024);
        disk.Platform.Should().Be(DiskPlatform.Windows);
        disk.Identity.Should().BeNull();
        disk.AdministratorPassword.Should().BeNull();
        disk.ListFiles().Should().BeEmpty();
        DiskImage.Open(stream).GetUsage().FreeBytes.Should().Be(disk.GetUsage().FreeBytes);
    }

    [Fact]
    public void SetIdentity_IsReadBackAfterReopening()
    {
        var stream = DiskTestKit.Synthetic(seed: 2, size: 1024 * 1024);
        var identity = new MachineIdentity("WIN-Q1W2E3R4T5Y", "12:31:39:0A:5C:E1", "S-1-5-21-1004336348-1177238915-682003330");

        DiskImage.Open(stream).SetIdentity(identity);

        DiskImage.Open(stream).Identity.Should().Be(identity);
        identity.MacAddress.Should().Be("12:31:39:0a:5c:e1");
    }

    [Fact]
    public void SetIdentity_ChangesOnlyTheIdentityBlock()
    {
        var stream = DiskTestKit.Synthetic(seed: 2, size: 1024 * 1024);
        var before = stream.ToArray();

        DiskImage.Open(stream).SetIdentity(MachineIdentity.CreateRandom(new Random(1)));

        var after = stream.ToArray();
        after.AsSpan(0, 4096).SequenceEqual(before.AsSpan(0, 4096)).Should().BeTrue();
        after.AsSpan(8192).SequenceEqual(before.AsSpan(8192)).Should().BeTrue();
        after.AsSpan(4096, 4096).SequenceEqual(before.AsSpan(4096, 4096)).Should().BeFalse();
    }

    [Fact]
    public void SetAdministratorPassword_IsReadBackAfterReopening()
    {
        var stream = DiskTestKit.Synthetic(seed: 2, size: 1024 * 1024);

        DiskImage.Open(stream).SetAdministratorPassword("Pa$$w0rd-é-2008");

        DiskImage.Open(stream).AdministratorPassword.Should().Be("Pa$$w0rd-é-2008");
    }

    [Theory]
    [InlineData("")]
    [InlineData("tab\tinside")]
    public void SetAdministratorPassword_Invalid_FailsWithInvalidPassword(string password)
    {
        var (_, disk) = DiskTestKit.Empty();

        var set = () => disk.SetAdministratorPassword(password);

        set.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.InvalidPassword);
    }

    [Fact]
    public void SetAdministratorPassword_TooLong_FailsWithInvalidPassword()
    {
        var (_, disk) = DiskTestKit.Empty();

        var set = () => disk.SetAdministratorPassword(new string('x', 128));

        set.Should().Throw<DiskException>().WithMessage("*1 to 127 characters*");
    }

    [Fact]
    public void Changes_OnAReadOnlyStream_FailWithReadOnly()
    {
        var bytes = DiskTestKit.Synthetic(seed: 2, size: 1024 * 1024).ToArray();
        var disk = DiskImage.Open(new MemoryStream(bytes, writable: false));

        disk.IsReadOnly.Should().BeTrue();
        disk.ListFiles().Should().NotBeEmpty();
        var write = () => disk.WriteFile(@"C:\a.txt", [1]);
        write.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.ReadOnly);
    }
}

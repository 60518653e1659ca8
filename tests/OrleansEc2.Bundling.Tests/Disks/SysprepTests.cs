using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Bundling.Tests.Disks;

public sealed class SysprepTests
{
    private const int IdentityBlockOffset = 4096;
    private static readonly MachineIdentity Identity = new("WIN-Q1W2E3R4T5Y", "12:31:39:0a:5c:e1", "S-1-5-21-1004336348-1177238915-682003330");

    [Fact]
    public void OpenGeneralized_StripsIdentityAndKeepsPassword()
    {
        var disk = SpecializedDisk();

        var generalized = ReadAll(Sysprep.OpenGeneralized(disk, leaveOpen: true));

        var image = DiskImage.Open(new MemoryStream(generalized));
        image.Identity.Should().BeNull();
        image.AdministratorPassword.Should().Be("Bundled-Pa55");
        DiskImage.Open(disk).Identity.Should().Be(Identity, "the instance's own disk is not changed");
    }

    [Fact]
    public void OpenGeneralized_EveryByteOutsideTheIdentityBlockIsIdentical()
    {
        var disk = SpecializedDisk();
        var original = disk.ToArray();

        using var stream = Sysprep.OpenGeneralized(disk, leaveOpen: true);
        var generalized = ReadAll(stream);

        stream.Length.Should().Be(original.Length);
        generalized.Length.Should().Be(original.Length);
        generalized.AsSpan(0, IdentityBlockOffset).SequenceEqual(original.AsSpan(0, IdentityBlockOffset)).Should().BeTrue();
        generalized.AsSpan(IdentityBlockOffset + 4096).SequenceEqual(original.AsSpan(IdentityBlockOffset + 4096)).Should().BeTrue();
        generalized.AsSpan(IdentityBlockOffset, 4096).SequenceEqual(original.AsSpan(IdentityBlockOffset, 4096)).Should().BeFalse();
    }

    [Fact]
    public void OpenGeneralized_AGeneralizedDisk_IsUnchanged()
    {
        var disk = DiskTestKit.Synthetic(seed: 21);
        var original = disk.ToArray();

        var generalized = ReadAll(Sysprep.OpenGeneralized(disk));

        DiskTestKit.Sha256(generalized).Should().Be(DiskTestKit.Sha256(original));
    }

    [Fact]
    public void Generalize_InPlace_GivesTheSameBytesAsTheStreamAndIsIdempotent()
    {
        var disk = SpecializedDisk();
        var streamed = ReadAll(Sysprep.OpenGeneralized(disk, leaveOpen: true));

        Sysprep.Generalize(disk);
        var once = DiskTestKit.Sha256(disk);
        Sysprep.Generalize(disk);

        once.Should().Be(DiskTestKit.Sha256(streamed));
        DiskTestKit.Sha256(disk).Should().Be(once);
    }

    [Fact]
    public void OpenGeneralized_FromAForwardOnlyStream_GivesTheSameBytes()
    {
        var disk = SpecializedDisk();
        var expected = ReadAll(Sysprep.OpenGeneralized(disk, leaveOpen: true));
        disk.Position = 0;

        using var stream = Sysprep.OpenGeneralized(new ForwardOnlyStream(disk));
        var generalized = ReadAll(stream);

        stream.CanSeek.Should().BeFalse();
        stream.Length.Should().Be(disk.Length);
        DiskTestKit.Sha256(generalized).Should().Be(DiskTestKit.Sha256(expected));
    }

    [Fact]
    public void OpenGeneralized_ReadInSmallPieces_GivesTheSameBytes()
    {
        var disk = SpecializedDisk();
        var expected = ReadAll(Sysprep.OpenGeneralized(disk, leaveOpen: true));

        using var stream = Sysprep.OpenGeneralized(disk, leaveOpen: true);
        var pieces = new MemoryStream();
        var buffer = new byte[1000];
        for (int n; (n = stream.Read(buffer, 0, buffer.Length)) > 0;)
        {
            pieces.Write(buffer, 0, n);
        }

        pieces.ToArray().Should().Equal(expected);
    }

    [Fact]
    public void OpenGeneralized_LinuxDisk_FailsWithWrongPlatform()
    {
        var disk = DiskTestKit.Synthetic(seed: 21, platform: DiskPlatform.Linux);

        var open = () => Sysprep.OpenGeneralized(disk);
        var generalize = () => Sysprep.Generalize(disk);

        open.Should().Throw<DiskException>().WithMessage("*Windows disks only*").Which.Error.Should().Be(DiskError.WrongPlatform);
        generalize.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.WrongPlatform);
    }

    [Fact]
    public void OpenGeneralized_NotADisk_FailsWithNotADisk()
    {
        var open = () => Sysprep.OpenGeneralized(new MemoryStream(DiskTestKit.Pattern(3, 64 * 1024)));

        open.Should().Throw<DiskException>().Which.Error.Should().Be(DiskError.NotADisk);
    }

    [Fact]
    public void OpenGeneralized_DisposingIt_DisposesTheDiskUnlessLeftOpen()
    {
        var kept = SpecializedDisk();
        var closed = SpecializedDisk();

        Sysprep.OpenGeneralized(kept, leaveOpen: true).Dispose();
        Sysprep.OpenGeneralized(closed).Dispose();

        kept.CanRead.Should().BeTrue();
        closed.CanRead.Should().BeFalse();
    }

    private static MemoryStream SpecializedDisk()
    {
        var stream = DiskTestKit.Synthetic(seed: 20, size: 2 * 1024 * 1024);
        var disk = DiskImage.Open(stream);
        disk.SetIdentity(Identity);
        disk.SetAdministratorPassword("Bundled-Pa55");
        disk.WriteFile(@"C:\Users\Administrator\Desktop\notes.txt", "bundle me"u8);
        return stream;
    }

    private static byte[] ReadAll(Stream stream)
    {
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

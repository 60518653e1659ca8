using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Bundling.Tests;

/// <summary>What a bundle task does with an instance's disk: sysprep it as a stream, bundle that, and get it back.</summary>
public class GeneralizedDiskBundleTests
{
    [Fact]
    public async Task Bundle_OfASyspreppedDisk_UnbundlesToTheGeneralizedDiskBytes()
    {
        var disk = new MemoryStream();
        SyntheticDisk.Write(disk, new SyntheticDiskSpec(4 * 1024 * 1024, 7, DiskPlatform.Windows));
        var image = DiskImage.Open(disk);
        image.SetIdentity(MachineIdentity.CreateRandom());
        image.SetAdministratorPassword("Str0ng!Passw0rd");
        var generalized = new MemoryStream();
        disk.Position = 0;
        await using (var stream = Sysprep.OpenGeneralized(disk, leaveOpen: true))
        {
            await stream.CopyToAsync(generalized);
        }

        disk.Position = 0;
        BundleResult result;
        var parts = new MemoryPartStore();
        await using (var stream = Sysprep.OpenGeneralized(disk, leaveOpen: true))
        {
            result = await new BundleWriter(Bundles.Options(partSize: 512 * 1024)).WriteAsync(stream, parts);
        }

        var key = ManifestVerifier.UnsealForRegion(result.Manifest, TestIdentity.UsEast1.PrivateKey, "us-east-1");
        var unbundled = await Bundles.UnbundleAsync(result.Manifest, key, parts);
        unbundled.Should().Equal(generalized.ToArray());
        result.Manifest.Size.Should().Be(4 * 1024 * 1024);
        var launched = DiskImage.Open(new MemoryStream(unbundled));
        launched.Identity.Should().BeNull();
        launched.AdministratorPassword.Should().Be("Str0ng!Passw0rd");
    }

    [Fact]
    public async Task Bundle_OfAForwardOnlySyntheticDisk_UsesItsLength()
    {
        var spec = new SyntheticDiskSpec(2 * 1024 * 1024, 3, DiskPlatform.Windows);
        var expected = new MemoryStream();
        SyntheticDisk.Write(expected, spec);

        var parts = new MemoryPartStore();
        BundleResult result;
        await using (var stream = SyntheticDisk.OpenRead(spec))
        {
            result = await new BundleWriter(Bundles.Options(partSize: 256 * 1024)).WriteAsync(stream, parts);
        }

        var key = ManifestVerifier.UnsealForUser(result.Manifest, TestIdentity.User.PrivateKey);
        (await Bundles.UnbundleAsync(result.Manifest, key, parts)).Should().Equal(expected.ToArray());
    }
}

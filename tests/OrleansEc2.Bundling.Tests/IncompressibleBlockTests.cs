using System.Security.Cryptography;

namespace OrleansEc2.Bundling.Tests;

public class IncompressibleBlockTests
{
    [Fact]
    public void Detect_OfRandomBytes_IsTrue()
    {
        IncompressibleBlock.Detect(RandomNumberGenerator.GetBytes(1 << 20)).Should().BeTrue();
    }

    [Fact]
    public void Detect_OfZerosTextAndADiskLikeMix_IsFalse()
    {
        IncompressibleBlock.Detect(new byte[1 << 20]).Should().BeFalse();
        IncompressibleBlock.Detect(TestImages.Create(1 << 20)).Should().BeFalse();
        IncompressibleBlock.Detect(System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("HKLM\\SOFTWARE\\Microsoft\\Windows NT ", 40_000)))).Should().BeFalse();
    }

    [Fact]
    public void Detect_OfARandom4KiBPatternRepeated_IsFalse_BecauseDeflateFindsTheRepeats()
    {
        var pattern = RandomNumberGenerator.GetBytes(4096);
        var block = new byte[1 << 20];
        for (var i = 0; i < block.Length; i += pattern.Length)
        {
            pattern.CopyTo(block, i);
        }

        IncompressibleBlock.Detect(block).Should().BeFalse();
    }

    [Fact]
    public void Detect_OfEightByteRecordsWithOneRandomByte_IsFalse()
    {
        var block = new byte[1 << 20];
        var random = RandomNumberGenerator.GetBytes(block.Length / 8);
        for (var i = 0; i < random.Length; i++)
        {
            block[i * 8] = random[i];
        }

        IncompressibleBlock.Detect(block).Should().BeFalse();
    }

    [Fact]
    public async Task Bundle_OfARandomImage_StoresItWithLittleOverhead_AndUnbundlesToIt()
    {
        var image = RandomNumberGenerator.GetBytes(600_000);
        var (result, parts) = await Bundles.BundleAsync(image, Bundles.Options(partSize: 100_000));

        result.Manifest.BundledSize.Should().BeInRange(image.Length, (long)(image.Length * 1.002) + 12_000);
        var key = ManifestVerifier.UnsealForUser(result.Manifest, TestIdentity.User.PrivateKey);
        (await Bundles.UnbundleAsync(result.Manifest, key, parts)).Should().Equal(image);
    }
}

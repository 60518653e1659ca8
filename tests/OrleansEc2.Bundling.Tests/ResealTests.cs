namespace OrleansEc2.Bundling.Tests;

public class ResealTests
{
    private static readonly byte[] Image = TestImages.Create(90_000, seed: 5);

    [Fact]
    public async Task Reseal_ForAnotherRegion_LetsThatRegionUnsealAndUnbundle_WithTheSameParts()
    {
        var (result, parts) = await Bundles.BundleAsync(Image, Bundles.Options(partSize: 10_000, region: TestIdentity.UsEast1));
        var partsBefore = parts.Parts.ToDictionary(p => p.Key, p => p.Value.ToArray());

        var resealedXml = ManifestResealer.Reseal(result.ManifestXml, TestIdentity.User.Certificate, TestIdentity.User.PrivateKey, TestIdentity.EuWest1.Certificate);
        var resealed = Manifest.Parse(resealedXml);

        ManifestVerifier.VerifySignature(resealed, TestIdentity.User.Certificate);
        var key = ManifestVerifier.UnsealForRegion(resealed, TestIdentity.EuWest1.PrivateKey, "eu-west-1");
        (await Bundles.UnbundleAsync(resealed, key, parts)).Should().Equal(Image);
        parts.Parts.Should().BeEquivalentTo(partsBefore);
        resealed.Parts.Should().Equal(result.Manifest.Parts);
        resealed.Digest.Should().Be(result.Manifest.Digest);
        resealed.UserEncryptedKey.Should().Be(result.Manifest.UserEncryptedKey);
    }

    [Fact]
    public async Task Reseal_ForAnotherRegion_LeavesTheSourceRegionUnableToUnseal()
    {
        var (result, _) = await Bundles.BundleAsync(Image, Bundles.Options(region: TestIdentity.UsEast1));

        var resealed = Manifest.Parse(ManifestResealer.Reseal(result.ManifestXml, TestIdentity.User.Certificate, TestIdentity.User.PrivateKey, TestIdentity.EuWest1.Certificate));

        var act = () => ManifestVerifier.UnsealForRegion(resealed, TestIdentity.UsEast1.PrivateKey, "us-east-1");
        act.Should().Throw<BundleException>().Which.Error.Should().Be(BundleError.KeyNotSealedForRegion);
    }

    [Fact]
    public async Task Reseal_OfATamperedManifest_IsRefused()
    {
        var (result, _) = await Bundles.BundleAsync(Image);
        var tampered = result.ManifestXml.Replace("<size>90000</size>", "<size>90001</size>", StringComparison.Ordinal);

        var act = () => ManifestResealer.Reseal(tampered, TestIdentity.User.Certificate, TestIdentity.User.PrivateKey, TestIdentity.EuWest1.Certificate);

        act.Should().Throw<BundleException>().Which.Error.Should().Be(BundleError.SignatureMismatch);
    }

    [Fact]
    public async Task Reseal_WithAnotherUsersPrivateKey_IsRefused()
    {
        var (result, _) = await Bundles.BundleAsync(Image);

        var act = () => ManifestResealer.Reseal(result.ManifestXml, TestIdentity.User.Certificate, TestIdentity.OtherUser.PrivateKey, TestIdentity.EuWest1.Certificate);

        act.Should().Throw<BundleException>().Which.Error.Should().Be(BundleError.KeyNotSealedForUser);
    }
}

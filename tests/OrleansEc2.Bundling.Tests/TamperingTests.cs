namespace OrleansEc2.Bundling.Tests;

/// <summary>Every kind of tampering is refused, each with its own message naming the first bad part or field.</summary>
public class TamperingTests
{
    private static readonly byte[] Image = TestImages.Create(120_000, seed: 3);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task Unbundle_WithAFlippedByteInAPart_FailsNamingThatPart(int partIndex)
    {
        var (result, parts) = await Bundles.BundleAsync(Image, Bundles.Options(partSize: 10_000));
        var part = result.Parts[partIndex < 0 ? result.Parts.Count + partIndex : partIndex];
        var bytes = parts.Parts[part.FileName].ToArray();
        bytes[bytes.Length / 2] ^= 0x01;
        parts.Put(part.FileName, bytes);
        var key = ManifestVerifier.UnsealForUser(result.Manifest, TestIdentity.User.PrivateKey);

        var act = () => Bundles.UnbundleAsync(result.Manifest, key, parts);

        var error = (await act.Should().ThrowAsync<BundleException>()).Which;
        error.Error.Should().Be(BundleError.PartDigestMismatch);
        error.PartFileName.Should().Be(part.FileName);
        error.Message.Should().StartWith($"Part {part.FileName} (index {part.Index}) is corrupt: its SHA-1 is ")
            .And.EndWith($" but the manifest says {part.Digest}.");
    }

    [Fact]
    public async Task VerifyParts_WithAFlippedByteInTheSecondPart_NamesTheSecondPart()
    {
        var (result, parts) = await Bundles.BundleAsync(Image, Bundles.Options(partSize: 10_000));
        var bytes = parts.Parts["winami.part.01"].ToArray();
        bytes[0] ^= 0x80;
        parts.Put("winami.part.01", bytes);

        var act = () => ManifestVerifier.VerifyPartsAsync(result.Manifest, parts);

        (await act.Should().ThrowAsync<BundleException>()).Which.PartFileName.Should().Be("winami.part.01");
    }

    [Fact]
    public async Task Unbundle_WithAMissingPart_FailsNamingThatPart()
    {
        var (result, _) = await Bundles.BundleAsync(Image, Bundles.Options(partSize: 10_000));
        var parts = new MemoryPartStore();
        var key = ManifestVerifier.UnsealForUser(result.Manifest, TestIdentity.User.PrivateKey);

        var act = () => Bundles.UnbundleAsync(result.Manifest, key, parts);

        (await act.Should().ThrowAsync<BundleException>())
            .Which.Should().Match<BundleException>(e => e.Error == BundleError.PartMissing && e.Message == "Part winami.part.00 is missing.");
    }

    [Theory]
    [InlineData("<size>120000</size>", "<size>120001</size>")]
    [InlineData("<architecture>x86_64</architecture>", "<architecture>i386</architecture>")]
    [InlineData("<filename>winami.part.01</filename>", "<filename>winami.part.02</filename>")]
    public async Task VerifySignature_OfAManifestWithAChangedField_FailsWithSignatureMismatch(string original, string changed)
    {
        var (result, _) = await Bundles.BundleAsync(Image, Bundles.Options(partSize: 10_000));
        var tampered = Manifest.Parse(result.ManifestXml.Replace(original, changed, StringComparison.Ordinal));

        var act = () => ManifestVerifier.VerifySignature(tampered, TestIdentity.User.Certificate);

        act.Should().Throw<BundleException>().Which.Should().Match<BundleException>(e =>
            e.Error == BundleError.SignatureMismatch
            && e.Message == "The manifest signature does not match its content: the machine_configuration or image element was changed after the user signed it.");
    }

    [Fact]
    public async Task VerifySignature_OfAManifestWithAChangedPartDigest_FailsWithSignatureMismatch()
    {
        var (result, _) = await Bundles.BundleAsync(Image, Bundles.Options(partSize: 10_000));
        var digest = result.Manifest.Parts[1].Digest;
        var tampered = Manifest.Parse(result.ManifestXml.Replace(digest, new string('0', 40), StringComparison.Ordinal));

        var act = () => ManifestVerifier.VerifySignature(tampered, TestIdentity.User.Certificate);

        act.Should().Throw<BundleException>().Which.Error.Should().Be(BundleError.SignatureMismatch);
    }

    [Fact]
    public async Task VerifySignature_OfAManifestSignedByAnotherKey_FailsWithWrongSigningKey()
    {
        var (result, _) = await Bundles.BundleAsync(Image, Bundles.Options(user: TestIdentity.OtherUser));

        var act = () => ManifestVerifier.VerifySignature(result.Manifest, TestIdentity.User.Certificate);

        act.Should().Throw<BundleException>().Which.Should().Match<BundleException>(e =>
            e.Error == BundleError.WrongSigningKey
            && e.Message == "The manifest was not signed by the user's certificate (CN=user-111122223333): it was signed with another private key.");
    }

    [Fact]
    public async Task VerifySignature_OfAnUntouchedManifest_Passes()
    {
        var (result, _) = await Bundles.BundleAsync(Image);

        var act = () => ManifestVerifier.VerifySignature(Manifest.Parse(result.ManifestXml), TestIdentity.User.Certificate);

        act.Should().NotThrow();
    }

    [Fact]
    public async Task UnsealForRegion_OfABundleSealedForAnotherRegion_FailsNamingTheRegion()
    {
        var (result, _) = await Bundles.BundleAsync(Image, Bundles.Options(region: TestIdentity.UsEast1));

        var act = () => ManifestVerifier.UnsealForRegion(result.Manifest, TestIdentity.EuWest1.PrivateKey, "eu-west-1");

        act.Should().Throw<BundleException>().Which.Should().Match<BundleException>(e =>
            e.Error == BundleError.KeyNotSealedForRegion
            && e.Message == "The image key of winami.manifest.xml is not sealed for region eu-west-1: it was bundled for another region's EC2 certificate. Migrate the image to eu-west-1 first.");
    }

    [Fact]
    public async Task UnsealForUser_WithAnotherUsersKey_Fails()
    {
        var (result, _) = await Bundles.BundleAsync(Image);

        var act = () => ManifestVerifier.UnsealForUser(result.Manifest, TestIdentity.OtherUser.PrivateKey);

        act.Should().Throw<BundleException>().Which.Error.Should().Be(BundleError.KeyNotSealedForUser);
    }

    [Fact]
    public async Task Unbundle_OfAManifestResignedWithAWrongImageDigest_FailsWithImageDigestMismatch()
    {
        var (result, parts) = await Bundles.BundleAsync(Image);
        var wrong = Bundles.Resign(result.Manifest with { Digest = new string('a', 40) });

        var act = () => Bundles.UnbundleAsync(wrong, ManifestVerifier.UnsealForUser(wrong, TestIdentity.User.PrivateKey), parts);

        (await act.Should().ThrowAsync<BundleException>()).Which.Should().Match<BundleException>(e =>
            e.Error == BundleError.ImageDigestMismatch
            && e.Message == $"The bundle's image digest is {result.Manifest.Digest} but the manifest says {new string('a', 40)}.");
    }

    [Fact]
    public async Task Unbundle_OfAManifestResignedWithAWrongSize_FailsWithImageSizeMismatch()
    {
        var (result, parts) = await Bundles.BundleAsync(Image);
        var wrong = Bundles.Resign(result.Manifest with { Size = 5 });

        var act = () => Bundles.UnbundleAsync(wrong, ManifestVerifier.UnsealForUser(wrong, TestIdentity.User.PrivateKey), parts);

        (await act.Should().ThrowAsync<BundleException>()).Which.Message.Should().Be("The bundle's image is 120000 bytes but the manifest's size is 5.");
    }

    [Fact]
    public async Task Unbundle_OfAManifestResignedWithAWrongBundledSize_FailsWithBundledSizeMismatch()
    {
        var (result, parts) = await Bundles.BundleAsync(Image);
        var wrong = Bundles.Resign(result.Manifest with { BundledSize = result.Manifest.BundledSize + 1 });

        var act = () => Bundles.UnbundleAsync(wrong, ManifestVerifier.UnsealForUser(wrong, TestIdentity.User.PrivateKey), parts);

        (await act.Should().ThrowAsync<BundleException>()).Which.Should().Match<BundleException>(e =>
            e.Error == BundleError.BundledSizeMismatch
            && e.Message == $"The parts of winami.manifest.xml add up to {result.Manifest.BundledSize} bytes but the manifest's bundled_size is {result.Manifest.BundledSize + 1}.");
    }

    [Fact]
    public async Task Unbundle_WithTheWrongKey_FailsAsACorruptBundle()
    {
        var (result, parts) = await Bundles.BundleAsync(Image);

        var act = () => Bundles.UnbundleAsync(result.Manifest, BundleKey.CreateRandom(), parts);

        (await act.Should().ThrowAsync<BundleException>()).Which.Error.Should().Be(BundleError.CorruptBundle);
    }

    [Fact]
    public async Task Unbundle_OfPartsInTheWrongOrder_FailsAsACorruptBundle()
    {
        var (result, parts) = await Bundles.BundleAsync(Image, Bundles.Options(partSize: 10_000));
        var swapped = Bundles.Resign(result.Manifest with
        {
            Parts = [result.Manifest.Parts[1] with { Index = 0 }, result.Manifest.Parts[0] with { Index = 1 }, .. result.Manifest.Parts.Skip(2)],
        });

        var act = () => Bundles.UnbundleAsync(swapped, ManifestVerifier.UnsealForUser(swapped, TestIdentity.User.PrivateKey), parts);

        (await act.Should().ThrowAsync<BundleException>()).Which.Error.Should().Be(BundleError.CorruptBundle);
    }
}

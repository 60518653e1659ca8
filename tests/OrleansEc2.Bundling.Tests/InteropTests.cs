using System.Security.Cryptography;
using System.Text;

namespace OrleansEc2.Bundling.Tests;

/// <summary>Bundles opened with the standard tools the classic pipeline was made of, and the other way round.</summary>
public class InteropTests
{
    [Fact]
    public async Task Bundle_OpensWithOpensslGunzipAndTar_AndItsDigestsMatchSha1sum()
    {
        using var dir = new TempDirectory();
        var image = TestImages.Create(250_000);
        File.WriteAllText(dir.File("user-key.pem"), TestIdentity.User.Pkcs1PrivateKeyPem);
        Directory.CreateDirectory(dir.File("bundle"));
        Directory.CreateDirectory(dir.File("out"));
        var result = await new BundleWriter(Bundles.Options(partSize: 30_000))
            .WriteAsync(new MemoryStream(image), new DirectoryPartSink(dir.File("bundle")));
        var manifest = result.Manifest;
        File.WriteAllBytes(dir.File("key.sealed"), Convert.FromHexString(manifest.UserEncryptedKey));
        File.WriteAllBytes(dir.File("iv.sealed"), Convert.FromHexString(manifest.UserEncryptedIv));
        var partList = string.Join(' ', manifest.Parts.Select(p => $"bundle/{p.FileName}"));

        var key = await Shell.RunAsync("openssl pkeyutl -decrypt -inkey user-key.pem -in key.sealed", dir.Path);
        var iv = await Shell.RunAsync("openssl pkeyutl -decrypt -inkey user-key.pem -in iv.sealed", dir.Path);
        await Shell.RunAsync($"cat {partList} | openssl enc -d -aes-128-cbc -K {key} -iv {iv} | gunzip | tar -x -C out", dir.Path);
        var tarDigest = await Shell.RunAsync($"cat {partList} | openssl enc -d -aes-128-cbc -K {key} -iv {iv} | gunzip | sha1sum", dir.Path);
        var partDigests = await Shell.RunAsync($"sha1sum {partList}", dir.Path);

        key.Should().MatchRegex("^[0-9a-f]{32}$");
        iv.Should().MatchRegex("^[0-9a-f]{32}$");
        File.ReadAllBytes(dir.File("out/winami")).Should().Equal(image);
        tarDigest.Split(' ')[0].Should().Be(manifest.Digest);
        partDigests.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split("  ")[0])
            .Should().Equal(manifest.Parts.Select(p => p.Digest));
    }

    [Fact]
    public async Task ManifestSignature_VerifiesWithOpensslOverTheSignedElementsAsStored()
    {
        using var dir = new TempDirectory();
        var (result, _) = await Bundles.BundleAsync(TestImages.Create(10_000));
        var text = result.ManifestXml;
        var signed = text[text.IndexOf("<machine_configuration>", StringComparison.Ordinal)..(text.IndexOf("</image>", StringComparison.Ordinal) + "</image>".Length)];
        File.WriteAllText(dir.File("signed.txt"), signed);
        File.WriteAllBytes(dir.File("signature.bin"), Convert.FromHexString(result.Manifest.Signature));
        File.WriteAllText(dir.File("user.crt"), TestIdentity.User.CertificatePem);

        var verified = await Shell.RunAsync(
            "openssl x509 -in user.crt -pubkey -noout > user.pub && openssl dgst -sha1 -verify user.pub -signature signature.bin signed.txt", dir.Path);

        verified.Should().Be("Verified OK\n");
    }

    [Fact]
    public async Task Unbundler_ReadsABundleMadeWithGnuTarGzipAndOpenssl()
    {
        using var dir = new TempDirectory();
        var image = TestImages.Create(180_000, seed: 7);
        File.WriteAllBytes(dir.File("winami"), image);
        var bundleKey = BundleKey.CreateRandom();

        await Shell.RunAsync(
            $"tar -cf - winami | tee winami.tar | gzip -6 | openssl enc -aes-128-cbc -K {bundleKey.KeyHex} -iv {bundleKey.IvHex} | split -b 20000 -d - winami.part.",
            dir.Path);
        var partFiles = Directory.GetFiles(dir.Path, "winami.part.*").Order(StringComparer.Ordinal).ToList();
        var manifest = Bundles.Resign(new Manifest
        {
            Architecture = "x86_64",
            Name = "winami",
            User = "111122223333",
            Digest = Convert.ToHexStringLower(SHA1.HashData(File.ReadAllBytes(dir.File("winami.tar")))),
            Size = image.Length,
            BundledSize = partFiles.Sum(f => new FileInfo(f).Length),
            Ec2EncryptedKey = KeySealing.Seal(bundleKey.Key, TestIdentity.UsEast1.Certificate),
            Ec2EncryptedIv = KeySealing.Seal(bundleKey.Iv, TestIdentity.UsEast1.Certificate),
            UserEncryptedKey = KeySealing.Seal(bundleKey.Key, TestIdentity.User.Certificate),
            UserEncryptedIv = KeySealing.Seal(bundleKey.Iv, TestIdentity.User.Certificate),
            Parts = partFiles.Select((f, i) => new ManifestPart(i, Path.GetFileName(f), Convert.ToHexStringLower(SHA1.HashData(File.ReadAllBytes(f))))).ToList(),
        });

        var key = ManifestVerifier.UnsealForRegion(manifest, TestIdentity.UsEast1.PrivateKey, "us-east-1");
        var unbundled = await Bundles.UnbundleAsync(manifest, key, new DirectoryPartSource(dir.Path));

        unbundled.Should().Equal(image);
    }

    [Fact]
    public async Task SealedKey_IsTheHexTextOfTheKey_AsOpensslPkeyutlDecryptsIt()
    {
        using var dir = new TempDirectory();
        var key = BundleKey.CreateRandom();
        File.WriteAllBytes(dir.File("key.sealed"), Convert.FromHexString(KeySealing.Seal(key.Key, TestIdentity.EuWest1.Certificate)));
        File.WriteAllText(dir.File("region-key.pem"), TestIdentity.EuWest1.Pkcs8PrivateKeyPem);

        var unsealed = await Shell.RunAsync("openssl pkeyutl -decrypt -inkey region-key.pem -in key.sealed", dir.Path);

        unsealed.Should().Be(key.KeyHex);
        Encoding.ASCII.GetByteCount(unsealed).Should().Be(32);
    }
}

namespace OrleansEc2.Bundling.Tests;

public class ManifestTests
{
    private static readonly byte[] Image = TestImages.Create(30_000, seed: 11);

    [Fact]
    public async Task Manifest_WrittenByTheBundler_HasThe20071010LayoutAndReadsBackEveryField()
    {
        var options = Bundles.Options(partSize: 10_000);
        var (result, _) = await Bundles.BundleAsync(Image, new BundleOptions
        {
            Prefix = options.Prefix,
            User = options.User,
            UserCertificate = options.UserCertificate,
            UserPrivateKey = options.UserPrivateKey,
            Ec2Certificate = options.Ec2Certificate,
            PartSize = options.PartSize,
            Architecture = "i386",
            KernelId = "aki-12345678",
            RamdiskId = "ari-12345678",
            ProductCodes = ["774F4FF8"],
            BlockDeviceMappings = [new("root", "/dev/sda1"), new("ami", "sda1")],
            AncestorAmiIds = ["ami-2bb65342"],
        });

        var text = result.ManifestXml;
        text.Should().StartWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest><version>2007-10-10</version><bundler><name>ec2sim</name><version>1.0</version><release>0</release></bundler>"
            + "<machine_configuration><architecture>i386</architecture><block_device_mapping><mapping><virtual>ami</virtual><device>sda1</device></mapping>"
            + "<mapping><virtual>root</virtual><device>/dev/sda1</device></mapping></block_device_mapping><kernel_id>aki-12345678</kernel_id>"
            + "<ramdisk_id>ari-12345678</ramdisk_id><product_codes><product_code>774F4FF8</product_code></product_codes></machine_configuration>"
            + "<image><name>winami</name><user>111122223333</user><type>machine</type><ancestry><ancestor_ami_id>ami-2bb65342</ancestor_ami_id></ancestry>"
            + $"<digest algorithm=\"SHA1\">{result.Manifest.Digest}</digest><size>30000</size><bundled_size>{result.Manifest.BundledSize}</bundled_size>"
            + "<ec2_encrypted_key algorithm=\"AES-128-CBC\">");
        text.Should().Contain($"<parts count=\"{result.Parts.Count}\"><part index=\"0\"><filename>winami.part.00</filename><digest algorithm=\"SHA1\">{result.Parts[0].Digest}</digest></part>");
        text.Should().EndWith($"</parts></image><signature>{result.Manifest.Signature}</signature></manifest>");

        var read = Manifest.Parse(text);
        read.Architecture.Should().Be("i386");
        read.KernelId.Should().Be("aki-12345678");
        read.RamdiskId.Should().Be("ari-12345678");
        read.ProductCodes.Should().Equal("774F4FF8");
        read.BlockDeviceMappings.Should().Equal(new BlockDeviceMapping("ami", "sda1"), new BlockDeviceMapping("root", "/dev/sda1"));
        read.AncestorAmiIds.Should().Equal("ami-2bb65342");
        read.Size.Should().Be(30_000);
        read.Parts.Should().Equal(result.Manifest.Parts);
        read.SignedText.Should().Be(text[text.IndexOf("<machine_configuration>", StringComparison.Ordinal)..(text.IndexOf("</image>", StringComparison.Ordinal) + 8)]);
    }

    [Fact]
    public void Parse_AcceptsEuca2oolsSpellingsOfBlockDeviceMappingsAndProductCodes()
    {
        var text = ManifestText(
            machine: "<architecture>x86_64</architecture><block_device_mappings><block_device_mapping><virtual>ami</virtual><device>sda1</device></block_device_mapping></block_device_mappings>"
                + "<productcodes><product_code>ABCD1234</product_code></productcodes>");

        var manifest = Manifest.Parse(text);

        manifest.BlockDeviceMappings.Should().Equal(new BlockDeviceMapping("ami", "sda1"));
        manifest.ProductCodes.Should().Equal("ABCD1234");
    }

    [Fact]
    public void Parse_OfAPrettyPrintedManifest_KeepsTheSignedTextVerbatim()
    {
        var text = ManifestText(machine: "\n    <architecture>x86_64</architecture>\n  ").Replace("<image>", "\n  <image>", StringComparison.Ordinal);

        var manifest = Manifest.Parse(text);

        manifest.SignedText.Should().StartWith("<machine_configuration>\n    <architecture>x86_64</architecture>\n  </machine_configuration><image>");
    }

    [Theory]
    [InlineData("<size>30000</size>", "", "The manifest has no image/size element.", "image/size")]
    [InlineData("<size>30000</size>", "<size>lots</size>", "The manifest's image/size 'lots' is not a number of bytes.", "image/size")]
    [InlineData("<user>111122223333</user>", "<user> </user>", "The manifest's image/user element is empty.", "image/user")]
    [InlineData("<parts count=\"1\">", "<parts count=\"2\">", "The manifest's image/parts count is 2 but it lists 1 parts.", "image/parts/@count")]
    [InlineData("<filename>winami.part.00</filename>", "<filename>../etc/passwd</filename>", "The manifest's part 0 file name '../etc/passwd' is not a plain file name.", "image/parts/part[0]/filename")]
    [InlineData("<version>2007-10-10</version>", "<version>2006-01-01</version>", "The manifest version is 2006-01-01; only 2007-10-10 is supported.", "version")]
    [InlineData("algorithm=\"AES-128-CBC\"", "algorithm=\"DES\"", "The manifest's image/ec2_encrypted_key algorithm is DES; only AES-128-CBC is supported.", "image/ec2_encrypted_key/@algorithm")]
    public void Parse_OfAManifestWithABadField_FailsNamingTheField(string original, string replacement, string message, string field)
    {
        var text = ReplaceFirst(ManifestText(), original, replacement);

        var act = () => Manifest.Parse(text);

        act.Should().Throw<BundleException>().Which.Should().Match<BundleException>(e =>
            e.Error == BundleError.InvalidManifest && e.Message == message && e.Field == field);
    }

    [Fact]
    public void Parse_OfText_ThatIsNotXml_FailsAsInvalidManifest()
    {
        var act = () => Manifest.Parse("not a manifest");

        act.Should().Throw<BundleException>().Which.Message.Should().StartWith("The manifest is not well-formed XML: ");
    }

    [Fact]
    public void Parse_OfAManifestHidingASecondImageElementBeforeTheRealOne_IsRefusedAsAmbiguous()
    {
        var text = ManifestText().Replace("<manifest>", "<manifest><!-- <image><name>decoy</name></image> -->", StringComparison.Ordinal);

        var act = () => Manifest.Parse(text);

        act.Should().Throw<BundleException>().Which.Message.Should().Be(
            "The manifest's signed text is ambiguous: the first <machine_configuration> or <image> in its text is not the element it describes.");
    }

    [Fact]
    public void Parse_OfAManifestWithADocumentTypeDeclaration_IsRefused()
    {
        var text = ManifestText().Replace("<manifest>", "<!DOCTYPE manifest [<!ENTITY x \"y\">]><manifest>", StringComparison.Ordinal);

        var act = () => Manifest.Parse(text);

        act.Should().Throw<BundleException>().Which.Error.Should().Be(BundleError.InvalidManifest);
    }

    private static string ManifestText(string machine = "<architecture>x86_64</architecture>") =>
        "<?xml version=\"1.0\"?><manifest><version>2007-10-10</version><bundler><name>euca2ools</name><version>3.4</version><release>0</release></bundler>"
        + $"<machine_configuration>{machine}</machine_configuration>"
        + $"<image><name>winami</name><user>111122223333</user><type>machine</type><digest algorithm=\"SHA1\">{new string('1', 40)}</digest>"
        + "<size>30000</size><bundled_size>1024</bundled_size>"
        + "<ec2_encrypted_key algorithm=\"AES-128-CBC\">abcd</ec2_encrypted_key><user_encrypted_key algorithm=\"AES-128-CBC\">abcd</user_encrypted_key>"
        + "<ec2_encrypted_iv>abcd</ec2_encrypted_iv><user_encrypted_iv>abcd</user_encrypted_iv>"
        + $"<parts count=\"1\"><part index=\"0\"><filename>winami.part.00</filename><digest algorithm=\"SHA1\">{new string('2', 40)}</digest></part></parts>"
        + "</image><signature>00ff</signature></manifest>";

    private static string ReplaceFirst(string text, string original, string replacement)
    {
        var at = text.IndexOf(original, StringComparison.Ordinal);
        return text[..at] + replacement + text[(at + original.Length)..];
    }
}

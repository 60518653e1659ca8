using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansEc2.Bundling;

/// <summary>
/// Writes a manifest's text in ec2-ami-tools' layout and order, signing the <c>machine_configuration</c> and
/// <c>image</c> elements exactly as written, then reads it back so the result carries its own text.
/// </summary>
internal static class ManifestSerializer
{
    public static Manifest SerializeAndSign(Manifest manifest, RSA userPrivateKey)
    {
        var machineText = MachineConfigurationText(manifest);
        var imageText = ImageText(manifest);
        var signature = userPrivateKey.SignData(
            Encoding.UTF8.GetBytes(machineText + imageText), HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

        var text = new StringBuilder()
            .Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .Append("<manifest>")
            .Append(Element("version", manifest.Version))
            .Append("<bundler>")
            .Append(Element("name", manifest.Bundler.Name))
            .Append(Element("version", manifest.Bundler.Version))
            .Append(Element("release", manifest.Bundler.Release))
            .Append("</bundler>")
            .Append(machineText)
            .Append(imageText)
            .Append(Element("signature", Convert.ToHexStringLower(signature)))
            .Append("</manifest>")
            .ToString();
        return Manifest.Parse(text);
    }

    private static string MachineConfigurationText(Manifest m)
    {
        var text = new StringBuilder("<machine_configuration>");
        if (m.Architecture is not null)
        {
            text.Append(Element("architecture", m.Architecture));
        }

        if (m.BlockDeviceMappings.Count > 0)
        {
            text.Append("<block_device_mapping>");
            foreach (var mapping in m.BlockDeviceMappings.OrderBy(b => b.Virtual, StringComparer.Ordinal))
            {
                text.Append("<mapping>").Append(Element("virtual", mapping.Virtual)).Append(Element("device", mapping.Device)).Append("</mapping>");
            }

            text.Append("</block_device_mapping>");
        }

        if (m.KernelId is not null)
        {
            text.Append(Element("kernel_id", m.KernelId));
        }

        if (m.RamdiskId is not null)
        {
            text.Append(Element("ramdisk_id", m.RamdiskId));
        }

        if (m.ProductCodes.Count > 0)
        {
            text.Append("<product_codes>");
            foreach (var code in m.ProductCodes)
            {
                text.Append(Element("product_code", code));
            }

            text.Append("</product_codes>");
        }

        return text.Append("</machine_configuration>").ToString();
    }

    private static string ImageText(Manifest m)
    {
        var text = new StringBuilder("<image>")
            .Append(Element("name", m.Name))
            .Append(Element("user", m.User))
            .Append(Element("type", m.ImageType));
        if (m.KernelName is not null)
        {
            text.Append(Element("kernel_name", m.KernelName));
        }

        if (m.AncestorAmiIds.Count > 0)
        {
            text.Append("<ancestry>");
            foreach (var id in m.AncestorAmiIds)
            {
                text.Append(Element("ancestor_ami_id", id));
            }

            text.Append("</ancestry>");
        }

        text.Append($"<digest algorithm=\"{Manifest.DigestAlgorithm}\">{m.Digest}</digest>")
            .Append(Element("size", m.Size.ToString(CultureInfo.InvariantCulture)))
            .Append(Element("bundled_size", m.BundledSize.ToString(CultureInfo.InvariantCulture)))
            .Append($"<ec2_encrypted_key algorithm=\"{Manifest.CipherAlgorithm}\">{m.Ec2EncryptedKey}</ec2_encrypted_key>")
            .Append($"<user_encrypted_key algorithm=\"{Manifest.CipherAlgorithm}\">{m.UserEncryptedKey}</user_encrypted_key>")
            .Append(Element("ec2_encrypted_iv", m.Ec2EncryptedIv))
            .Append(Element("user_encrypted_iv", m.UserEncryptedIv))
            .Append($"<parts count=\"{m.Parts.Count}\">");
        foreach (var part in m.Parts)
        {
            text.Append($"<part index=\"{part.Index}\">")
                .Append(Element("filename", part.FileName))
                .Append($"<digest algorithm=\"{Manifest.DigestAlgorithm}\">{part.Digest}</digest>")
                .Append("</part>");
        }

        return text.Append("</parts></image>").ToString();
    }

    private static string Element(string name, string value) => $"<{name}>{Escape(value)}</{name}>";

    private static string Escape(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);
}

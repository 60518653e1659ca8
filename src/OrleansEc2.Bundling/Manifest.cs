using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace OrleansEc2.Bundling;

/// <summary>The bundler that wrote a manifest (<c>manifest/bundler</c>).</summary>
public sealed record BundlerInfo(string Name, string Version, string Release)
{
    public static BundlerInfo Default { get; } = new("ec2sim", "1.0", "0");
}

/// <summary>A default block device mapping of the image (<c>virtual</c> name such as <c>ami</c>, <c>root</c>, <c>ephemeral0</c> → <c>device</c>).</summary>
public sealed record BlockDeviceMapping(string Virtual, string Device);

/// <summary>One part as the manifest lists it: index, file name, SHA-1 (hex).</summary>
public sealed record ManifestPart(int Index, string FileName, string Digest);

/// <summary>
/// A bundle manifest, version 2007-10-10, as <c>ec2-bundle-image</c> wrote it and EC2 read it. <see cref="Parse"/>
/// reads one (accepting the spelling variants of other bundlers) and keeps the text as stored, because the signature
/// covers the exact text of <c>&lt;machine_configuration&gt;</c> followed by <c>&lt;image&gt;</c>.
/// </summary>
public sealed record Manifest
{
    public const string CurrentVersion = "2007-10-10";
    public const string DigestAlgorithm = "SHA1";
    public const string CipherAlgorithm = "AES-128-CBC";

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreWhitespace = true,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    public string Version { get; init; } = CurrentVersion;

    public BundlerInfo Bundler { get; init; } = BundlerInfo.Default;

    /// <summary><c>machine_configuration/architecture</c>: <c>i386</c> or <c>x86_64</c>.</summary>
    public string? Architecture { get; init; }

    public IReadOnlyList<BlockDeviceMapping> BlockDeviceMappings { get; init; } = [];

    public string? KernelId { get; init; }

    public string? RamdiskId { get; init; }

    public IReadOnlyList<string> ProductCodes { get; init; } = [];

    /// <summary><c>image/name</c>: the bundle's prefix.</summary>
    public required string Name { get; init; }

    /// <summary><c>image/user</c>: the account id of the user who bundled.</summary>
    public required string User { get; init; }

    /// <summary><c>image/type</c>: <c>machine</c>, <c>kernel</c> or <c>ramdisk</c>.</summary>
    public string ImageType { get; init; } = "machine";

    public string? KernelName { get; init; }

    public IReadOnlyList<string> AncestorAmiIds { get; init; } = [];

    /// <summary><c>image/digest</c>: SHA-1 (hex) of the tar stream, before compression.</summary>
    public required string Digest { get; init; }

    /// <summary><c>image/size</c>: the size of the image in bytes (what the classic tools wrote: the image file's size).</summary>
    public required long Size { get; init; }

    /// <summary><c>image/bundled_size</c>: the sum of the part sizes.</summary>
    public required long BundledSize { get; init; }

    /// <summary>The hex text of the AES key, RSA-sealed to the region's EC2 certificate, hex-encoded.</summary>
    public required string Ec2EncryptedKey { get; init; }

    public required string UserEncryptedKey { get; init; }

    public required string Ec2EncryptedIv { get; init; }

    public required string UserEncryptedIv { get; init; }

    public required IReadOnlyList<ManifestPart> Parts { get; init; }

    /// <summary><c>signature</c>: hex RSA-SHA1 by the user's key over <see cref="SignedText"/>.</summary>
    public string Signature { get; init; } = "";

    /// <summary>The manifest's text as stored, when it was parsed.</summary>
    public string? Text { get; init; }

    /// <summary>The exact text the signature covers: the <c>machine_configuration</c> element then the <c>image</c> element, verbatim.</summary>
    public string? SignedText { get; init; }

    /// <summary>The manifest's file name for a prefix: <c>PREFIX.manifest.xml</c>.</summary>
    public string FileName => PartNames.ManifestFor(Name);

    /// <summary>
    /// Reads a manifest. Throws <see cref="BundleException"/> (<see cref="BundleError.InvalidManifest"/>) naming the
    /// first missing or malformed field. Does not check the signature (see <see cref="ManifestVerifier"/>).
    /// </summary>
    public static Manifest Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), ReaderSettings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw Invalid($"The manifest is not well-formed XML: {e.Message}", null, e);
        }

        var root = document.Root!;
        if (root.Name != "manifest")
        {
            throw Invalid($"The manifest's root element is <{root.Name}>, not <manifest>.", "manifest");
        }

        var version = RequiredText(root, "version");
        if (version != CurrentVersion)
        {
            throw Invalid($"The manifest version is {version}; only {CurrentVersion} is supported.", "version");
        }

        var bundler = root.Element("bundler");
        var machine = root.Element("machine_configuration");
        var image = root.Element("image") ?? throw Invalid("The manifest has no image element.", "image");

        var manifest = new Manifest
        {
            Version = version,
            Bundler = new BundlerInfo(
                OptionalText(bundler, "name") ?? "",
                OptionalText(bundler, "version") ?? "",
                OptionalText(bundler, "release") ?? ""),
            Architecture = OptionalText(machine, "architecture"),
            BlockDeviceMappings = ReadBlockDeviceMappings(machine),
            KernelId = OptionalText(machine, "kernel_id"),
            RamdiskId = OptionalText(machine, "ramdisk_id"),
            ProductCodes = ReadProductCodes(machine),
            Name = RequiredText(image, "name", "image/name"),
            User = RequiredText(image, "user", "image/user"),
            ImageType = RequiredText(image, "type", "image/type"),
            KernelName = OptionalText(image, "kernel_name"),
            AncestorAmiIds = image.Element("ancestry")?.Elements("ancestor_ami_id").Select(e => e.Value.Trim()).Where(v => v.Length > 0).ToList() ?? [],
            Digest = RequiredSha1(image, "digest", "image/digest"),
            Size = RequiredSize(image, "size", "image/size"),
            BundledSize = RequiredSize(image, "bundled_size", "image/bundled_size"),
            Ec2EncryptedKey = RequiredHex(image, "ec2_encrypted_key", "image/ec2_encrypted_key"),
            UserEncryptedKey = RequiredHex(image, "user_encrypted_key", "image/user_encrypted_key"),
            Ec2EncryptedIv = RequiredHex(image, "ec2_encrypted_iv", "image/ec2_encrypted_iv"),
            UserEncryptedIv = RequiredHex(image, "user_encrypted_iv", "image/user_encrypted_iv"),
            Parts = ReadParts(image),
            Signature = RequiredHex(root, "signature", "signature"),
            Text = text,
            SignedText = ExtractSignedText(text, machine, image),
        };

        CheckAlgorithm(image.Element("digest")!, DigestAlgorithm, "image/digest");
        CheckAlgorithm(image.Element("ec2_encrypted_key")!, CipherAlgorithm, "image/ec2_encrypted_key");
        CheckAlgorithm(image.Element("user_encrypted_key")!, CipherAlgorithm, "image/user_encrypted_key");
        return manifest;
    }

    // The signed text is cut from the stored text the way ec2-ami-tools' XMLUtil.get_xml cut it (from the first start
    // tag to the first end tag), then checked to be the very elements the fields were read from, so that a second
    // <image> hidden elsewhere cannot make the signature cover other content than the one used.
    private static string ExtractSignedText(string text, XElement? machine, XElement image)
    {
        var machineText = Cut(text, "machine_configuration") ?? "";
        var imageText = Cut(text, "image")
            ?? throw Invalid("The manifest's <image> element cannot be located in its text (it must be written as <image>…</image>).", "image");

        if (!SameElement(imageText, image) || (machine is null ? machineText.Length != 0 : !SameElement(machineText, machine)))
        {
            throw Invalid("The manifest's signed text is ambiguous: the first <machine_configuration> or <image> in its text is not the element it describes.", "image");
        }

        return machineText + imageText;
    }

    private static string? Cut(string text, string element)
    {
        var startTag = $"<{element}>";
        var endTag = $"</{element}>";
        var start = text.IndexOf(startTag, StringComparison.Ordinal);
        if (start < 0)
        {
            var empty = text.IndexOf($"<{element}/>", StringComparison.Ordinal);
            return empty < 0 ? null : $"<{element}/>";
        }

        var end = text.IndexOf(endTag, start, StringComparison.Ordinal);
        return end < 0 ? null : text[start..(end + endTag.Length)];
    }

    private static bool SameElement(string fragment, XElement element)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(fragment), ReaderSettings);
            return XNode.DeepEquals(XElement.Load(reader), element);
        }
        catch (XmlException)
        {
            return false;
        }
    }

    private static List<BlockDeviceMapping> ReadBlockDeviceMappings(XElement? machine)
    {
        if (machine is null)
        {
            return [];
        }

        // ec2-ami-tools: block_device_mapping/mapping; euca2ools reads block_device_mappings/block_device_mapping.
        var mappings = machine.Elements("block_device_mapping").Elements("mapping")
            .Concat(machine.Elements("block_device_mappings").Elements("block_device_mapping"));
        return mappings.Select(m => new BlockDeviceMapping(
                RequiredText(m, "virtual", "machine_configuration/block_device_mapping/mapping/virtual"),
                RequiredText(m, "device", "machine_configuration/block_device_mapping/mapping/device")))
            .ToList();
    }

    private static List<string> ReadProductCodes(XElement? machine)
    {
        if (machine is null)
        {
            return [];
        }

        return machine.Elements("product_codes").Concat(machine.Elements("productcodes"))
            .Elements("product_code").Select(e => e.Value.Trim()).Where(v => v.Length > 0).ToList();
    }

    private static List<ManifestPart> ReadParts(XElement image)
    {
        var parts = image.Element("parts") ?? throw Invalid("The manifest has no image/parts element.", "image/parts");
        var countText = parts.Attribute("count")?.Value.Trim();
        if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            throw Invalid($"The manifest's image/parts count '{countText}' is not a positive number.", "image/parts/@count");
        }

        var byIndex = new ManifestPart?[count];
        var listed = 0;
        foreach (var part in parts.Elements("part"))
        {
            listed++;
            var indexText = part.Attribute("index")?.Value.Trim();
            if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= count)
            {
                throw Invalid($"The manifest lists a part with index '{indexText}', outside 0..{count - 1}.", "image/parts/part/@index");
            }

            if (byIndex[index] is not null)
            {
                throw Invalid($"The manifest lists part {index} twice.", "image/parts/part/@index");
            }

            var fileName = RequiredText(part, "filename", $"image/parts/part[{index}]/filename");
            if (!PartNames.IsPlainFileName(fileName))
            {
                throw Invalid($"The manifest's part {index} file name '{fileName}' is not a plain file name.", $"image/parts/part[{index}]/filename");
            }

            var digest = RequiredSha1(part, "digest", $"image/parts/part[{index}]/digest");
            CheckAlgorithm(part.Element("digest")!, DigestAlgorithm, $"image/parts/part[{index}]/digest");
            byIndex[index] = new ManifestPart(index, fileName, digest);
        }

        if (listed != count)
        {
            throw Invalid($"The manifest's image/parts count is {count} but it lists {listed} parts.", "image/parts/@count");
        }

        return byIndex.Select(p => p!).ToList();
    }

    private static string RequiredText(XElement parent, string name, string? field = null)
    {
        field ??= name;
        var element = parent.Element(name) ?? throw Invalid($"The manifest has no {field} element.", field);
        var value = element.Value.Trim();
        return value.Length > 0 ? value : throw Invalid($"The manifest's {field} element is empty.", field);
    }

    private static string? OptionalText(XElement? parent, string name)
    {
        var value = parent?.Element(name)?.Value.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static long RequiredSize(XElement parent, string name, string field)
    {
        var text = RequiredText(parent, name, field);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid($"The manifest's {field} '{text}' is not a number of bytes.", field);
    }

    private static string RequiredSha1(XElement parent, string name, string field)
    {
        var text = RequiredHex(parent, name, field);
        return text.Length == 40 ? text : throw Invalid($"The manifest's {field} '{text}' is not a SHA-1 (40 hex digits).", field);
    }

    private static string RequiredHex(XElement parent, string name, string field)
    {
        var text = RequiredText(parent, name, field);
        if (text.Length % 2 != 0 || !text.All(char.IsAsciiHexDigit))
        {
            throw Invalid($"The manifest's {field} is not hex.", field);
        }

        return text.ToLowerInvariant();
    }

    private static void CheckAlgorithm(XElement element, string expected, string field)
    {
        var algorithm = element.Attribute("algorithm")?.Value.Trim();
        if (algorithm is not null && !string.Equals(algorithm, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid($"The manifest's {field} algorithm is {algorithm}; only {expected} is supported.", field + "/@algorithm");
        }
    }

    private static BundleException Invalid(string message, string? field, Exception? inner = null) =>
        new(BundleError.InvalidManifest, message, inner) { Field = field };
}

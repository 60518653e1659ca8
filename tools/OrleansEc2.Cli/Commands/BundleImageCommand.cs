using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using OrleansEc2.Bundling;
using Spectre.Console;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-bundle-image</c>: bundles a raw image file as it is (no sysprep) into parts and a signed manifest, with the
/// classic AMI tools' flags and output.
/// </summary>
internal sealed partial class BundleImageCommand : BaseCommand
{
    public const string CommandName = "ec2-bundle-image";
    private const string DefaultArchitecture = "x86_64";

    private static readonly Option<string> ImageOption = new("--image", "-i")
    {
        Description = "The path to the image to bundle.",
        HelpName = "IMAGE",
        Required = true,
    };

    private static readonly Option<string> CertOption = new("--cert", "-c")
    {
        Description = "The user's PEM encoded RSA public key certificate file.",
        HelpName = "CERT",
        Required = true,
    };

    private static readonly Option<string> PrivateKeyOption = new("--privatekey", "-k")
    {
        Description = "The path to the user's PEM encoded RSA private key file (PKCS#1 or PKCS#8). It signs the manifest; keep it to unbundle the image.",
        HelpName = "PRIVATEKEY",
        Required = true,
    };

    private static readonly Option<string> UserOption = new("--user", "-u")
    {
        Description = "The user's AWS account ID, without dashes.",
        HelpName = "ACCOUNT",
        Required = true,
    };

    private static readonly Option<string> Ec2CertOption = new("--ec2cert")
    {
        Description = "The region's EC2 X.509 certificate the image key is sealed to.",
        HelpName = "EC2CERT",
        Required = true,
    };

    private static readonly Option<string> DestinationOption = new("--destination", "-d")
    {
        Description = "The directory in which to create the bundle (it must exist). Default: the temporary directory.",
        HelpName = "DESTDIR",
    };

    private static readonly Option<string> PrefixOption = new("--prefix", "-p")
    {
        Description = "The file name prefix for the bundle's files. Default: the image's file name.",
        HelpName = "PREFIX",
    };

    private static readonly Option<string> ArchOption = CreateArchOption();

    private static readonly Option<string> ProductCodesOption = new("--productcodes")
    {
        Description = "Product codes to attach to the image at registration time, separated by commas.",
        HelpName = "CODE1,CODE2,...",
    };

    private static readonly Option<string> BlockDeviceMappingOption = new("--block-device-mapping", "-B")
    {
        Description = "Default block device mappings as VIRTUAL=DEVICE pairs separated by commas (virtual names: ami, root, swap, ephemeralN).",
        HelpName = "MAPPING",
    };

    private static readonly Option<string> KernelOption = new("--kernel")
    {
        Description = "The ID of the kernel to launch the image with.",
        HelpName = "KERNEL_ID",
    };

    private static readonly Option<string> RamdiskOption = new("--ramdisk")
    {
        Description = "The ID of the RAM disk to launch the image with.",
        HelpName = "RAMDISK_ID",
    };

    private static readonly Option<string> PartSizeOption = new("--part-size")
    {
        Description = "The size of each part, in bytes or with a k/m/g suffix. Default: 10m.",
        HelpName = "SIZE",
    };

    private static readonly Option<int?> CompressionLevelOption = new("--compression-level")
    {
        Description = $"The zlib compression level, 1 (fastest) to 9 (smallest). Default: {BundleOptions.DefaultCompressionLevel}.",
        HelpName = "LEVEL",
    };

    private static readonly Option<bool> BatchOption = new("--batch")
    {
        Description = "Run without interactive prompts.",
    };

    public BundleImageCommand(CliConsole console)
        : base(CommandName, "Bundle an image file into parts and a signed manifest (compress, encrypt, sign, split).", console)
    {
        AddShortAlias();
        Options.Add(ImageOption);
        Options.Add(CertOption);
        Options.Add(PrivateKeyOption);
        Options.Add(UserOption);
        Options.Add(DestinationOption);
        Options.Add(PrefixOption);
        Options.Add(Ec2CertOption);
        Options.Add(ArchOption);
        Options.Add(ProductCodesOption);
        Options.Add(BlockDeviceMappingOption);
        Options.Add(KernelOption);
        Options.Add(RamdiskOption);
        Options.Add(PartSizeOption);
        Options.Add(CompressionLevelOption);
        Options.Add(BatchOption);
    }

    public override string Usage =>
        "ec2sim ec2-bundle-image -i IMAGE -c CERT -k PRIVATEKEY -u ACCOUNT --ec2cert EC2CERT [-d DESTDIR] [-p PREFIX] [-r i386|x86_64] "
        + "[--productcodes CODE1,CODE2,...] [-B VIRTUAL=DEVICE,...] [--kernel KERNEL_ID] [--ramdisk RAMDISK_ID] [--batch]";

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var user = parseResult.GetRequiredValue(UserOption).Replace("-", "", StringComparison.Ordinal);
        if (!AccountId().IsMatch(user))
        {
            throw CliException.Usage($"Invalid value for --user: '{parseResult.GetRequiredValue(UserOption)}' is not a 12-digit AWS account ID.");
        }

        var imagePath = ExistingFile(parseResult.GetRequiredValue(ImageOption));
        var prefix = parseResult.GetValue(PrefixOption) ?? Path.GetFileName(imagePath);
        if (!BundlePrefix().IsMatch(prefix))
        {
            throw CliException.Usage($"Invalid value for --prefix: '{prefix}' may only contain letters, digits, '.', '-' and '_'.");
        }

        var mappings = ParseBlockDeviceMappings(parseResult.GetValue(BlockDeviceMappingOption));
        var productCodes = (parseResult.GetValue(ProductCodesOption) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var partSize = ParsePartSize(parseResult.GetValue(PartSizeOption));
        var level = parseResult.GetValue(CompressionLevelOption) ?? BundleOptions.DefaultCompressionLevel;
        if (level is < 1 or > 9)
        {
            throw CliException.Usage($"Invalid value for --compression-level: {level} is not between 1 and 9.");
        }

        var certPath = ExistingFile(parseResult.GetRequiredValue(CertOption));
        var keyPath = ExistingFile(parseResult.GetRequiredValue(PrivateKeyOption));
        var ec2CertPath = ExistingFile(parseResult.GetRequiredValue(Ec2CertOption));
        var destination = ExistingDirectory(parseResult.GetValue(DestinationOption) ?? Path.GetTempPath());
        using var userCertificate = PemKeys.LoadCertificate(certPath);
        using var userKey = PemKeys.LoadPrivateKey(keyPath);
        using var ec2Certificate = PemKeys.LoadCertificate(ec2CertPath);
        var architecture = parseResult.GetValue(ArchOption) ?? await AskArchitectureAsync(parseResult.GetValue(BatchOption), cancellationToken);

        var options = new BundleOptions
        {
            Prefix = prefix,
            User = user,
            UserCertificate = userCertificate,
            UserPrivateKey = userKey,
            Ec2Certificate = ec2Certificate,
            Architecture = architecture,
            KernelId = parseResult.GetValue(KernelOption),
            RamdiskId = parseResult.GetValue(RamdiskOption),
            ProductCodes = productCodes,
            BlockDeviceMappings = mappings,
            PartSize = partSize,
            CompressionLevel = level,
        };

        Console.Out.WriteLine("Bundling image file...");
        Console.Out.WriteLine($"Splitting {Path.Combine(destination, prefix)}.tar.gz.enc...");
        var sink = new AnnouncingPartSink(new DirectoryPartSink(destination), Console.Out);
        BundleResult result;
        try
        {
            await using var image = new FileStream(imagePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
            result = await new BundleWriter(options).WriteAsync(image, sink, cancellationToken: cancellationToken);
        }
        catch
        {
            // A failed bundle leaves no parts behind that a later manifest could be mistaken to describe.
            foreach (var written in sink.Written)
            {
                File.Delete(Path.Combine(destination, written));
            }

            throw;
        }

        Console.Out.WriteLine("Generating digests for each part...");
        Console.Out.WriteLine("Digests generated.");
        Console.Out.WriteLine("Creating bundle manifest...");
        var manifestPath = Path.Combine(destination, result.ManifestFileName);
        await File.WriteAllTextAsync(manifestPath, result.ManifestXml, cancellationToken);
        Console.Out.WriteLine($"Bundle manifest is {manifestPath}");
        Console.Out.WriteLine("ec2-bundle-image complete.");
        return ExitCodes.Success;
    }

    private static Option<string> CreateArchOption()
    {
        var option = new Option<string>("--arch", "-r")
        {
            Description = "The image architecture. Asked for when not given, unless --batch.",
            HelpName = "ARCH",
        };
        option.AcceptOnlyFromAmong("i386", "x86_64");
        return option;
    }

    private async Task<string> AskArchitectureAsync(bool batch, CancellationToken cancellationToken)
    {
        if (batch)
        {
            return DefaultArchitecture;
        }

        Console.Out.Write($"Please specify a value for arch [{DefaultArchitecture}]: ");
        var answer = (await Console.In.ReadLineAsync(cancellationToken))?.Trim();
        Console.Out.WriteLine();
        return answer switch
        {
            null or "" => DefaultArchitecture,
            "i386" or "x86_64" => answer,
            _ => throw CliException.Usage($"Invalid value for arch: '{answer}' (expected i386 or x86_64)."),
        };
    }

    private static List<BlockDeviceMapping> ParseBlockDeviceMappings(string? text)
    {
        var mappings = new List<BlockDeviceMapping>();
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw CliException.Usage($"Invalid value for --block-device-mapping: '{pair}' is not VIRTUAL=DEVICE.");
            }

            mappings.Add(new BlockDeviceMapping(parts[0], parts[1]));
        }

        return mappings;
    }

    private static int ParsePartSize(string? text)
    {
        if (text is null)
        {
            return BundleOptions.DefaultPartSize;
        }

        var match = PartSize().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            throw CliException.Usage($"Invalid value for --part-size: '{text}' is not a size such as 10485760 or 10m.");
        }

        var multiplier = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "k" => 1024L,
            "m" => 1024L * 1024,
            "g" => 1024L * 1024 * 1024,
            _ => 1L,
        };
        var size = number * multiplier;
        return size is >= 16 and <= int.MaxValue
            ? (int)size
            : throw CliException.Usage($"Invalid value for --part-size: '{text}' must be between 16 bytes and 2 GiB.");
    }

    [GeneratedRegex(@"^\d{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,200}$")]
    private static partial Regex BundlePrefix();

    [GeneratedRegex(@"^(\d+)([kKmMgG]?)$")]
    private static partial Regex PartSize();

    /// <summary>Announces each part as it is written, as the classic tool's split step did.</summary>
    private sealed class AnnouncingPartSink(IPartSink inner, IAnsiConsole output) : IPartSink
    {
        public List<string> Written { get; } = [];

        public async Task WritePartAsync(BundlePart part, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            Written.Add(part.FileName);
            await inner.WritePartAsync(part, content, cancellationToken);
            output.WriteLine($"Created {part.FileName}");
        }
    }
}

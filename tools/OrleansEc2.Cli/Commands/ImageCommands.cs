using System.CommandLine;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;
using OrleansEc2.Cli.Waiting;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-register BUCKET/PREFIX.manifest.xml [-n NAME] [-d DESCRIPTION] [-a ARCH]</c>: registers a bundle as an AMI
/// of the region the command acts in: <c>IMAGE ami-…</c>.
/// </summary>
internal sealed class RegisterCommand : ServiceCommand
{
    private const string ManifestSuffix = ".manifest.xml";

    private static readonly Argument<string> ManifestArgument = new("MANIFEST")
    {
        Description = "Where the bundle's manifest is: BUCKET/PREFIX.manifest.xml.",
    };

    private static readonly Option<string> NameOption = new("--name", "-n")
    {
        Description = "The image's name. Default: the manifest's prefix (winami for mybucket/winami.manifest.xml).",
        HelpName = "NAME",
    };

    private static readonly Option<string> DescriptionOption = new("--description", "-d")
    {
        Description = "The image's description.",
        HelpName = "DESCRIPTION",
    };

    private static readonly Option<string> ArchitectureOption = CreateArchitectureOption();

    public RegisterCommand(CliConsole console)
        : base("ec2-register", "Register a bundle's manifest as an image: IMAGE ami-….", console)
    {
        AddShortAlias();
        Aliases.Add("ec2-register-image");
        Aliases.Add("register-image");
        Arguments.Add(ManifestArgument);
        Options.Add(NameOption);
        Options.Add(DescriptionOption);
        Options.Add(ArchitectureOption);
    }

    public override string Usage => "ec2sim ec2-register BUCKET/PREFIX.manifest.xml [-n NAME] [-d DESCRIPTION] [-a i386|x86_64]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var location = parseResult.GetRequiredValue(ManifestArgument);
        var slash = location.IndexOf('/');
        if (slash <= 0 || slash == location.Length - 1)
        {
            throw CliException.Usage($"Invalid manifest location '{location}': expected BUCKET/PREFIX.manifest.xml.");
        }

        var response = await session.Ec2().RegisterImageAsync(
            new RegisterImageRequest
            {
                ImageLocation = location,
                Name = parseResult.GetValue(NameOption) ?? DefaultName(location),
                Description = parseResult.GetValue(DescriptionOption),
                Architecture = parseResult.GetValue(ArchitectureOption),
            },
            cancellationToken);
        output.Add("images", Ec2Records.ImageId(response.ImageId));
        return ExitCodes.Success;
    }

    /// <summary>The manifest's prefix: the file name without <c>.manifest.xml</c>.</summary>
    public static string DefaultName(string location)
    {
        var file = location[(location.LastIndexOf('/') + 1)..];
        return file.EndsWith(ManifestSuffix, StringComparison.Ordinal) && file.Length > ManifestSuffix.Length ? file[..^ManifestSuffix.Length] : file;
    }

    private static Option<string> CreateArchitectureOption()
    {
        var option = new Option<string>("--architecture", "-a")
        {
            Description = "The image's architecture. Default: the manifest's.",
            HelpName = "ARCH",
        };
        option.AcceptOnlyFromAmong("i386", "x86_64");
        return option;
    }
}

/// <summary><c>ec2-deregister AMI</c>: <c>IMAGE ami-…</c>; instances already launched from it run on.</summary>
internal sealed class DeregisterCommand : ServiceCommand
{
    private static readonly Argument<string> ImageArgument = new("AMI")
    {
        Description = "The image to deregister.",
    };

    public DeregisterCommand(CliConsole console)
        : base("ec2-deregister", "Deregister an image: IMAGE ami-….", console)
    {
        AddShortAlias();
        Aliases.Add("ec2-deregister-image");
        Aliases.Add("deregister-image");
        Arguments.Add(ImageArgument);
    }

    public override string Usage => "ec2sim ec2-deregister AMI";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var imageId = parseResult.GetRequiredValue(ImageArgument);
        await session.Ec2().DeregisterImageAsync(new DeregisterImageRequest { ImageId = imageId }, cancellationToken);
        output.Add("images", Ec2Records.ImageId(imageId));
        return ExitCodes.Success;
    }
}

/// <summary>
/// <c>ec2-copy-image -r SOURCE_REGION -s AMI [-n NAME] [-d DESCRIPTION]</c>: copies an image into the region the
/// command acts in (<c>--region</c>): <c>IMAGE ami-…</c>, the copy.
/// </summary>
internal sealed class CopyImageCommand : ServiceCommand
{
    private static readonly Option<string> SourceRegionOption = new("--source-region", "-r")
    {
        Description = "The region the image is in.",
        HelpName = "REGION",
        Required = true,
    };

    private static readonly Option<string> SourceImageOption = new("--source-ami-id", "-s")
    {
        Description = "The image to copy.",
        HelpName = "AMI",
        Required = true,
    };

    private static readonly Option<string> NameOption = new("--name", "-n")
    {
        Description = "The copy's name. Default: the source image's.",
        HelpName = "NAME",
    };

    private static readonly Option<string> DescriptionOption = new("--description", "-d")
    {
        Description = "The copy's description.",
        HelpName = "DESCRIPTION",
    };

    private static readonly Option<string> ClientTokenOption = new("--client-token", "-c")
    {
        Description = "A token that makes the copy idempotent.",
        HelpName = "TOKEN",
    };

    private static readonly Option<bool> WaitOption = new("--wait")
    {
        Description = "Wait until the copy is available (its bundle copied and re-sealed), showing its state.",
    };

    public CopyImageCommand(CliConsole console)
        : base("ec2-copy-image", "Copy an image from another region into this one (--region): IMAGE ami-….", console)
    {
        AddShortAlias();
        Options.Add(SourceRegionOption);
        Options.Add(SourceImageOption);
        Options.Add(NameOption);
        Options.Add(DescriptionOption);
        Options.Add(ClientTokenOption);
        Options.Add(WaitOption);
    }

    public override string Usage => "ec2sim ec2-copy-image -r SOURCE_REGION -s AMI [-n NAME] [-d DESCRIPTION] [-c TOKEN] [--region DESTINATION_REGION] [--wait]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var sourceRegion = parseResult.GetRequiredValue(SourceRegionOption);
        var sourceImage = parseResult.GetRequiredValue(SourceImageOption);
        var name = parseResult.GetValue(NameOption);
        if (name is null)
        {
            var source = await session.Ec2(sourceRegion).DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [sourceImage] }, cancellationToken);
            name = source.Images?.FirstOrDefault()?.Name;
        }

        var response = await session.Ec2().CopyImageAsync(
            new CopyImageRequest
            {
                SourceRegion = sourceRegion,
                SourceImageId = sourceImage,
                Name = name,
                Description = parseResult.GetValue(DescriptionOption),
                ClientToken = parseResult.GetValue(ClientTokenOption),
            },
            cancellationToken);
        if (!parseResult.GetValue(WaitOption))
        {
            output.Add("images", Ec2Records.ImageId(response.ImageId));
            return ExitCodes.Success;
        }

        output.Progress(Ec2Records.ImageId(response.ImageId));
        var copy = (await Waiter.WaitAsync(
            Console,
            output,
            new Dictionary<string, WaitStatus>(),
            async token => (IReadOnlyList<Image>)((await session.Ec2().DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [response.ImageId] }, token)).Images ?? []),
            image => (image.ImageId, new WaitStatus($"{image.ImageId} {image.State?.Value}", null, image.State?.Value != "pending", Ec2Records.Image(image))),
            cancellationToken)).Single();
        if (output.IsJson)
        {
            output.Add("images", Ec2Records.Image(copy));
        }

        if (copy.State?.Value != "available")
        {
            output.Complete();
            throw TaskErrors.Failed($"The copy {copy.ImageId}", "ImageCopyFailed", copy.StateReason?.Message);
        }

        return ExitCodes.Success;
    }
}

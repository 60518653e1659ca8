using System.CommandLine;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-describe-images [AMI ...] [-o self|amazon|ACCOUNT] [-x self|all|ACCOUNT] [-a]</c>: <c>IMAGE</c> lines. With
/// neither ids nor options, the images the account owns and those it was given launch permission for; <c>-a</c> all
/// the images it can launch, public ones included.
/// </summary>
internal sealed class DescribeImagesCommand : ServiceCommand
{
    private static readonly Argument<string[]> ImagesArgument = new("AMI")
    {
        Description = "The images to describe.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string[]> OwnerOption = new("--owner", "-o")
    {
        Description = "Only images owned by this owner: self, amazon or an account id (repeatable).",
        HelpName = "OWNER",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string[]> ExecutableByOption = new("--executable-by", "-x")
    {
        Description = "Only images this account may launch by an explicit permission: self, all or an account id (repeatable).",
        HelpName = "ACCOUNT",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<bool> AllOption = new("--all", "-a")
    {
        Description = "All the images the account can launch, public ones included.",
    };

    private static readonly Option<string[]> FilterOption = Filters.CreateOption("platform=windows");

    public DescribeImagesCommand(CliConsole console)
        : base("ec2-describe-images", "Describe images: IMAGE id location owner state visibility product-codes architecture type kernel ramdisk platform root-device-type virtualization hypervisor.", console)
    {
        AddShortAlias();
        Arguments.Add(ImagesArgument);
        Options.Add(OwnerOption);
        Options.Add(ExecutableByOption);
        Options.Add(AllOption);
        Options.Add(FilterOption);
    }

    public override string Usage => "ec2sim ec2-describe-images [AMI ...] [-a] [-o self|amazon|ACCOUNT ...] [-x self|all|ACCOUNT ...] [-F NAME=VALUE ...]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var ids = parseResult.GetValue(ImagesArgument) ?? [];
        var owners = parseResult.GetValue(OwnerOption) ?? [];
        var executableBy = parseResult.GetValue(ExecutableByOption) ?? [];
        var all = parseResult.GetValue(AllOption);
        var filters = RequestLists.OrNull(Filters.Parse(parseResult.GetValue(FilterOption)));
        if (all && (ids.Length > 0 || owners.Length > 0 || executableBy.Length > 0))
        {
            throw CliException.Usage("-a/--all describes every image: it goes with neither image ids nor -o or -x.");
        }

        var ec2 = session.Ec2();
        List<Image> images;
        if (all || ids.Length > 0 || owners.Length > 0 || executableBy.Length > 0)
        {
            var response = await ec2.DescribeImagesAsync(
                new DescribeImagesRequest
                {
                    ImageIds = RequestLists.OrNull(ids),
                    Owners = RequestLists.OrNull(owners),
                    ExecutableUsers = RequestLists.OrNull(executableBy),
                    Filters = filters,
                },
                cancellationToken);
            images = response.Images ?? [];
        }
        else
        {
            var owned = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"], Filters = filters }, cancellationToken);
            var shared = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ExecutableUsers = ["self"], Filters = filters }, cancellationToken);
            images = [.. (owned.Images ?? []).Concat(shared.Images ?? [])];
        }

        output.Collection("images");
        foreach (var image in images.DistinctBy(i => i.ImageId).OrderBy(i => i.ImageId, StringComparer.Ordinal))
        {
            output.Add("images", Ec2Records.Image(image));
        }

        return ExitCodes.Success;
    }
}

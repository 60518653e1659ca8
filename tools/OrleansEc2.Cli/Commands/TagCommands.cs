using System.CommandLine;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary><c>KEY</c> or <c>KEY=VALUE</c> of the tag commands' <c>--tag</c>.</summary>
internal static class TagArguments
{
    public static Option<string[]> CreateOption(bool required) => new("--tag")
    {
        Description = "A tag, KEY or KEY=VALUE (repeatable).",
        HelpName = "KEY[=VALUE]",
        Arity = ArgumentArity.OneOrMore,
        Required = required,
    };

    public static Tag Parse(string text, bool valueRequired)
    {
        var equals = text.IndexOf('=');
        var key = equals < 0 ? text : text[..equals];
        if (key.Length == 0)
        {
            throw CliException.Usage($"Invalid value for --tag: '{text}' has no key (KEY or KEY=VALUE).");
        }

        return new Tag { Key = key, Value = equals < 0 ? (valueRequired ? "" : null) : text[(equals + 1)..] };
    }
}

/// <summary><c>ec2-create-tags RESOURCE ... --tag KEY[=VALUE] ...</c>: a <c>TAG type id key value</c> line per resource and tag.</summary>
internal sealed class CreateTagsCommand : ServiceCommand
{
    private static readonly Argument<string[]> ResourcesArgument = new("RESOURCE")
    {
        Description = "The resources to tag (instances, images).",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string[]> TagOption = TagArguments.CreateOption(required: true);

    public CreateTagsCommand(CliConsole console)
        : base("ec2-create-tags", "Tag resources: TAG type id key value.", console)
    {
        AddShortAlias();
        Arguments.Add(ResourcesArgument);
        Options.Add(TagOption);
    }

    public override string Usage => "ec2sim ec2-create-tags RESOURCE [RESOURCE ...] --tag KEY[=VALUE] [--tag ...]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var resources = (parseResult.GetValue(ResourcesArgument) ?? []).ToList();
        var tags = (parseResult.GetValue(TagOption) ?? []).Select(t => TagArguments.Parse(t, valueRequired: true)).ToList();
        await session.Ec2().CreateTagsAsync(new CreateTagsRequest { Resources = resources, Tags = tags }, cancellationToken);
        output.Collection("tags");
        foreach (var resource in resources)
        {
            foreach (var tag in tags)
            {
                output.Add("tags", Ec2Records.Tag(Ec2Records.ResourceType(resource), resource, tag.Key, tag.Value));
            }
        }

        return ExitCodes.Success;
    }
}

/// <summary><c>ec2-describe-tags [-F NAME=VALUE ...]</c>: <c>TAG type id key value</c> lines.</summary>
internal sealed class DescribeTagsCommand : ServiceCommand
{
    private static readonly Option<string[]> FilterOption = Filters.CreateOption("resource-type=instance");

    public DescribeTagsCommand(CliConsole console)
        : base("ec2-describe-tags", "Describe tags: TAG type id key value.", console)
    {
        AddShortAlias();
        Options.Add(FilterOption);
    }

    public override string Usage => "ec2sim ec2-describe-tags [-F NAME=VALUE ...]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var request = new DescribeTagsRequest { Filters = RequestLists.OrNull(Filters.Parse(parseResult.GetValue(FilterOption))) };
        output.Collection("tags");
        do
        {
            var response = await session.Ec2().DescribeTagsAsync(request, cancellationToken);
            foreach (var tag in response.Tags ?? [])
            {
                output.Add("tags", Ec2Records.Tag(tag.ResourceType?.Value ?? Ec2Records.ResourceType(tag.ResourceId), tag.ResourceId, tag.Key, tag.Value));
            }

            request.NextToken = response.NextToken;
        }
        while (!string.IsNullOrEmpty(request.NextToken));

        return ExitCodes.Success;
    }
}

/// <summary>
/// <c>ec2-delete-tags RESOURCE ... --tag KEY[=VALUE] ...</c>: a <c>TAG</c> line per tag deleted (a tag given with a
/// value is deleted only when it has that value).
/// </summary>
internal sealed class DeleteTagsCommand : ServiceCommand
{
    private static readonly Argument<string[]> ResourcesArgument = new("RESOURCE")
    {
        Description = "The resources to untag.",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string[]> TagOption = TagArguments.CreateOption(required: true);

    public DeleteTagsCommand(CliConsole console)
        : base("ec2-delete-tags", "Delete tags from resources: TAG type id key [value].", console)
    {
        AddShortAlias();
        Arguments.Add(ResourcesArgument);
        Options.Add(TagOption);
    }

    public override string Usage => "ec2sim ec2-delete-tags RESOURCE [RESOURCE ...] --tag KEY[=VALUE] [--tag ...]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var resources = (parseResult.GetValue(ResourcesArgument) ?? []).ToList();
        var tags = (parseResult.GetValue(TagOption) ?? []).Select(t => TagArguments.Parse(t, valueRequired: false)).ToList();
        await session.Ec2().DeleteTagsAsync(new DeleteTagsRequest { Resources = resources, Tags = tags }, cancellationToken);
        output.Collection("tags");
        foreach (var resource in resources)
        {
            foreach (var tag in tags)
            {
                output.Add("tags", Ec2Records.Tag(Ec2Records.ResourceType(resource), resource, tag.Key, tag.Value));
            }
        }

        return ExitCodes.Success;
    }
}

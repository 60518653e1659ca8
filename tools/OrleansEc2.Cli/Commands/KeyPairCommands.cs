using System.CommandLine;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-create-keypair NAME [-f FILE]</c> (also <c>ec2-add-keypair</c>): <c>KEYPAIR name fingerprint</c>, then the
/// private key, which EC2 never shows again; <c>-f</c> writes the key to a file (readable by its owner only) instead.
/// </summary>
internal sealed class CreateKeyPairCommand : ServiceCommand
{
    private static readonly Argument<string> NameArgument = new("NAME")
    {
        Description = "The key pair's name.",
    };

    private static readonly Option<string> FileOption = new("--filename", "-f")
    {
        Description = "Write the private key to this file (mode 600) instead of printing it.",
        HelpName = "FILE",
    };

    public CreateKeyPairCommand(CliConsole console)
        : base("ec2-create-keypair", "Create a key pair: KEYPAIR name fingerprint, then the private key (PEM).", console)
    {
        AddShortAlias();
        Aliases.Add("ec2-add-keypair");
        Aliases.Add("add-keypair");
        Arguments.Add(NameArgument);
        Options.Add(FileOption);
    }

    public override string Usage => "ec2sim ec2-create-keypair NAME [-f FILE]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var file = parseResult.GetValue(FileOption) is { } path ? Console.ResolvePath(path) : null;
        if (file is not null && !Directory.Exists(Path.GetDirectoryName(file)))
        {
            throw CliException.FileNotFound(Path.GetDirectoryName(parseResult.GetValue(FileOption)!) is { Length: > 0 } directory ? directory : ".");
        }

        var keyPair = (await session.Ec2().CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = parseResult.GetRequiredValue(NameArgument) }, cancellationToken)).KeyPair;
        var record = Ec2Records.KeyPair(keyPair.KeyName, keyPair.KeyFingerprint);
        var material = keyPair.KeyMaterial.EndsWith('\n') ? keyPair.KeyMaterial : keyPair.KeyMaterial + "\n";
        if (file is null)
        {
            record.TextBlock("keyMaterial", material);
        }
        else
        {
            await PrivateFiles.WriteAsync(file, material, cancellationToken);
            record.Field("keyFile", file);
        }

        output.Add("keyPairs", record);
        return ExitCodes.Success;
    }
}

/// <summary><c>ec2-describe-keypairs [NAME ...]</c>: <c>KEYPAIR name fingerprint</c> lines.</summary>
internal sealed class DescribeKeyPairsCommand : ServiceCommand
{
    private static readonly Argument<string[]> NamesArgument = new("NAME")
    {
        Description = "The key pairs to describe. Default: all the account's in the region.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string[]> FilterOption = Filters.CreateOption("key-name=demo*");

    public DescribeKeyPairsCommand(CliConsole console)
        : base("ec2-describe-keypairs", "Describe key pairs: KEYPAIR name fingerprint.", console)
    {
        AddShortAlias();
        Arguments.Add(NamesArgument);
        Options.Add(FilterOption);
    }

    public override string Usage => "ec2sim ec2-describe-keypairs [NAME ...] [-F NAME=VALUE ...]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var response = await session.Ec2().DescribeKeyPairsAsync(
            new DescribeKeyPairsRequest
            {
                KeyNames = RequestLists.OrNull(parseResult.GetValue(NamesArgument)),
                Filters = RequestLists.OrNull(Filters.Parse(parseResult.GetValue(FilterOption))),
            },
            cancellationToken);
        output.Collection("keyPairs");
        foreach (var key in (response.KeyPairs ?? []).OrderBy(k => k.KeyName, StringComparer.Ordinal))
        {
            output.Add("keyPairs", Ec2Records.KeyPair(key.KeyName, key.KeyFingerprint));
        }

        return ExitCodes.Success;
    }
}

/// <summary><c>ec2-delete-keypair NAME</c>: <c>KEYPAIR name</c>.</summary>
internal sealed class DeleteKeyPairCommand : ServiceCommand
{
    private static readonly Argument<string> NameArgument = new("NAME")
    {
        Description = "The key pair to delete.",
    };

    public DeleteKeyPairCommand(CliConsole console)
        : base("ec2-delete-keypair", "Delete a key pair: KEYPAIR name.", console)
    {
        AddShortAlias();
        Arguments.Add(NameArgument);
    }

    public override string Usage => "ec2sim ec2-delete-keypair NAME";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var name = parseResult.GetRequiredValue(NameArgument);
        await session.Ec2().DeleteKeyPairAsync(new DeleteKeyPairRequest { KeyName = name }, cancellationToken);
        output.Add("keyPairs", Ec2Records.KeyPair(name, null));
        return ExitCodes.Success;
    }
}

/// <summary>Files only their owner may read: private keys.</summary>
internal static class PrivateFiles
{
    public static async Task WriteAsync(string path, string text, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var stream = new FileStream(path, options);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text), cancellationToken);
    }
}

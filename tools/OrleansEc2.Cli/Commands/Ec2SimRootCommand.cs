using System.CommandLine;

namespace OrleansEc2.Cli.Commands;

/// <summary>The <c>ec2sim</c> root: the legacy <c>ec2-*</c> commands, each also answering without its prefix.</summary>
internal sealed class Ec2SimRootCommand : RootCommand
{
    /// <summary>Read before parsing too, so that even a failure to parse can be debugged.</summary>
    public static readonly Option<bool> DebugOption = new("--debug")
    {
        Description = "Print the stack trace of an error.",
        Recursive = true,
    };

    public Ec2SimRootCommand(CliConsole console)
        : base("ec2sim: the classic EC2 command-line tools against the OrleansEc2 simulator.")
    {
        Options.Add(DebugOption);
        Subcommands.Add(new BundleImageCommand(console));
        Subcommands.Add(new UnbundleCommand(console));
    }

    public const string Usage = "ec2sim COMMAND [options]   (commands: ec2-bundle-image, ec2-unbundle; ec2sim COMMAND --help for each)";
}

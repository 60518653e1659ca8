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

    public static readonly Option<string> UrlOption = new("--url", "-U")
    {
        Description = $"The simulator's endpoint. Default: $EC2_URL, the config file's url, else {Settings.Ec2SimSettings.DefaultUrl}.",
        HelpName = "URL",
        Recursive = true,
    };

    public static readonly Option<string> RegionOption = new("--region")
    {
        Description = $"The region to act in. Default: $AWS_DEFAULT_REGION, the config file's region, else {Settings.Ec2SimSettings.DefaultRegion}.",
        HelpName = "REGION",
        Recursive = true,
    };

    public static readonly Option<string> AccessKeyOption = new("--aws-access-key", "-O")
    {
        Description = "The access key id to sign with. Default: $AWS_ACCESS_KEY_ID, else the config file's aws_access_key_id.",
        HelpName = "KEY",
        Recursive = true,
    };

    public static readonly Option<string> SecretKeyOption = new("--aws-secret-key", "-W")
    {
        Description = "The secret access key to sign with. Default: $AWS_SECRET_ACCESS_KEY, else the config file's aws_secret_access_key.",
        HelpName = "KEY",
        Recursive = true,
    };

    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Print one JSON document instead of the classic tab-separated lines.",
        Recursive = true,
    };

    public const string Usage = "ec2sim COMMAND [options]   (ec2sim --help lists the commands; ec2sim COMMAND --help describes one)";

    public Ec2SimRootCommand(CliConsole console)
        : base("ec2sim: the classic EC2 command-line tools against the OrleansEc2 simulator.")
    {
        Options.Add(DebugOption);
        Options.Add(UrlOption);
        Options.Add(RegionOption);
        Options.Add(AccessKeyOption);
        Options.Add(SecretKeyOption);
        Options.Add(JsonOption);

        Subcommands.Add(new DescribeRegionsCommand(console));
        Subcommands.Add(new DescribeAvailabilityZonesCommand(console));
        Subcommands.Add(new DescribeImagesCommand(console));
        Subcommands.Add(new RunInstancesCommand(console));
        Subcommands.Add(new DescribeInstancesCommand(console));
        Subcommands.Add(new StopInstancesCommand(console));
        Subcommands.Add(new StartInstancesCommand(console));
        Subcommands.Add(new RebootInstancesCommand(console));
        Subcommands.Add(new TerminateInstancesCommand(console));
        Subcommands.Add(new GetPasswordCommand(console));
        Subcommands.Add(new GetConsoleOutputCommand(console));
        Subcommands.Add(new CreateKeyPairCommand(console));
        Subcommands.Add(new DescribeKeyPairsCommand(console));
        Subcommands.Add(new DescribeGroupCommand(console));
        Subcommands.Add(new DeleteKeyPairCommand(console));
        Subcommands.Add(new CreateTagsCommand(console));
        Subcommands.Add(new DescribeTagsCommand(console));
        Subcommands.Add(new DeleteTagsCommand(console));
        Subcommands.Add(new BundleInstanceCommand(console));
        Subcommands.Add(new DescribeBundleTasksCommand(console));
        Subcommands.Add(new CancelBundleTaskCommand(console));
        Subcommands.Add(new RegisterCommand(console));
        Subcommands.Add(new DeregisterCommand(console));
        Subcommands.Add(new CopyImageCommand(console));
        Subcommands.Add(new MigrateImageCommand(console));
        Subcommands.Add(new DescribeMigrationCommand(console));
        Subcommands.Add(new BundleImageCommand(console));
        Subcommands.Add(new UnbundleCommand(console));
        Subcommands.Add(new UploadBundleCommand(console));
        Subcommands.Add(new DownloadBundleCommand(console));
        Subcommands.Add(new DeleteBundleCommand(console));
        Subcommands.Add(new GuestWriteFileCommand(console));
        Subcommands.Add(new GuestCatCommand(console));
        Subcommands.Add(new GuestListCommand(console));
        Subcommands.Add(new GuestDeleteFileCommand(console));
        Subcommands.Add(new GuestDiskCleanupCommand(console));
        Subcommands.Add(new GuestDefragmentCommand(console));
        Subcommands.Add(new GuestZeroFreeSpaceCommand(console));
        Subcommands.Add(new GuestSetPasswordCommand(console));
        Subcommands.Add(new DownloadCredentialsCommand(console));
        Subcommands.Add(new FaultCommand(console));
    }
}

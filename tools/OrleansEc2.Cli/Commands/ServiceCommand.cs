using System.CommandLine;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;
using OrleansEc2.Cli.Settings;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// A command that calls the simulator: it resolves the endpoint, region and credentials, runs with a session and a
/// record output, and turns an endpoint that does not answer into a message naming it.
/// </summary>
internal abstract class ServiceCommand : BaseCommand
{
    protected ServiceCommand(string name, string description, CliConsole console)
        : base(name, description, console)
    {
    }

    protected sealed override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (accessKeyId, secret) = CommandCredentials(parseResult)
            ?? (parseResult.GetValue(Ec2SimRootCommand.AccessKeyOption), parseResult.GetValue(Ec2SimRootCommand.SecretKeyOption));
        var settings = SettingsResolver.Resolve(
            new SettingsResolver.Flags(
                parseResult.GetValue(Ec2SimRootCommand.UrlOption),
                parseResult.GetValue(Ec2SimRootCommand.RegionOption),
                accessKeyId,
                secret),
            Console,
            CredentialsFallback(parseResult));
        using var session = new Ec2SimSession(settings);
        var output = new RecordOutput(Console, parseResult.GetValue(Ec2SimRootCommand.JsonOption));
        try
        {
            var exitCode = await RunAsync(parseResult, session, output, cancellationToken);
            output.Complete();
            return exitCode;
        }
        catch (Exception e) when (Ec2SimSession.IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new CliException(
                ExitCodes.Failure,
                $"Cannot reach the simulator at {settings.ServiceUrl} ({Innermost(e).Message.TrimEnd('.')}). Is the silo running there? "
                + "(Set the endpoint with -U/--url, EC2_URL or the config file.)");
        }
    }

    /// <summary>
    /// Credentials a command takes itself in the place of <c>-O</c>/<c>-W</c> (the AMI tools' <c>-a</c>/<c>-s</c>), when
    /// the command line gives either; null leaves <c>-O</c>/<c>-W</c> and the other places to decide.
    /// </summary>
    protected virtual (string? AccessKeyId, string? Secret)? CommandCredentials(ParseResult parseResult) => null;

    /// <summary>Credentials a command takes itself (<c>-o</c>/<c>-w</c>), used when no other place gives any.</summary>
    protected virtual (string AccessKeyId, string Secret)? CredentialsFallback(ParseResult parseResult) => null;

    protected abstract Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken);

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}

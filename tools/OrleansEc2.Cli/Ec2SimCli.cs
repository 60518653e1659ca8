using System.CommandLine;
using System.CommandLine.Parsing;
using Amazon.Runtime;
using OrleansEc2.Cli.Commands;
using Spectre.Console;

namespace OrleansEc2.Cli;

/// <summary>
/// Parses and runs one <c>ec2sim</c> command line. The one place errors are caught: a service error prints as
/// <c>Client.&lt;Code&gt;: &lt;message&gt;</c> (or <c>Server.</c>), a local one as <c>ERROR: &lt;message&gt;</c>, a usage
/// error with the right usage; each ends with its exit code, never with a stack trace unless <c>--debug</c>.
/// </summary>
public static class Ec2SimCli
{
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var debug = args.Contains(Ec2SimRootCommand.DebugOption.Name, StringComparer.Ordinal);
        var root = new Ec2SimRootCommand(console);
        var parseResult = root.Parse(args);
        var commandName = CommandPath(parseResult.CommandResult);

        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                console.Error.WriteLine($"{commandName}: {error.Message}");
            }

            PrintUsage(console, parseResult.CommandResult);
            return ExitCodes.UsageError;
        }

        try
        {
            return await parseResult.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = console.Out.Profile.Out.Writer,
                    Error = console.Error.Profile.Out.Writer,
                    EnableDefaultExceptionHandler = false,
                    ProcessTerminationTimeout = null,
                },
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine($"{commandName} interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (AmazonServiceException e)
        {
            console.Error.WriteLine(FormatServiceError(e));
            return ExitCodes.ServiceError;
        }
        catch (CliException e) when (e.ExitCode == ExitCodes.UsageError)
        {
            console.Error.WriteLine($"{commandName}: {e.Message}");
            PrintUsage(console, parseResult.CommandResult);
            return e.ExitCode;
        }
        catch (CliException e)
        {
            console.Error.WriteLine($"ERROR: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e)
        {
            console.Error.WriteLine($"ERROR: {e.Message}");
            if (debug)
            {
                console.Error.WriteLine(e.ToString());
            }

            return ExitCodes.Failure;
        }
    }

    /// <summary>A service error as the classic EC2 API tools printed it: <c>Client.&lt;Code&gt;: &lt;message&gt;</c>, or <c>Server.</c> for the service's own faults.</summary>
    public static string FormatServiceError(AmazonServiceException error)
    {
        var side = error.ErrorType == ErrorType.Receiver || (int)error.StatusCode >= 500 ? "Server" : "Client";
        return $"{side}.{error.ErrorCode}: {error.Message}";
    }

    /// <summary>The command as typed after <c>ec2sim</c> (<c>fault add</c> for a command of a group), or <c>ec2sim</c>.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (var current = result; current.Command is not RootCommand; current = (CommandResult)current.Parent!)
        {
            names.Insert(0, current.Command.Name);
        }

        return names.Count == 0 ? "ec2sim" : string.Join(' ', names);
    }

    private static void PrintUsage(CliConsole console, CommandResult result)
    {
        if (result.Command is BaseCommand ec2Command)
        {
            console.Error.WriteLine($"Usage: {ec2Command.Usage}");
            console.Error.WriteLine($"Try 'ec2sim {CommandPath(result)} --help' for more information.");
        }
        else
        {
            console.Error.WriteLine($"Usage: {Ec2SimRootCommand.Usage}");
            console.Error.WriteLine("Try 'ec2sim --help' for more information.");
        }
    }
}

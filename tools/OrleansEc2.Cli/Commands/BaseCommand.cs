using System.CommandLine;

namespace OrleansEc2.Cli.Commands;

/// <summary>An <c>ec2sim</c> command: it runs against the injected console and returns its exit code.</summary>
internal abstract class BaseCommand : Command
{
    protected BaseCommand(string name, string description, CliConsole console)
        : base(name, description)
    {
        Console = console;
        SetAction(ExecuteAsync);
    }

    /// <summary>The one-line synopsis printed after a usage error.</summary>
    public abstract string Usage { get; }

    protected CliConsole Console { get; }

    protected abstract Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken);

    /// <summary>Adds the classic command name (<c>ec2-…</c>) and its short form without the prefix.</summary>
    protected void AddShortAlias()
    {
        if (Name.StartsWith("ec2-", StringComparison.Ordinal))
        {
            Aliases.Add(Name["ec2-".Length..]);
        }
    }

    /// <summary>A file the command reads, made absolute; a clear error when it does not exist.</summary>
    protected string ExistingFile(string path)
    {
        var full = Console.ResolvePath(path);
        return File.Exists(full) ? full : throw CliException.FileNotFound(path);
    }

    /// <summary>A directory the command reads or writes, made absolute; a clear error when it does not exist.</summary>
    protected string ExistingDirectory(string path)
    {
        var full = Console.ResolvePath(path);
        return Directory.Exists(full) ? full : throw CliException.FileNotFound(path);
    }
}

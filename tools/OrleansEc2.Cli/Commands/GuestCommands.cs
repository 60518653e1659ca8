using System.CommandLine;
using System.Text;
using System.Text.Json;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// A guest action inside a running instance (what a user did over Remote Desktop), through the simulator's
/// <c>/_sim/instances/{id}/…</c>: the instance is the first argument.
/// </summary>
internal abstract class GuestCommand : ServiceCommand
{
    private readonly Argument<string> _instanceArgument = new("INSTANCE")
    {
        Description = "The running instance.",
    };

    protected GuestCommand(string name, string description, CliConsole console)
        : base(name, description, console)
    {
        Arguments.Add(_instanceArgument);
    }

    protected string InstanceId(ParseResult parseResult) => parseResult.GetRequiredValue(_instanceArgument);

    protected string InstancePath(ParseResult parseResult, string action) =>
        $"/_sim/instances/{Uri.EscapeDataString(InstanceId(parseResult))}/{action}";

    protected string FilePath(ParseResult parseResult, string guestPath) =>
        InstancePath(parseResult, "file") + "?path=" + Uri.EscapeDataString(guestPath);

    protected static Record FileRecord(string instanceId, string path, long? length) =>
        new Record("FILE").Field("instanceId", instanceId).Field("path", path).Field("length", length);
}

/// <summary><c>ec2sim guest-write-file INSTANCE GUEST_PATH (LOCAL_FILE | -c TEXT)</c>: <c>FILE instance path length</c>.</summary>
internal sealed class GuestWriteFileCommand : GuestCommand
{
    private static readonly Argument<string> GuestPathArgument = new("GUEST_PATH")
    {
        Description = @"The Windows path to write (C:\notes.txt); an existing file is replaced.",
    };

    private static readonly Argument<string?> LocalFileArgument = new("LOCAL_FILE")
    {
        Description = "The local file whose bytes to write ('-' for standard input).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string> ContentOption = new("--content", "-c")
    {
        Description = "Write this text (UTF-8) instead of a file's bytes.",
        HelpName = "TEXT",
    };

    public GuestWriteFileCommand(CliConsole console)
        : base("guest-write-file", "Write a file inside a running instance: FILE instance path length.", console)
    {
        Arguments.Add(GuestPathArgument);
        Arguments.Add(LocalFileArgument);
        Options.Add(ContentOption);
    }

    public override string Usage => "ec2sim guest-write-file INSTANCE GUEST_PATH (LOCAL_FILE | - | -c TEXT)";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var guestPath = parseResult.GetRequiredValue(GuestPathArgument);
        var local = parseResult.GetValue(LocalFileArgument);
        var content = parseResult.GetValue(ContentOption);
        if ((local is null) == (content is null))
        {
            throw CliException.Usage("Give the bytes to write either as LOCAL_FILE (or '-' for standard input) or as -c TEXT, one of them.");
        }

        byte[] bytes = content is not null
            ? Encoding.UTF8.GetBytes(content)
            : local == "-"
                ? Encoding.UTF8.GetBytes(await Console.In.ReadToEndAsync(cancellationToken))
                : await File.ReadAllBytesAsync(ExistingFile(local!), cancellationToken);
        var answer = await session.Sim().SendJsonAsync(HttpMethod.Put, FilePath(parseResult, guestPath), bytes, "application/octet-stream", cancellationToken);
        var length = answer.TryGetProperty("length", out var l) && l.TryGetInt64(out var n) ? n : bytes.Length;
        output.Add("files", FileRecord(InstanceId(parseResult), guestPath, length));
        return ExitCodes.Success;
    }
}

/// <summary><c>ec2sim guest-cat INSTANCE GUEST_PATH [-o LOCAL_FILE]</c>: a file's content, as it is.</summary>
internal sealed class GuestCatCommand : GuestCommand
{
    private static readonly Argument<string> GuestPathArgument = new("GUEST_PATH")
    {
        Description = @"The Windows path to read (C:\notes.txt).",
    };

    private static readonly Option<string> OutputOption = new("--output", "-o")
    {
        Description = "Write the bytes to this local file instead of standard output.",
        HelpName = "LOCAL_FILE",
    };

    public GuestCatCommand(CliConsole console)
        : base("guest-cat", "Print a file inside a running instance (or save it with -o).", console)
    {
        Arguments.Add(GuestPathArgument);
        Options.Add(OutputOption);
    }

    public override string Usage => "ec2sim guest-cat INSTANCE GUEST_PATH [-o LOCAL_FILE]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var guestPath = parseResult.GetRequiredValue(GuestPathArgument);
        var bytes = await session.Sim().SendAsync(HttpMethod.Get, FilePath(parseResult, guestPath), null, null, cancellationToken);
        if (parseResult.GetValue(OutputOption) is { } target)
        {
            var path = Console.ResolvePath(target);
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
            output.Add("files", FileRecord(InstanceId(parseResult), guestPath, bytes.Length).Field("localFile", path));
            return ExitCodes.Success;
        }

        output.Text(Encoding.UTF8.GetString(bytes));
        output.Value("instanceId", InstanceId(parseResult));
        output.Value("path", guestPath);
        output.Value("content", Encoding.UTF8.GetString(bytes));
        return ExitCodes.Success;
    }
}

/// <summary><c>ec2sim guest-ls INSTANCE</c>: <c>FILE instance path length [temporary]</c> lines.</summary>
internal sealed class GuestListCommand : GuestCommand
{
    public GuestListCommand(CliConsole console)
        : base("guest-ls", "List the files inside a running instance: FILE instance path length [temporary].", console)
    {
        Aliases.Add("guest-list-files");
    }

    public override string Usage => "ec2sim guest-ls INSTANCE";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var answer = await session.Sim().GetJsonAsync(InstancePath(parseResult, "files"), cancellationToken);
        output.Collection("files");
        if (answer.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array)
        {
            foreach (var file in files.EnumerateArray())
            {
                var path = JsonFields.Text(file, "path") ?? "";
                var length = file.TryGetProperty("length", out var l) && l.TryGetInt64(out var n) ? n : 0;
                var temporary = file.TryGetProperty("isTemporary", out var t) && t.ValueKind == JsonValueKind.True;
                output.Add("files", FileRecord(InstanceId(parseResult), path, length).Field("temporary", temporary ? "temporary" : null));
            }
        }

        return ExitCodes.Success;
    }
}

/// <summary><c>ec2sim guest-rm INSTANCE GUEST_PATH</c>: <c>FILE instance path</c>.</summary>
internal sealed class GuestDeleteFileCommand : GuestCommand
{
    private static readonly Argument<string> GuestPathArgument = new("GUEST_PATH")
    {
        Description = @"The Windows path to delete (C:\notes.txt).",
    };

    public GuestDeleteFileCommand(CliConsole console)
        : base("guest-rm", "Delete a file inside a running instance: FILE instance path.", console)
    {
        Aliases.Add("guest-delete-file");
        Arguments.Add(GuestPathArgument);
    }

    public override string Usage => "ec2sim guest-rm INSTANCE GUEST_PATH";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var guestPath = parseResult.GetRequiredValue(GuestPathArgument);
        await session.Sim().SendAsync(HttpMethod.Delete, FilePath(parseResult, guestPath), null, null, cancellationToken);
        output.Add("files", FileRecord(InstanceId(parseResult), guestPath, null));
        return ExitCodes.Success;
    }
}

/// <summary><c>ec2sim guest-disk-cleanup INSTANCE</c> (Windows Disk Cleanup): <c>DISKCLEANUP instance files-removed</c>.</summary>
internal sealed class GuestDiskCleanupCommand : GuestCommand
{
    public GuestDiskCleanupCommand(CliConsole console)
        : base("guest-disk-cleanup", "Run Disk Cleanup inside a running Windows instance (removes temporary files): DISKCLEANUP instance files-removed.", console)
    {
    }

    public override string Usage => "ec2sim guest-disk-cleanup INSTANCE";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var answer = await session.Sim().SendJsonAsync(HttpMethod.Post, InstancePath(parseResult, "disk-cleanup"), [], null, cancellationToken);
        var removed = answer.TryGetProperty("removedFiles", out var r) && r.TryGetInt64(out var n) ? n : 0;
        output.Add("diskCleanups", new Record("DISKCLEANUP").Field("instanceId", InstanceId(parseResult)).Field("removedFiles", removed));
        return ExitCodes.Success;
    }
}

/// <summary><c>ec2sim guest-defrag INSTANCE</c> (defragment drive C:): <c>DEFRAGMENT instance complete</c>.</summary>
internal sealed class GuestDefragmentCommand : GuestCommand
{
    public GuestDefragmentCommand(CliConsole console)
        : base("guest-defrag", "Defragment the disk of a running Windows instance: DEFRAGMENT instance complete.", console)
    {
        Aliases.Add("guest-defragment");
    }

    public override string Usage => "ec2sim guest-defrag INSTANCE";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        await session.Sim().SendJsonAsync(HttpMethod.Post, InstancePath(parseResult, "defragment"), [], null, cancellationToken);
        output.Add("defragments", new Record("DEFRAGMENT").Field("instanceId", InstanceId(parseResult)).Field("state", "complete"));
        return ExitCodes.Success;
    }
}

/// <summary><c>ec2sim guest-sdelete INSTANCE</c> (<c>sdelete -c C:\</c>, zero the free space): <c>SDELETE instance complete</c>.</summary>
internal sealed class GuestZeroFreeSpaceCommand : GuestCommand
{
    public GuestZeroFreeSpaceCommand(CliConsole console)
        : base("guest-sdelete", @"Zero the free space of a running Windows instance's disk (sdelete -c C:\), which makes its bundle smaller: SDELETE instance complete.", console)
    {
        Aliases.Add("guest-zero-free-space");
    }

    public override string Usage => "ec2sim guest-sdelete INSTANCE";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        await session.Sim().SendJsonAsync(HttpMethod.Post, InstancePath(parseResult, "zero-free-space"), [], null, cancellationToken);
        output.Add("zeroFreeSpaces", new Record("SDELETE").Field("instanceId", InstanceId(parseResult)).Field("state", "complete"));
        return ExitCodes.Success;
    }
}

/// <summary><c>ec2sim guest-set-password INSTANCE [PASSWORD]</c>: sets the administrator password (read from standard input when not given).</summary>
internal sealed class GuestSetPasswordCommand : GuestCommand
{
    private static readonly Argument<string?> PasswordArgument = new("PASSWORD")
    {
        Description = "The new administrator password. Default: the first line of standard input (which keeps it out of the process list).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public GuestSetPasswordCommand(CliConsole console)
        : base("guest-set-password", "Set the administrator password inside a running Windows instance: PASSWORD instance set.", console)
    {
        Arguments.Add(PasswordArgument);
    }

    public override string Usage => "ec2sim guest-set-password INSTANCE [PASSWORD]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var password = parseResult.GetValue(PasswordArgument) ?? await Console.In.ReadLineAsync(cancellationToken);
        if (string.IsNullOrEmpty(password))
        {
            throw CliException.Usage("No password: give it as PASSWORD or on standard input.");
        }

        await session.Sim().SendJsonAsync(HttpMethod.Put, InstancePath(parseResult, "administrator-password"), Encoding.UTF8.GetBytes(password), "text/plain; charset=utf-8", cancellationToken);
        output.Add("passwords", new Record("PASSWORD").Field("instanceId", InstanceId(parseResult)).Field("state", "set"));
        return ExitCodes.Success;
    }
}

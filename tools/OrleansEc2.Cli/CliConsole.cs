using Spectre.Console;

namespace OrleansEc2.Cli;

/// <summary>
/// Where a command writes and reads: standard output and error as Spectre consoles, standard input, and the working
/// directory relative paths are resolved against. Injected so that commands run in-process in tests.
/// </summary>
public sealed class CliConsole
{
    // Lines are written whole (as the classic tools did); a wide profile keeps Spectre from folding long paths.
    private const int LineWidth = 32767;

    public CliConsole(TextWriter output, TextWriter error, TextReader input, string workingDirectory)
    {
        Out = Create(output);
        Error = Create(error);
        In = input;
        WorkingDirectory = workingDirectory;
    }

    public IAnsiConsole Out { get; }

    public IAnsiConsole Error { get; }

    public TextReader In { get; }

    public string WorkingDirectory { get; }

    /// <summary>The process's own console.</summary>
    public static CliConsole FromSystemConsole() =>
        new(Console.Out, Console.Error, Console.In, Environment.CurrentDirectory);

    /// <summary>A path given on the command line, made absolute against <see cref="WorkingDirectory"/>.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path, WorkingDirectory);

    private static IAnsiConsole Create(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = LineWidth;
        return console;
    }
}

using System.Collections;
using Spectre.Console;

namespace OrleansEc2.Cli;

/// <summary>
/// Where a command writes and reads: standard output and error as Spectre consoles, standard input, the working
/// directory relative paths are resolved against, and the environment variables it reads its settings from. Injected
/// so that commands run in-process in tests, isolated from the test process's own environment.
/// </summary>
public sealed class CliConsole
{
    // Lines are written whole (as the classic tools did); a wide profile keeps Spectre from folding long paths.
    private const int LineWidth = 32767;

    private readonly IReadOnlyDictionary<string, string> _environment;

    public CliConsole(
        TextWriter output,
        TextWriter error,
        TextReader input,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        IAnsiConsole? live = null)
    {
        Out = Create(output);
        Error = Create(error);
        In = input;
        WorkingDirectory = workingDirectory;
        _environment = environment ?? new Dictionary<string, string>();
        Live = live;
    }

    public IAnsiConsole Out { get; }

    public IAnsiConsole Error { get; }

    public TextReader In { get; }

    public string WorkingDirectory { get; }

    /// <summary>
    /// An interactive console on the terminal for live progress, or null when standard output is not a terminal
    /// (a pipe, a file, a test): long operations then print plain lines instead.
    /// </summary>
    public IAnsiConsole? Live { get; }

    /// <summary>The process's own console and environment.</summary>
    public static CliConsole FromSystemConsole()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                environment[key] = value;
            }
        }

        environment.TryAdd("HOME", Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        var live = Console.IsOutputRedirected ? null : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        return new(Console.Out, Console.Error, Console.In, Environment.CurrentDirectory, environment, live);
    }

    /// <summary>An environment variable, or null when it is unset or empty.</summary>
    public string? GetEnvironmentVariable(string name) =>
        _environment.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

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

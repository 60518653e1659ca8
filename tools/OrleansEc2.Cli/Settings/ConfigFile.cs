namespace OrleansEc2.Cli.Settings;

/// <summary>
/// The <c>ec2sim</c> config file: <c>key = value</c> lines (<c>url</c>, <c>region</c>, <c>aws_access_key_id</c>,
/// <c>aws_secret_access_key</c>), <c>#</c> or <c>;</c> comments, optionally under a <c>[default]</c> section (other
/// sections are skipped, left for profiles).
/// </summary>
internal sealed class ConfigFile
{
    private static readonly HashSet<string> Keys = ["url", "region", "aws_access_key_id", "aws_secret_access_key"];

    private readonly Dictionary<string, string> _values;

    private ConfigFile(string path, Dictionary<string, string> values)
    {
        Path = path;
        _values = values;
    }

    public string Path { get; }

    public string? Get(string key) => _values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    /// <summary>
    /// The file <c>$EC2SIM_CONFIG</c> names (which must exist), else <c>~/.ec2sim/config</c> when there is one, else null.
    /// </summary>
    public static ConfigFile? Load(CliConsole console)
    {
        string path;
        if (console.GetEnvironmentVariable(SettingsResolver.ConfigVariable) is { } named)
        {
            path = console.ResolvePath(named);
            if (!File.Exists(path))
            {
                throw new CliException(ExitCodes.FileNotFound, $"The config file {SettingsResolver.ConfigVariable} names does not exist: {named}");
            }
        }
        else if (console.GetEnvironmentVariable("HOME") is { } home)
        {
            path = System.IO.Path.Combine(home, ".ec2sim", "config");
            if (!File.Exists(path))
            {
                return null;
            }
        }
        else
        {
            return null;
        }

        return new ConfigFile(path, Parse(path, File.ReadAllLines(path)));
    }

    private static Dictionary<string, string> Parse(string path, string[] lines)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var inDefault = true;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                if (!line.EndsWith(']'))
                {
                    throw Invalid(path, i, "a section header is [name]");
                }

                inDefault = line[1..^1].Trim() == "default";
                continue;
            }

            var equals = line.IndexOf('=');
            if (equals <= 0)
            {
                throw Invalid(path, i, "expected key = value");
            }

            var key = line[..equals].Trim().ToLowerInvariant();
            if (!Keys.Contains(key))
            {
                throw Invalid(path, i, $"unknown key '{key}' (known: {string.Join(", ", Keys)})");
            }

            if (inDefault)
            {
                values[key] = line[(equals + 1)..].Trim();
            }
        }

        return values;
    }

    private static CliException Invalid(string path, int index, string why) =>
        CliException.Usage($"{path}, line {index + 1}: {why}.");
}

using System.Text.RegularExpressions;

namespace OrleansEc2.Cli.Tests;

/// <summary>
/// Exact output lines with the parts a run makes up matched by pattern: <c>{instance}</c>, <c>{reservation}</c>,
/// <c>{ami}</c>, <c>{bundle}</c>, <c>{migration}</c>, <c>{time}</c> (<c>2008-10-02T09:31:44+0000</c>), <c>{ip}</c>,
/// <c>{dns}</c> (a private DNS name), <c>{fingerprint}</c>, <c>{token}</c>, <c>{group}</c> (a security group id), <c>{percent}</c>,
/// <c>{console}</c> (a console line's time, <c>2008/10/02 09:31:44Z</c>), <c>{any}</c> (any one column's text); everything else literal.
/// </summary>
public static partial class LineTemplates
{
    private static readonly Dictionary<string, string> Patterns = new()
    {
        ["instance"] = "i-[0-9a-f]{17}",
        ["reservation"] = "r-[0-9a-f]{17}",
        ["ami"] = "ami-[0-9a-f]{17}",
        ["bundle"] = "bun-[0-9a-f]{8}",
        ["migration"] = "mig-[0-9a-f]{8}",
        ["time"] = @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000",
        ["ip"] = @"10\.\d{1,3}\.\d{1,3}\.\d{1,3}",
        ["dns"] = @"ip-10-\d{1,3}-\d{1,3}-\d{1,3}\.(ec2|[a-z]+-[a-z]+-\d\.compute)\.internal",
        ["fingerprint"] = "[0-9a-f]{2}(:[0-9a-f]{2}){19}",
        ["token"] = "[0-9a-f-]{36}",
        ["group"] = "sg-[0-9a-f]{17}",
        ["percent"] = @"\d{1,3}%",
        ["console"] = @"\d{4}/\d\d/\d\d \d\d:\d\d:\d\dZ",
        ["any"] = "[^\t]*",
    };

    public static Regex ToRegex(string template)
    {
        var pattern = TokenPattern().Replace(Regex.Escape(template), m => Patterns.TryGetValue(m.Groups[1].Value, out var p)
            ? p
            : throw new ArgumentException($"Unknown token {m.Value} in '{template}'."));
        return new Regex("^" + pattern + "$");
    }

    public static bool Matches(string line, string template) => ToRegex(template).IsMatch(line);

    /// <summary>Asserts the lines are exactly as many as the templates, each matching its own.</summary>
    public static void ShouldMatch(this string[] lines, params string[] templates)
    {
        lines.Should().HaveCount(templates.Length, "the output is\n{0}", string.Join('\n', lines));
        for (var i = 0; i < templates.Length; i++)
        {
            lines[i].Should().MatchRegex(ToRegex(templates[i]).ToString(), "line {0} of\n{1}", i, string.Join('\n', lines));
        }
    }

    /// <summary>A tab-separated line from its columns (a template or a literal line).</summary>
    public static string Tabs(params string[] columns) => string.Join('\t', columns);

    // Regex.Escape turns '{' into '\{' and leaves '}' alone.
    [GeneratedRegex(@"\\\{([a-z]+)\}")]
    private static partial Regex TokenPattern();
}

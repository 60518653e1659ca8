using System.CommandLine;
using Amazon.EC2.Model;

namespace OrleansEc2.Cli.Commands;

/// <summary>The describe commands' <c>-F/--filter NAME=VALUE</c> option (repeated; values of one name are alternatives).</summary>
internal static class Filters
{
    public static Option<string[]> CreateOption(string example) => new("--filter", "-F")
    {
        Description = $"Show only what matches NAME=VALUE (e.g. {example}); '*' and '?' are wildcards. Repeat it: values of one name are alternatives, names must all match.",
        HelpName = "NAME=VALUE",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.OneOrMore,
    };

    public static List<Filter> Parse(string[]? values)
    {
        var filters = new List<Filter>();
        foreach (var text in values ?? [])
        {
            var equals = text.IndexOf('=');
            if (equals <= 0)
            {
                throw CliException.Usage($"Invalid value for --filter: '{text}' is not NAME=VALUE.");
            }

            var name = text[..equals];
            var value = text[(equals + 1)..];
            var existing = filters.FirstOrDefault(f => f.Name == name);
            if (existing is null)
            {
                filters.Add(new Filter { Name = name, Values = [value] });
            }
            else
            {
                existing.Values.Add(value);
            }
        }

        return filters;
    }
}

/// <summary>Request lists: left unset when empty, so the SDK sends no parameter rather than an empty one.</summary>
internal static class RequestLists
{
    public static List<T>? OrNull<T>(IEnumerable<T>? items) => items?.ToList() is { Count: > 0 } list ? list : null;
}

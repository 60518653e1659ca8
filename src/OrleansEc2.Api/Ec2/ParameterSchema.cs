namespace OrleansEc2.Api.Ec2;

/// <summary>
/// The parameter names an action takes, as patterns where <c>N</c> stands for a list index
/// (<c>Filter.N.Value.N</c>). A parameter outside them is EC2's <c>UnknownParameter</c>.
/// </summary>
internal sealed class ParameterSchema
{
    /// <summary>Taken by every action.</summary>
    private static readonly string[] Common = ["Action", "Version", "DryRun"];

    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly List<string[]> _indexed = [];

    public ParameterSchema(params string[] patterns)
    {
        foreach (var pattern in Common.Concat(patterns))
        {
            var segments = pattern.Split('.');
            if (segments.Contains("N"))
            {
                _indexed.Add(segments);
            }
            else
            {
                _exact.Add(pattern);
            }
        }
    }

    public static readonly string[] Filters = ["Filter.N.Name", "Filter.N.Value.N"];

    /// <summary>Throws <c>UnknownParameter</c> for the first parameter the action does not take.</summary>
    public void EnsureKnown(QueryParameters parameters)
    {
        foreach (var name in parameters.Names)
        {
            if (!IsKnown(name))
            {
                throw new Ec2Exception(Ec2ErrorCodes.UnknownParameter, $"The parameter {name} is not recognized");
            }
        }
    }

    public bool IsKnown(string name)
    {
        if (_exact.Contains(name))
        {
            return true;
        }

        if (!name.Contains('.'))
        {
            return false;
        }

        var segments = name.Split('.');
        foreach (var pattern in _indexed)
        {
            if (Matches(pattern, segments))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(string[] pattern, string[] segments)
    {
        if (pattern.Length != segments.Length)
        {
            return false;
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            var matches = pattern[i] == "N"
                ? QueryParameters.TryParseIndex(segments[i], out _)
                : string.Equals(pattern[i], segments[i], StringComparison.Ordinal);
            if (!matches)
            {
                return false;
            }
        }

        return true;
    }
}

using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using OrleansEc2.Api.Auth;

namespace OrleansEc2.Api.Ec2;

/// <summary>
/// The parameters of one EC2 Query request (form body and query string), with EC2's list conventions
/// (<c>InstanceId.1</c>, <c>Filter.1.Name</c>, <c>Filter.1.Value.1</c>) and EC2's errors for missing or malformed values.
/// </summary>
internal sealed class QueryParameters
{
    /// <summary>The most items one list parameter may carry.</summary>
    public const int MaxListItems = 1000;

    /// <summary>The most parameters one request may carry (lists are scanned per group: this bounds the work).</summary>
    public const int MaxParameters = 3000;

    private readonly Dictionary<string, string> _values;

    private QueryParameters(Dictionary<string, string> values)
    {
        _values = values;
    }

    public IEnumerable<string> Names => _values.Keys;

    public int Count => _values.Count;

    /// <summary>
    /// Parses an <c>application/x-www-form-urlencoded</c> body and a raw query string (the presigned SigV4 fields left
    /// out). A name given twice is refused.
    /// </summary>
    public static QueryParameters Parse(ReadOnlySpan<byte> formBody, string rawQuery, bool isPresigned)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (rawQuery.Length > 0)
        {
            foreach (var (name, value) in SigV4.ParseQuery(rawQuery))
            {
                if (isPresigned && name.StartsWith("X-Amz-", StringComparison.Ordinal))
                {
                    continue;
                }

                Add(values, name, value);
            }
        }

        if (!formBody.IsEmpty)
        {
            foreach (var (name, value) in SigV4.ParseQuery(Encoding.UTF8.GetString(formBody)))
            {
                Add(values, name, value);
            }
        }

        return new QueryParameters(values);
    }

    public bool Contains(string name) => _values.ContainsKey(name);

    public string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public string Require(string name)
    {
        var value = Get(name);
        if (string.IsNullOrEmpty(value))
        {
            throw Missing(name);
        }

        return value;
    }

    public bool GetBool(string name, bool defaultValue = false)
    {
        var value = Get(name);
        if (value is null)
        {
            return defaultValue;
        }

        if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(value, "false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw Invalid($"Invalid value '{value}' for {name}. Expected 'true' or 'false'.");
    }

    public int? GetInt(string name, int min, int max)
    {
        var value = Get(name);
        if (value is null)
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            throw Invalid($"Invalid value '{value}' for {name}. It must be an integer.");
        }

        if (number < min || number > max)
        {
            throw Invalid($"Value ({number}) for parameter {name} is invalid. It must be between {min} and {max}.");
        }

        return number;
    }

    public int RequireInt(string name, int min, int max)
    {
        if (!Contains(name))
        {
            throw Missing(name);
        }

        return GetInt(name, min, max)!.Value;
    }

    /// <summary>The values of <c>{prefix}.1</c>, <c>{prefix}.2</c> … in index order.</summary>
    public ImmutableArray<string> GetList(string prefix)
    {
        var items = new List<(int Index, string Value)>();
        var start = prefix + ".";
        foreach (var (name, value) in _values)
        {
            if (name.StartsWith(start, StringComparison.Ordinal) && TryParseIndex(name.AsSpan(start.Length), out var index))
            {
                items.Add((index, value));
            }
        }

        if (items.Count > MaxListItems)
        {
            throw Invalid($"Too many values for {prefix}: at most {MaxListItems} are allowed.");
        }

        items.Sort((a, b) => a.Index.CompareTo(b.Index));
        return [.. items.Select(i => i.Value)];
    }

    /// <summary>The indexes N of the groups <c>{prefix}.N.…</c>, ascending.</summary>
    public IReadOnlyList<int> GetGroupIndexes(string prefix)
    {
        var indexes = new SortedSet<int>();
        var start = prefix + ".";
        foreach (var name in _values.Keys)
        {
            if (!name.StartsWith(start, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = name.AsSpan(start.Length);
            var dot = rest.IndexOf('.');
            if (dot > 0 && TryParseIndex(rest[..dot], out var index))
            {
                indexes.Add(index);
            }
        }

        if (indexes.Count > MaxListItems)
        {
            throw Invalid($"Too many {prefix} entries: at most {MaxListItems} are allowed.");
        }

        return [.. indexes];
    }

    /// <summary><c>Filter.N.Name</c> and <c>Filter.N.Value.M</c>, checked against the filter names the action knows.</summary>
    public ImmutableArray<Ec2Filter> GetFilters(Func<string, bool> isKnownFilter)
    {
        var filters = ImmutableArray.CreateBuilder<Ec2Filter>();
        foreach (var index in GetGroupIndexes("Filter"))
        {
            var nameParameter = $"Filter.{index}.Name";
            var name = Get(nameParameter);
            if (string.IsNullOrEmpty(name))
            {
                throw Missing(nameParameter);
            }

            if (!isKnownFilter(name))
            {
                throw Invalid($"The filter '{name}' is invalid");
            }

            var values = GetList($"Filter.{index}.Value");
            if (values.IsEmpty)
            {
                throw Invalid($"The filter '{name}' must have at least one value (Filter.{index}.Value.1).");
            }

            filters.Add(new Ec2Filter(name, values));
        }

        return filters.ToImmutable();
    }

    /// <summary><c>{prefix}.N.Key</c> / <c>{prefix}.N.Value</c> tags, validated as EC2 does.</summary>
    public ImmutableArray<Tag> GetTags(string prefix)
    {
        var tags = ImmutableArray.CreateBuilder<Tag>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var index in GetGroupIndexes(prefix))
        {
            var keyParameter = $"{prefix}.{index}.Key";
            var key = Get(keyParameter);
            if (key is null)
            {
                throw Missing(keyParameter);
            }

            var value = Get($"{prefix}.{index}.Value") ?? "";
            TagRules.Validate(key, value);
            if (!keys.Add(key))
            {
                throw Invalid($"Duplicate tag key '{key}' specified.");
            }

            tags.Add(new Tag(key, value));
        }

        return tags.ToImmutable();
    }

    /// <summary>The canonical text of every parameter except <paramref name="excluded"/>: a cache key for a query.</summary>
    public string CanonicalText(params string[] excluded)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in _values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (Array.IndexOf(excluded, name) >= 0)
            {
                continue;
            }

            builder.Append(name.Length).Append(':').Append(name).Append(value.Length).Append(':').Append(value).Append('\n');
        }

        return builder.ToString();
    }

    public static Ec2Exception Missing(string name)
        => new(Ec2ErrorCodes.MissingParameter, $"The request must contain the parameter {name}");

    public static Ec2Exception Invalid(string message) => new(Ec2ErrorCodes.InvalidParameterValue, message);

    /// <summary>A list index as EC2 writes it: 1 to 99999, no sign, no leading zero.</summary>
    public static bool TryParseIndex(ReadOnlySpan<char> text, out int index)
    {
        index = 0;
        if (text.Length is 0 or > 5 || text[0] == '0')
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            index = (index * 10) + (c - '0');
        }

        return true;
    }

    private static void Add(Dictionary<string, string> values, string name, string value)
    {
        if (name.Length == 0)
        {
            throw Invalid("A parameter has an empty name.");
        }

        if (values.Count >= MaxParameters)
        {
            throw Invalid($"The request has more than {MaxParameters} parameters.");
        }

        if (!values.TryAdd(name, value))
        {
            throw Invalid($"The parameter {name} is given more than once.");
        }
    }
}

/// <summary>EC2's rules for tag keys and values.</summary>
internal static class TagRules
{
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 256;

    public static void Validate(string key, string value)
    {
        if (key.Length == 0)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, "Tag key must not be empty.");
        }

        if (key.Length > MaxKeyLength)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Tag key exceeds the maximum length of {MaxKeyLength} characters.");
        }

        if (value.Length > MaxValueLength)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Tag value exceeds the maximum length of {MaxValueLength} characters.");
        }

        if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, "Tag keys starting with 'aws:' are reserved for internal use.");
        }

        if (!TextRules.IsXmlSafe(key) || !TextRules.IsXmlSafe(value))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, "Tag keys and values may not contain control characters.");
        }
    }
}

internal static class TextRules
{
    /// <summary>Whether every character can be carried in XML 1.0 (no control characters but tab/LF/CR, no lone surrogates).</summary>
    public static bool IsXmlSafe(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if ((c < 0x20 && c is not ('\t' or '\n' or '\r')) || c is '\uFFFE' or '\uFFFF')
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}

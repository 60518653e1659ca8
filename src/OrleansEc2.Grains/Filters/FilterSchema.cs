using System.Collections.Immutable;

namespace OrleansEc2.Grains.Filters;

/// <summary>
/// The filters one Describe* action accepts: each filter name maps to the values an item has for it. Tag filters
/// (<c>tag:Key</c>, <c>tag-key</c>, <c>tag-value</c>) come with <see cref="WithTags"/>. Within a filter the values are
/// alternatives; across filters every one must match, as in EC2. Values may use <c>*</c> and <c>?</c> wildcards.
/// </summary>
public sealed class FilterSchema<T>
{
    private readonly Dictionary<string, Func<T, IEnumerable<string?>>> _fields = new(StringComparer.Ordinal);
    private Func<T, IEnumerable<Tag>>? _tags;

    public FilterSchema<T> Field(string name, Func<T, string?> value)
    {
        _fields[name] = item => [value(item)];
        return this;
    }

    public FilterSchema<T> Fields(string name, Func<T, IEnumerable<string?>> values)
    {
        _fields[name] = values;
        return this;
    }

    public FilterSchema<T> WithTags(Func<T, IEnumerable<Tag>> tags)
    {
        _tags = tags;
        return this;
    }

    /// <summary>Throws <c>InvalidParameterValue</c> for a filter name this action does not know, or a filter with no value.</summary>
    public void Validate(ImmutableArray<Ec2Filter> filters)
    {
        foreach (var filter in filters.IsDefault ? [] : filters)
        {
            if (!IsKnown(filter.Name))
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"The filter '{filter.Name}' is invalid");
            }

            if (filter.Values.IsDefaultOrEmpty)
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"The filter '{filter.Name}' has no value");
            }
        }
    }

    public IEnumerable<T> Apply(IEnumerable<T> items, ImmutableArray<Ec2Filter> filters)
    {
        Validate(filters);
        if (filters.IsDefaultOrEmpty)
        {
            return items;
        }

        return items.Where(item => filters.All(filter => Matches(item, filter)));
    }

    private bool IsKnown(string name)
    {
        if (_fields.ContainsKey(name))
        {
            return true;
        }

        return _tags is not null && (name is "tag-key" or "tag-value" || (name.StartsWith("tag:", StringComparison.Ordinal) && name.Length > 4));
    }

    private bool Matches(T item, Ec2Filter filter)
    {
        if (_fields.TryGetValue(filter.Name, out var field))
        {
            return field(item).Any(value => Ec2Wildcard.MatchesAny(filter.Values, value));
        }

        var tags = _tags!(item);
        return filter.Name switch
        {
            "tag-key" => tags.Any(t => Ec2Wildcard.MatchesAny(filter.Values, t.Key)),
            "tag-value" => tags.Any(t => Ec2Wildcard.MatchesAny(filter.Values, t.Value)),
            _ => tags.Any(t => t.Key == filter.Name[4..] && Ec2Wildcard.MatchesAny(filter.Values, t.Value)),
        };
    }
}

namespace OrleansEc2.Cli.Output;

/// <summary>
/// One output record: a classic tab-separated line (<c>INSTANCE\ti-…\tami-…</c>) whose columns are also named fields
/// of a JSON object, with the records that print under it (an instance under its reservation, a tag under its
/// instance) and, for a few, a block of text printed after the line (a new key pair's private key).
/// </summary>
internal sealed class Record(string kind)
{
    private readonly List<KeyValuePair<string, object?>> _fields = [];
    private readonly List<KeyValuePair<string, Record>> _children = [];

    /// <summary>The line's first column: <c>INSTANCE</c>, <c>BUNDLE</c>, <c>IMAGE</c>…</summary>
    public string Kind { get; } = kind;

    public IReadOnlyList<KeyValuePair<string, object?>> Fields => _fields;

    /// <summary>Child records with the name of the JSON array they go in (<c>instances</c>, <c>tags</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, Record>> Children => _children;

    /// <summary>Text printed on the lines after this record's line, and its JSON field name.</summary>
    public (string Name, string Text)? Block { get; private set; }

    /// <summary>A column: a string, number, boolean, <see cref="DateTime"/>, a list of strings, or null (an empty column).</summary>
    public Record Field(string name, object? value)
    {
        _fields.Add(new(name, value));
        return this;
    }

    public Record Child(string collection, Record child)
    {
        _children.Add(new(collection, child));
        return this;
    }

    public Record AddChildren(string collection, IEnumerable<Record> children)
    {
        foreach (var child in children)
        {
            Child(collection, child);
        }

        return this;
    }

    public Record TextBlock(string name, string text)
    {
        Block = (name, text);
        return this;
    }

    /// <summary>The value of a field (null when it is absent or empty).</summary>
    public object? this[string name] => _fields.FirstOrDefault(f => f.Key == name).Value;
}

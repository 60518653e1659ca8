using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OrleansEc2.Cli.Output;

/// <summary>
/// A command's standard output: classic tab-separated record lines written as they come, or, with <c>--json</c>, one
/// JSON document written when the command completes (<c>{ "reservations": [ … ] }</c>, records as objects whose
/// empty columns are left out).
/// </summary>
internal sealed class RecordOutput(CliConsole console, bool json)
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly List<KeyValuePair<string, object>> _document = [];
    private bool _completed;

    public bool IsJson { get; } = json;

    /// <summary>A result record: printed at once as text, or added to the JSON document's <paramref name="collection"/> array.</summary>
    public void Add(string collection, Record record)
    {
        if (IsJson)
        {
            var existing = _document.FindIndex(e => e.Key == collection);
            if (existing < 0)
            {
                _document.Add(new(collection, new List<Record> { record }));
            }
            else if (_document[existing].Value is List<Record> list)
            {
                list.Add(record);
            }
        }
        else
        {
            WriteText(record);
        }
    }

    /// <summary>
    /// Declares a result array, so that a JSON document without any record in it still has the (empty) array: a
    /// script reads <c>.instances</c> whether or not there are any.
    /// </summary>
    public void Collection(string collection)
    {
        if (IsJson && _document.FindIndex(e => e.Key == collection) < 0)
        {
            _document.Add(new(collection, new List<Record>()));
        }
    }

    /// <summary>A progress record while waiting: a line of text; nothing in JSON, whose document holds the outcome only.</summary>
    public void Progress(Record record)
    {
        if (!IsJson)
        {
            WriteText(record);
        }
    }

    /// <summary>A top-level JSON value (a password, a path), for commands whose text output is not a record line.</summary>
    public void Value(string name, object? value)
    {
        if (IsJson)
        {
            _document.Add(new(name, new JsonScalar(value)));
        }
    }

    /// <summary>Raw text for the text output only (a password, a file's content); nothing in JSON.</summary>
    public void Text(string text)
    {
        if (!IsJson)
        {
            console.Out.Profile.Out.Writer.Write(text);
        }
    }

    /// <summary>
    /// Writes the JSON document, once (nothing more for text, which was written as it came). A command that fails after
    /// it has something to show (a bundle task that failed while it waited) completes it before it throws.
    /// </summary>
    public void Complete()
    {
        if (!IsJson || _completed)
        {
            return;
        }

        _completed = true;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in _document)
            {
                writer.WritePropertyName(name);
                if (value is List<Record> records)
                {
                    writer.WriteStartArray();
                    foreach (var record in records)
                    {
                        WriteJson(writer, record);
                    }

                    writer.WriteEndArray();
                }
                else if (value is JsonScalar scalar)
                {
                    WriteJsonValue(writer, scalar.Value);
                }
            }

            writer.WriteEndObject();
        }

        console.Out.Profile.Out.Writer.Write(Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }

    /// <summary>A record's line: its kind and columns joined by tabs, the empty columns at the end left off.</summary>
    public static string Line(Record record)
    {
        var columns = new List<string> { record.Kind };
        columns.AddRange(record.Fields.Select(f => ClassicFormat.Column(f.Value)));
        var count = columns.Count;
        while (count > 1 && columns[count - 1].Length == 0)
        {
            count--;
        }

        return string.Join('\t', columns.Take(count));
    }

    private void WriteText(Record record)
    {
        var writer = console.Out.Profile.Out.Writer;
        writer.Write(Line(record) + "\n");
        if (record.Block is { } block)
        {
            writer.Write(block.Text.EndsWith('\n') ? block.Text : block.Text + "\n");
        }

        foreach (var (_, child) in record.Children)
        {
            WriteText(child);
        }
    }

    private static void WriteJson(Utf8JsonWriter writer, Record record)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in record.Fields)
        {
            if (value is null or string { Length: 0 } or ICollection<string> { Count: 0 })
            {
                continue;
            }

            writer.WritePropertyName(name);
            WriteJsonValue(writer, value);
        }

        if (record.Block is { } block)
        {
            writer.WriteString(block.Name, block.Text);
        }

        foreach (var group in record.Children.GroupBy(c => c.Key))
        {
            writer.WriteStartArray(group.Key);
            foreach (var (_, child) in group)
            {
                WriteJson(writer, child);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteJsonValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int number:
                writer.WriteNumberValue(number);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case double number:
                writer.WriteNumberValue(number);
                break;
            case DateTime time:
                writer.WriteStringValue(ClassicFormat.IsoTimestamp(time));
                break;
            case DateTimeOffset time:
                writer.WriteStringValue(ClassicFormat.IsoTimestamp(time.UtcDateTime));
                break;
            case IEnumerable<string> list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    writer.WriteStringValue(item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private sealed record JsonScalar(object? Value);
}

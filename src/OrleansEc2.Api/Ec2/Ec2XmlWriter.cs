using System.Globalization;
using System.Text;

namespace OrleansEc2.Api.Ec2;

/// <summary>
/// A small forward-only writer of EC2's response XML. Faster than <see cref="System.Xml.XmlWriter"/> for the flat,
/// namespace-free-below-the-root documents EC2 answers with, and it never throws on caller text: characters XML 1.0
/// cannot carry (control characters, lone surrogates) are written as U+FFFD.
/// </summary>
internal sealed class Ec2XmlWriter
{
    public const string Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

    private readonly StringBuilder _text;

    public Ec2XmlWriter(int capacity = 1024)
    {
        _text = new StringBuilder(capacity);
    }

    public int Length => _text.Length;

    public Ec2XmlWriter Start(string name)
    {
        _text.Append('<').Append(name).Append('>');
        return this;
    }

    public Ec2XmlWriter End(string name)
    {
        _text.Append("</").Append(name).Append('>');
        return this;
    }

    /// <summary>An element with text; nothing at all when <paramref name="value"/> is null.</summary>
    public Ec2XmlWriter Element(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        _text.Append('<').Append(name).Append('>');
        AppendEscaped(_text, value);
        _text.Append("</").Append(name).Append('>');
        return this;
    }

    public Ec2XmlWriter Element(string name, int value)
    {
        _text.Append('<').Append(name).Append('>').Append(value.ToString(CultureInfo.InvariantCulture)).Append("</").Append(name).Append('>');
        return this;
    }

    public Ec2XmlWriter Element(string name, long value)
    {
        _text.Append('<').Append(name).Append('>').Append(value.ToString(CultureInfo.InvariantCulture)).Append("</").Append(name).Append('>');
        return this;
    }

    public Ec2XmlWriter Element(string name, bool value)
    {
        _text.Append('<').Append(name).Append('>').Append(value ? "true" : "false").Append("</").Append(name).Append('>');
        return this;
    }

    public Ec2XmlWriter Element(string name, DateTimeOffset value)
    {
        _text.Append('<').Append(name).Append('>').Append(FormatTimestamp(value)).Append("</").Append(name).Append('>');
        return this;
    }

    /// <summary>An empty element (<c>&lt;groupSet/&gt;</c>).</summary>
    public Ec2XmlWriter Empty(string name)
    {
        _text.Append('<').Append(name).Append("/>");
        return this;
    }

    /// <summary>Raw, already well-formed XML.</summary>
    public Ec2XmlWriter Raw(string xml)
    {
        _text.Append(xml);
        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>EC2's timestamp form: ISO 8601 in UTC with milliseconds, <c>2008-10-02T09:31:44.000Z</c>.</summary>
    public static string FormatTimestamp(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length + 16);
        AppendEscaped(builder, value);
        return builder.ToString();
    }

    private static void AppendEscaped(StringBuilder builder, string value)
    {
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            string? replacement;
            if (c == '&')
            {
                replacement = "&amp;";
            }
            else if (c == '<')
            {
                replacement = "&lt;";
            }
            else if (c == '>')
            {
                replacement = "&gt;";
            }
            else if (c == '\r')
            {
                // A literal CR would be normalized away by the client's parser.
                replacement = "&#xD;";
            }
            else if (c < 0x20 && c != '\t' && c != '\n')
            {
                replacement = "\uFFFD";
            }
            else if (c is '\uFFFE' or '\uFFFF')
            {
                replacement = "\uFFFD";
            }
            else if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }

                replacement = "\uFFFD";
            }
            else if (char.IsLowSurrogate(c))
            {
                replacement = "\uFFFD";
            }
            else
            {
                continue;
            }

            builder.Append(value, start, i - start).Append(replacement);
            start = i + 1;
        }

        builder.Append(value, start, value.Length - start);
    }
}

using System.Globalization;

namespace OrleansEc2.Cli.Output;

/// <summary>How the classic EC2 API tools printed values: <c>2008-10-02T09:31:44+0000</c>, lowercase booleans.</summary>
internal static class ClassicFormat
{
    public static string Timestamp(DateTime time) =>
        Utc(time).ToString("yyyy-MM-dd'T'HH:mm:ss'+0000'", CultureInfo.InvariantCulture);

    /// <summary>The ISO 8601 form <c>--json</c> prints: <c>2008-10-02T09:31:44Z</c>.</summary>
    public static string IsoTimestamp(DateTime time) =>
        Utc(time).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A column's text: one line, never a tab inside it (which would shift the columns after it).</summary>
    public static string Column(object? value) => value switch
    {
        null => "",
        string text => OneLine(text),
        DateTime time => Timestamp(time),
        DateTimeOffset time => Timestamp(time.UtcDateTime),
        bool flag => flag ? "true" : "false",
        IEnumerable<string> list => OneLine(string.Join(",", list)),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => OneLine(value.ToString() ?? ""),
    };

    private static DateTime Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Local => time.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        _ => time,
    };

    private static string OneLine(string text) =>
        text.IndexOfAny(['\t', '\r', '\n']) < 0 ? text : text.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}

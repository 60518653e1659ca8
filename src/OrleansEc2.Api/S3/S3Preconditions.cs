using System.Globalization;

namespace OrleansEc2.Api.S3;

/// <summary>What a GET's conditional headers decide.</summary>
internal enum PreconditionOutcome
{
    Proceed,
    NotModified,
    Failed,
}

/// <summary>
/// HTTP's conditional requests (RFC 9110 §13.2.2, which S3 follows): If-Match, then If-Unmodified-Since (only without
/// If-Match), then If-None-Match, then If-Modified-Since (only without If-None-Match). Dates compare at whole seconds,
/// as Last-Modified carries them; an unparsable date is ignored.
/// </summary>
internal static class S3Preconditions
{
    public static PreconditionOutcome Evaluate(
        string etag,
        DateTimeOffset lastModified,
        string? ifMatch,
        string? ifNoneMatch,
        string? ifModifiedSince,
        string? ifUnmodifiedSince,
        bool isRead)
    {
        var modified = TruncateToSeconds(lastModified);
        if (ifMatch is not null)
        {
            if (!ETagListMatches(ifMatch, etag))
            {
                return PreconditionOutcome.Failed;
            }
        }
        else if (ParseHttpDate(ifUnmodifiedSince) is { } unmodifiedSince && modified > unmodifiedSince)
        {
            return PreconditionOutcome.Failed;
        }

        if (ifNoneMatch is not null)
        {
            if (ETagListMatches(ifNoneMatch, etag))
            {
                return isRead ? PreconditionOutcome.NotModified : PreconditionOutcome.Failed;
            }
        }
        else if (isRead && ParseHttpDate(ifModifiedSince) is { } modifiedSince && modified <= modifiedSince)
        {
            return PreconditionOutcome.NotModified;
        }

        return PreconditionOutcome.Proceed;
    }

    /// <summary>
    /// A write's precondition (PutObject, CopyObject, CompleteMultipartUpload): <c>If-None-Match: *</c> or <c>If-Match</c>;
    /// null when it has neither. S3 takes only <c>*</c> in If-None-Match, and not both headers: anything else is 501
    /// <c>NotImplemented</c> naming the header. The bucket grain decides the condition, atomically with the write.
    /// </summary>
    public static ObjectWriteCondition? WriteCondition(string? ifMatch, string? ifNoneMatch)
    {
        if (ifNoneMatch is null)
        {
            return ifMatch is null ? null : new ObjectWriteCondition(ifMatch.Trim(), IfNoneMatch: false);
        }

        if (ifMatch is not null || ifNoneMatch.Trim() != "*")
        {
            throw new Ec2Exception(Ec2ErrorCodes.NotImplemented, "A header you provided implies functionality that is not implemented")
                .WithElement("Header", "If-None-Match");
        }

        return new ObjectWriteCondition(null, IfNoneMatch: true);
    }

    /// <summary>A write's precondition failure as S3 answers it: its error document names the condition that failed.</summary>
    public static Ec2Exception NamingCondition(Ec2Exception error, ObjectWriteCondition condition) =>
        error.Code == Ec2ErrorCodes.PreconditionFailed
            ? error.WithElement("Condition", condition.IfNoneMatch ? "If-None-Match" : "If-Match")
            : error;

    /// <summary>Whether a comma-separated list of entity tags (or <c>*</c>) names <paramref name="etag"/>.</summary>
    public static bool ETagListMatches(string list, string etag)
    {
        foreach (var item in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (item == "*")
            {
                return true;
            }

            var candidate = item.StartsWith("W/", StringComparison.Ordinal) ? item[2..] : item;
            if (string.Equals(candidate.Trim('"'), etag, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public static DateTimeOffset? ParseHttpDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        string[] formats = ["r", "dddd, dd-MMM-yy HH:mm:ss 'GMT'", "ddd MMM d HH:mm:ss yyyy", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"];
        return DateTimeOffset.TryParseExact(value.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed)
            ? parsed
            : null;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), value.Offset);
}

/// <summary>A single byte range of a GET, resolved against the object's size.</summary>
internal readonly record struct ByteRange(long First, long Last)
{
    public long Length => Last - First + 1;

    /// <summary>
    /// The range a <c>Range</c> header asks for: <c>bytes=a-b</c>, <c>bytes=a-</c> or <c>bytes=-n</c>. Null when the
    /// header is absent, malformed or names several ranges (S3 then answers the whole object); throws
    /// <c>InvalidRange</c> when it is well-formed but no byte of the object satisfies it.
    /// </summary>
    public static ByteRange? Parse(string? header, long size, out bool unsatisfiable)
    {
        unsatisfiable = false;
        if (header is null)
        {
            return null;
        }

        var value = header.Trim();
        if (!value.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var spec = value["bytes=".Length..].Trim();
        if (spec.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return null;
        }

        var firstText = spec[..dash].Trim();
        var lastText = spec[(dash + 1)..].Trim();
        if (firstText.Length == 0)
        {
            if (!long.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            {
                return null;
            }

            if (suffix == 0 || size == 0)
            {
                unsatisfiable = true;
                return null;
            }

            return new ByteRange(Math.Max(0, size - suffix), size - 1);
        }

        if (!long.TryParse(firstText, NumberStyles.None, CultureInfo.InvariantCulture, out var first))
        {
            return null;
        }

        var last = long.MaxValue;
        if (lastText.Length > 0)
        {
            if (!long.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < first)
            {
                return null;
            }
        }

        if (first >= size)
        {
            unsatisfiable = true;
            return null;
        }

        return new ByteRange(first, Math.Min(last, size - 1));
    }
}

using System.Globalization;
using System.Text;

namespace OrleansEc2;

/// <summary>Whose tag set <see cref="ObjectTagRules"/> checks: an object's (PutObjectTagging) or a bucket's (PutBucketTagging).</summary>
public enum TagSetOwner
{
    Object,
    Bucket,
}

/// <summary>
/// S3's rules for the tag set of an object (PutObjectTagging, <c>x-amz-tagging</c>) and, with the limit of 50 and its
/// own words for the reserved prefix, of a bucket (PutBucketTagging): at most 10 tags (a bucket 50); keys unique, of
/// 1 to 128 characters, and not beginning with the reserved <c>aws:</c> (in any case); values of 0 to 256 characters;
/// both made of Unicode letters, numbers, white space and <c>_ . : / = + - @</c>. Lengths count UTF-16 code units, as
/// S3 does ("object tags are internally represented in UTF-16").
/// </summary>
public static class ObjectTagRules
{
    public const int MaxTags = 10;
    public const int MaxBucketTags = 50;
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 256;
    public const string ReservedPrefix = "aws:";

    /// <summary>The first rule an object's <paramref name="tags"/> break, in S3's words; null when they keep them all.</summary>
    public static ObjectTagProblem? Check(IReadOnlyList<Tag> tags) => Check(tags, TagSetOwner.Object);

    /// <summary>The first rule <paramref name="tags"/> break as the tag set of <paramref name="owner"/>, in S3's words; null when they keep them all.</summary>
    public static ObjectTagProblem? Check(IReadOnlyList<Tag> tags, TagSetOwner owner)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var (limit, tooMany) = owner == TagSetOwner.Bucket
            ? (MaxBucketTags, $"Bucket tag count cannot be greater than {MaxBucketTags}")
            : (MaxTags, $"Object tags cannot be greater than {MaxTags}");
        if (tags.Count > limit)
        {
            return new ObjectTagProblem(Ec2ErrorCodes.BadRequest, tooMany, null, null);
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (tag?.Key is not { Length: > 0 and <= MaxKeyLength } key || !IsTagText(key))
            {
                return new ObjectTagProblem(Ec2ErrorCodes.InvalidTag, "The TagKey you have provided is invalid", tag?.Key ?? "", null);
            }

            if (key.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return new ObjectTagProblem(Ec2ErrorCodes.InvalidTag, ReservedPrefixMessage(key, owner), key, null);
            }

            if (tag.Value is not { Length: <= MaxValueLength } value || !IsTagText(value))
            {
                return new ObjectTagProblem(Ec2ErrorCodes.InvalidTag, "The TagValue you have provided is invalid", key, tag.Value ?? "");
            }

            if (!keys.Add(key))
            {
                return new ObjectTagProblem(Ec2ErrorCodes.InvalidTag, "Cannot provide multiple Tags with the same key", key, null);
            }
        }

        return null;
    }

    /// <summary>
    /// What S3 says of a key in the reserved prefix: one message for objects; for buckets, the system tags' own prefix
    /// (<c>aws:</c> exactly) is theirs to set, and the prefix in another case is no system tag's.
    /// </summary>
    private static string ReservedPrefixMessage(string key, TagSetOwner owner) => owner switch
    {
        TagSetOwner.Bucket when key.StartsWith(ReservedPrefix, StringComparison.Ordinal) => "System tags cannot be added/updated by requester",
        TagSetOwner.Bucket => "Invalid Tag. Tags cannot start with \"aws:\"(case insensitive) unless they are System Tags that start with \"aws:\"(case sensitive)",
        _ => "Your TagKey cannot be prefixed with aws:",
    };

    private static bool IsTagText(string text)
    {
        var index = 0;
        while (index < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            index += consumed;
            var allowed = Rune.GetUnicodeCategory(rune) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => true,
                UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
                UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
                _ => rune.Value is '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@',
            };
            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Why a tag set was refused: S3's code and message, and the tag it names (S3's <c>TagKey</c> and <c>TagValue</c> elements).</summary>
public sealed record ObjectTagProblem(string Code, string Message, string? TagKey, string? TagValue)
{
    public Ec2Exception ToException() => new(Code, Message);
}

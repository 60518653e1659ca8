using System.Globalization;
using System.Text;

namespace OrleansEc2;

/// <summary>
/// S3's rules for the tag set of an object (PutObjectTagging, <c>x-amz-tagging</c>): at most 10 tags; keys unique, of
/// 1 to 128 characters, and not beginning with the reserved <c>aws:</c> (in any case); values of 0 to 256 characters;
/// both made of Unicode letters, numbers, white space and <c>_ . : / = + - @</c>. Lengths count UTF-16 code units, as
/// S3 does ("object tags are internally represented in UTF-16").
/// </summary>
public static class ObjectTagRules
{
    public const int MaxTags = 10;
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 256;
    public const string ReservedPrefix = "aws:";

    /// <summary>The first rule <paramref name="tags"/> breaks, in S3's words; null when it keeps them all.</summary>
    public static ObjectTagProblem? Check(IReadOnlyList<Tag> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.Count > MaxTags)
        {
            return new ObjectTagProblem(Ec2ErrorCodes.BadRequest, $"Object tags cannot be greater than {MaxTags}", null, null);
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
                return new ObjectTagProblem(Ec2ErrorCodes.InvalidTag, "Your TagKey cannot be prefixed with aws:", key, null);
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

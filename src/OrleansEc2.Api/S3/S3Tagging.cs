using System.Collections.Immutable;
using System.Text;
using System.Xml.Linq;
using OrleansEc2.Api.Ec2;

namespace OrleansEc2.Api.S3;

/// <summary>
/// A tag set as S3 carries it: the <c>x-amz-tagging</c> header (URL query form, <c>k1=v1&amp;k2=v2</c>) of PutObject,
/// CreateMultipartUpload and CopyObject, and the <c>&lt;Tagging&gt;</c> document of Get/PutObjectTagging and
/// Get/PutBucketTagging. Either is checked against <see cref="ObjectTagRules"/> here, so the error names the tag as S3's does.
/// </summary>
internal static class S3Tagging
{
    public const string Header = "x-amz-tagging";
    public const string CountHeader = "x-amz-tagging-count";
    public const string DirectiveHeader = "x-amz-tagging-directive";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The tags of an <c>x-amz-tagging</c> header: <c>&amp;</c>-separated pairs, a key without <c>=</c> having the empty
    /// value, <c>+</c> a space and <c>%XX</c> a byte of UTF-8. Empty when the header is absent. A pair without a key, a
    /// key named twice or bytes that are not UTF-8 are <c>InvalidArgument</c>, as S3 answers them.
    /// </summary>
    public static ImmutableArray<Tag> FromHeader(string? header)
    {
        if (header is null)
        {
            return [];
        }

        var tags = ImmutableArray.CreateBuilder<Tag>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in header.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var key = FormDecode(equals < 0 ? pair : pair[..equals], header);
            var value = equals < 0 ? "" : FormDecode(pair[(equals + 1)..], header);
            if (key is null || value is null || key.Length == 0 || !keys.Add(key))
            {
                throw InvalidHeader(header);
            }

            tags.Add(new Tag(key, value));
        }

        var result = tags.ToImmutable();
        Check(result, TagSetOwner.Object);
        return result;
    }

    /// <summary>
    /// The tags of a PutObjectTagging (or, for <see cref="TagSetOwner.Bucket"/>, PutBucketTagging) document:
    /// <c>&lt;Tagging&gt;&lt;TagSet&gt;</c> with <c>&lt;Tag&gt;</c>s of one <c>Key</c> and one <c>Value</c> each, checked
    /// against the owner's rules. An empty body is <c>MissingRequestBodyError</c>, any other shape <c>MalformedXML</c>.
    /// </summary>
    public static ImmutableArray<Tag> FromDocument(byte[] body, TagSetOwner owner = TagSetOwner.Object)
    {
        if (body.Length == 0)
        {
            throw S3Errors.MissingRequestBody();
        }

        var root = S3Xml.Parse(body);
        if (root.Name.LocalName != "Tagging" || root.Elements().Count() != 1 || S3Xml.Children(root, "TagSet").SingleOrDefault() is not { } tagSet)
        {
            throw S3Errors.MalformedXml();
        }

        var tags = ImmutableArray.CreateBuilder<Tag>();
        foreach (var element in tagSet.Elements())
        {
            if (element.Name.LocalName != "Tag" || element.Elements().Count() != 2
                || Single(element, "Key") is not { } key || Single(element, "Value") is not { } value)
            {
                throw S3Errors.MalformedXml();
            }

            tags.Add(new Tag(key, value));
        }

        var result = tags.ToImmutable();
        Check(result, owner);
        return result;
    }

    /// <summary>GetObjectTagging's and GetBucketTagging's answer.</summary>
    public static Ec2XmlWriter Document(ImmutableArray<Tag> tags)
    {
        var xml = S3Xml.Document("Tagging", 160 + (tags.Length * 96));
        if (tags.IsDefaultOrEmpty)
        {
            return xml.Empty("TagSet").End("Tagging");
        }

        xml.Start("TagSet");
        foreach (var tag in tags)
        {
            xml.Start("Tag").Element("Key", tag.Key).Element("Value", tag.Value).End("Tag");
        }

        return xml.End("TagSet").End("Tagging");
    }

    private static void Check(ImmutableArray<Tag> tags, TagSetOwner owner)
    {
        if (ObjectTagRules.Check(tags, owner) is { } problem)
        {
            throw problem.ToException().WithElement("TagKey", problem.TagKey).WithElement("TagValue", problem.TagValue);
        }
    }

    private static string? Single(XElement parent, string name) =>
        S3Xml.Children(parent, name).ToList() is [var only] ? only.Value : null;

    /// <summary>A name or value of the query form decoded; null when its escapes are not UTF-8.</summary>
    private static string? FormDecode(string text, string header)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '%')
            {
                if (i + 2 >= text.Length || !Uri.IsHexDigit(text[i + 1]) || !Uri.IsHexDigit(text[i + 2]))
                {
                    throw InvalidHeader(header);
                }

                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                var length = char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1;
                bytes.AddRange(Encoding.UTF8.GetBytes(text.ToCharArray(i, length)));
                i += length - 1;
            }
        }

        try
        {
            return StrictUtf8.GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static Ec2Exception InvalidHeader(string header) =>
        S3Errors.InvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
            .WithElement("ArgumentName", Header)
            .WithElement("ArgumentValue", header);
}

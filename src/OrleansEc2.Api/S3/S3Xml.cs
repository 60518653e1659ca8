using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using OrleansEc2.Api.Ec2;

namespace OrleansEc2.Api.S3;

/// <summary>S3's XML: response documents in the 2006-03-01 namespace, errors, and the few request bodies S3 takes.</summary>
internal static class S3Xml
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = S3RequestContext.MaxXmlBodyBytes,
    };

    /// <summary>A document whose root element carries S3's namespace.</summary>
    public static Ec2XmlWriter Document(string root, int capacity = 1024) =>
        new Ec2XmlWriter(capacity).Raw(Ec2XmlWriter.Declaration).Raw($"<{root} xmlns=\"{Namespace}\">");

    /// <summary>S3's timestamp in XML: ISO 8601 UTC with milliseconds.</summary>
    public static string Timestamp(DateTimeOffset value) => Ec2XmlWriter.FormatTimestamp(value);

    /// <summary>S3's timestamp in headers (Last-Modified): RFC 1123.</summary>
    public static string HttpDate(DateTimeOffset value) => value.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    public static string QuotedETag(string etag) => "\"" + etag + "\"";

    /// <summary>
    /// Text as an HTTP response header value: as it is when it is printable ASCII (or a tab), else RFC 2047-encoded UTF-8
    /// (<c>=?UTF-8?B?…?=</c>), as S3 returns non-ASCII metadata — a header cannot carry the raw characters.
    /// </summary>
    public static string HeaderValue(string value) =>
        value.All(c => c is '\t' or (>= ' ' and <= '~'))
            ? value
            : "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "?=";

    public static async Task WriteAsync(HttpResponse response, Ec2XmlWriter document, int status = 200)
    {
        var bytes = Encoding.UTF8.GetBytes(document.ToString());
        response.StatusCode = status;
        response.ContentType = "application/xml";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes);
    }

    /// <summary>S3's error document; a HEAD answer carries the status and headers only.</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string code, string message, string requestId, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        var xml = new Ec2XmlWriter(512)
            .Raw(Ec2XmlWriter.Declaration)
            .Start("Error")
            .Element("Code", code)
            .Element("Message", message);
        foreach (var (name, value) in extra ?? [])
        {
            xml.Element(name, value);
        }

        xml.Element("Resource", Auth.SigV4Verifier.RawTarget(context.Request).Path)
            .Element("RequestId", requestId)
            .End("Error");
        var bytes = Encoding.UTF8.GetBytes(xml.ToString());
        response.ContentType = "application/xml";
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes).AsTask();
    }

    /// <summary>Parses a request body; <c>MalformedXML</c> for anything that is not one well-formed document.</summary>
    public static XElement Parse(byte[] body)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), ReaderSettings);
            return XDocument.Load(reader).Root ?? throw S3Errors.MalformedXml();
        }
        catch (XmlException)
        {
            throw S3Errors.MalformedXml();
        }
    }

    /// <summary>The child elements named <paramref name="name"/>, in or out of S3's namespace.</summary>
    public static IEnumerable<XElement> Children(XElement parent, string name) => parent.Elements().Where(e => e.Name.LocalName == name);

    public static string? ChildValue(XElement parent, string name) => Children(parent, name).FirstOrDefault()?.Value;
}

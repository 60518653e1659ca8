using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace OrleansEc2.Api.S3;

/// <summary>
/// The fields of a POST Object form, read from a <c>multipart/form-data</c> body up to the <c>file</c> field, which is
/// left unread for the caller to stream: fields come in order, their names compared case-insensitively, repeated names
/// joined with commas (as the policy must state them). Anything after <c>file</c> is never read, as S3 ignores it.
/// </summary>
internal sealed class S3PostForm
{
    /// <summary>What the fields and boundaries before the file may take in all (S3's 20 KB).</summary>
    public const int MaxPreDataBytes = 20 * 1024;

    public const string FileField = "file";

    private const int BufferSize = 64 * 1024;
    private const int MaxBoundaryLength = 70;

    private readonly List<KeyValuePair<string, string>> _fields;

    private S3PostForm(List<KeyValuePair<string, string>> fields, MultipartSection? file, string fileName)
    {
        _fields = fields;
        File = file;
        FileName = fileName;
    }

    /// <summary>The fields before the file, in order, as sent (names as the form spelled them).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    /// <summary>The <c>file</c> field, its body not yet read; null when the form has none.</summary>
    public MultipartSection? File { get; }

    /// <summary>The file's name without any path (what <c>${filename}</c> stands for), empty when none was given.</summary>
    public string FileName { get; }

    /// <summary>
    /// Whether <paramref name="contentType"/> is a <c>multipart/form-data</c> type with a usable boundary; S3 refuses
    /// anything else with <c>PreconditionFailed</c> before it looks at the body.
    /// </summary>
    public static string? BoundaryOf(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        return string.IsNullOrEmpty(boundary) || boundary.Length > MaxBoundaryLength ? null : boundary;
    }

    /// <summary>
    /// Reads the fields of <paramref name="body"/> up to the file: <c>MaxPostPreDataLengthExceeded</c> past
    /// <see cref="MaxPreDataBytes"/>, <c>MalformedPOSTRequest</c> for a body that is not well-formed multipart.
    /// </summary>
    public static async Task<S3PostForm> ReadAsync(Stream body, string boundary, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(boundary, body, BufferSize)
        {
            HeadersLengthLimit = MaxPreDataBytes,
        };
        var fields = new List<KeyValuePair<string, string>>();
        long preData = 0;
        while (true)
        {
            MultipartSection? section;
            try
            {
                section = await reader.ReadNextSectionAsync(cancellationToken);
            }
            catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
            {
                throw TooLarge();
            }
            catch (Exception e) when (IsMalformedBody(e, cancellationToken))
            {
                throw Malformed();
            }

            if (section is null)
            {
                return new S3PostForm(fields, null, "");
            }

            // The boundary line, each header line, the empty line after the headers and the line end after the value.
            preData += boundary.Length + 4 + 2;
            foreach (var (name, values) in section.Headers ?? [])
            {
                preData += name.Length + 2 + values.ToString().Length + 2;
            }

            preData += 2;
            if (preData > MaxPreDataBytes)
            {
                throw TooLarge();
            }

            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } fieldName)
            {
                throw Malformed();
            }

            if (fieldName.Equals(FileField, StringComparison.OrdinalIgnoreCase))
            {
                return new S3PostForm(fields, section, BaseName(FileNameOf(disposition)));
            }

            var value = await ReadValueAsync(section.Body, (int)(MaxPreDataBytes - preData), cancellationToken);
            preData += Encoding.UTF8.GetByteCount(value) + 2;
            fields.Add(new(fieldName, value));
        }
    }

    /// <summary>The value of <paramref name="name"/> (repeated fields joined with commas); null when the form has no such field.</summary>
    public string? Get(string name)
    {
        string? joined = null;
        foreach (var (field, value) in _fields)
        {
            if (field.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                joined = joined is null ? value : joined + "," + value;
            }
        }

        return joined;
    }

    public bool Has(string name) => _fields.Any(f => f.Key.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Replaces <c>${filename}</c> in every field but the credentials with the file's name, as S3 does before it checks the policy.</summary>
    public void ExpandFileName(Func<string, bool> isCredential)
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            var (name, value) = _fields[i];
            if (!isCredential(name) && value.Contains("${filename}", StringComparison.Ordinal))
            {
                _fields[i] = new(name, value.Replace("${filename}", FileName, StringComparison.Ordinal));
            }
        }
    }

    /// <summary>
    /// Whether reading the multipart body failed because of what the client sent: not because it went away (the request
    /// is aborted then), and not a body shorter than its Content-Length (Kestrel's <see cref="BadHttpRequestException"/>,
    /// answered <c>IncompleteBody</c> by the handler).
    /// </summary>
    public static bool IsMalformedBody(Exception e, CancellationToken aborted) =>
        !aborted.IsCancellationRequested && (e is InvalidDataException || (e is IOException && e is not BadHttpRequestException));

    public static Ec2Exception Malformed() =>
        new(S3Errors.MalformedPostRequest, "The body of your POST request is not well-formed multipart/form-data.");

    private static Ec2Exception TooLarge() =>
        new(S3Errors.MaxPostPreDataLengthExceeded, "Your POST request fields preceding the upload file were too large.");

    private static string FileNameOf(ContentDispositionHeaderValue disposition)
    {
        var star = disposition.FileNameStar;
        if (star.HasValue && star.Value!.Length > 0)
        {
            return star.Value;
        }

        return HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? "";
    }

    /// <summary>A browser may send a full path (<c>C:\dir\file.txt</c>): only what follows the last slash or backslash counts.</summary>
    private static string BaseName(string fileName)
    {
        var last = fileName.LastIndexOfAny(['/', '\\']);
        return last < 0 ? fileName : fileName[(last + 1)..];
    }

    private static async Task<string> ReadValueAsync(Stream section, int budget, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(budget, 0) + 1);
        try
        {
            var length = 0;
            while (true)
            {
                int read;
                try
                {
                    read = await section.ReadAsync(buffer.AsMemory(length, buffer.Length - length), cancellationToken);
                }
                catch (Exception e) when (IsMalformedBody(e, cancellationToken))
                {
                    throw Malformed();
                }

                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > budget)
                {
                    throw TooLarge();
                }
            }

            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

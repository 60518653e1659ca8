using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansEc2.Api.Auth;

/// <summary>
/// The pieces of AWS Signature Version 4 both front doors share: URI encoding, canonical requests, the string to
/// sign, the signing key and signatures. Pure functions over strings and bytes, so they are testable against AWS's
/// published examples.
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Hex SHA-256 of the empty string.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>
    /// AWS's UriEncode: every byte of the UTF-8 form except the unreserved characters (A-Z a-z 0-9 - . _ ~) as %XX
    /// (uppercase hex); '/' kept when <paramref name="keepSlash"/>.
    /// </summary>
    public static string UriEncode(string value, bool keepSlash)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var builder = new StringBuilder(bytes.Length * 3 / 2);
        foreach (var b in bytes)
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~'
                || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Percent-decodes a raw path or query component as sent on the wire (no '+' to space: SigV4 clients encode spaces
    /// as %20; a '+' in a query is taken as '+' only when <paramref name="plusIsSpace"/> is false).
    /// </summary>
    public static string UriDecode(string value, bool plusIsSpace = false)
    {
        if (value.IndexOf('%') < 0 && !(plusIsSpace && value.Contains('+')))
        {
            return value;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            var length = 0;
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
                {
                    buffer[length++] = (byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]));
                    i += 2;
                }
                else if (c == '+' && plusIsSpace)
                {
                    buffer[length++] = (byte)' ';
                }
                else
                {
                    length += Encoding.UTF8.GetBytes(value.AsSpan(i, char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1), buffer.AsSpan(length));
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length)
                    {
                        i++;
                    }
                }
            }

            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The canonical URI of a raw request path. S3 encodes each segment once and keeps the path as it is; the other
    /// services normalize the path (remove <c>.</c>/<c>..</c> segments, collapse duplicate slashes) and encode twice.
    /// </summary>
    public static string CanonicalUri(string rawPath, bool isS3)
    {
        var path = string.IsNullOrEmpty(rawPath) ? "/" : rawPath;
        var decoded = UriDecode(path);
        if (isS3)
        {
            return UriEncode(decoded, keepSlash: true);
        }

        var segments = new List<string>();
        foreach (var segment in decoded.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        var normalized = "/" + string.Join('/', segments) + (decoded.EndsWith('/') && segments.Count > 0 ? "/" : "");
        return UriEncode(UriEncode(normalized, keepSlash: true), keepSlash: true);
    }

    /// <summary>Decoded query parameters of a raw query string (without the leading '?'), in order, duplicates kept.</summary>
    public static List<KeyValuePair<string, string>> ParseQuery(string rawQuery)
    {
        var result = new List<KeyValuePair<string, string>>();
        var query = rawQuery.StartsWith('?') ? rawQuery[1..] : rawQuery;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : pair[(eq + 1)..];
            result.Add(new(UriDecode(name, plusIsSpace: true), UriDecode(value, plusIsSpace: true)));
        }

        return result;
    }

    /// <summary>The canonical query string: each name and value encoded, sorted by name then value, <paramref name="exclude"/> left out.</summary>
    public static string CanonicalQueryString(IEnumerable<KeyValuePair<string, string>> parameters, string? exclude = null)
    {
        var encoded = parameters
            .Where(p => exclude is null || !string.Equals(p.Key, exclude, StringComparison.Ordinal))
            .Select(p => (Name: UriEncode(p.Key, keepSlash: false), Value: UriEncode(p.Value, keepSlash: false)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', encoded.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>A header value as it goes into the canonical headers: trimmed, inner runs of spaces collapsed to one.</summary>
    public static string CanonicalHeaderValue(IEnumerable<string> values)
    {
        return string.Join(',', values.Select(v => CollapseSpaces(v.Trim())));
    }

    public static string CanonicalRequest(
        string method,
        string canonicalUri,
        string canonicalQueryString,
        IReadOnlyList<KeyValuePair<string, string>> canonicalHeaders,
        string payloadHash)
    {
        var builder = new StringBuilder(512);
        builder.Append(method).Append('\n')
            .Append(canonicalUri).Append('\n')
            .Append(canonicalQueryString).Append('\n');
        foreach (var (name, value) in canonicalHeaders)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        builder.Append('\n')
            .Append(string.Join(';', canonicalHeaders.Select(h => h.Key))).Append('\n')
            .Append(payloadHash);
        return builder.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest)
    {
        return Algorithm + "\n" + amzDate + "\n" + scope + "\n" + HexSha256(Encoding.UTF8.GetBytes(canonicalRequest));
    }

    /// <summary>HMAC chain <c>"AWS4"+secret → date → region → service → aws4_request</c>.</summary>
    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string Sign(byte[] signingKey, string stringToSign)
    {
        return Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>The string to sign for one chunk of an <c>aws-chunked</c> body; each chunk chains from the previous signature.</summary>
    public static string ChunkStringToSign(string amzDate, string scope, string previousSignature, string chunkHashHex)
    {
        return "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n" + EmptyPayloadHash + "\n" + chunkHashHex;
    }

    /// <summary>The string to sign for the trailing headers of an <c>aws-chunked</c> body (<c>x-amz-trailer-signature</c>).</summary>
    public static string TrailerStringToSign(string amzDate, string scope, string previousSignature, string trailerHashHex)
    {
        return "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n" + trailerHashHex;
    }

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Constant-time comparison of two hex signatures.</summary>
    public static bool SignaturesEqual(string expected, string actual)
    {
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(actual.ToLowerInvariant()));
    }

    public static bool TryParseAmzDate(string value, out DateTimeOffset time)
    {
        return DateTimeOffset.TryParseExact(value, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    public static string FormatAmzDate(DateTimeOffset time) => time.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    private static string CollapseSpaces(string value)
    {
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        var previousSpace = false;
        foreach (var c in value)
        {
            if (c == ' ')
            {
                if (!previousSpace)
                {
                    builder.Append(c);
                }

                previousSpace = true;
            }
            else
            {
                builder.Append(c);
                previousSpace = false;
            }
        }

        return builder.ToString();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

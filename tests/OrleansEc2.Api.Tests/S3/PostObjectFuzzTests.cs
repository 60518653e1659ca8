using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Client;
using Xunit.Abstractions;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>
/// Hundreds of POST Object forms, most of them built right and then bent (fields dropped, doubled, renamed, garbled;
/// the multipart framing cut or broken; the policy and signature tampered with): never a 5xx, every refusal S3's
/// error document, and whatever was stored is under the policy's prefix and reads back as the ETag it was answered.
/// </summary>
[Collection(ApiSiloCollection.Name)]
public sealed class PostObjectFuzzTests(ApiSiloFixture silo, ITestOutputHelper output)
{
    private const int Forms = 600;
    private const string Prefix = "fuzz/";

    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    private static readonly string[] OddValues =
    [
        "", " ", "${filename}", "fuzz/${filename}", "fuzz/", "fuzz/a b", "../fuzz", "ü€ 日本", "\u0001", "a\r\nb", new string('x', 1100), "201", "200", "204",
        "303", "http://example.com/x", "javascript:alert(1)", "public-read", "ec2-bundle-read", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1", "garbage", "=", "%ZZ",
    ];

    private static readonly string[] FieldNames =
    [
        "key", "KEY", "acl", "policy", "signature", "AWSAccessKeyId", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature",
        "success_action_status", "success_action_redirect", "redirect", "Content-Type", "x-amz-meta-a", "x-ignore-x", "tagging", "x-amz-checksum-crc32",
        "x-amz-checksum-algorithm", "Content-MD5", "x-amz-security-token", "x-amz-storage-class", "bucket", "file", "",
    ];

    private static readonly string[] BrokenPolicies =
    [
        "", "{", "[]", "null", "{\"expiration\": 1, \"conditions\": []}", "{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": {}}",
        "{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [1]}", "{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"eq\"]]}",
        "{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"content-length-range\", -1, \"x\"]]}",
        "{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"starts-with\", \"key\", \"fuzz/\"]]}",
        "{\"expiration\": \"2030-01-01T00:00:00Z\", \"expiration\": \"2031-01-01T00:00:00Z\", \"conditions\": []}",
        "{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[[[[[[[[[]]]]]]]]]]}",
    ];

    private readonly ConcurrentDictionary<string, int> _codes = new();

    [Fact]
    public async Task RandomForms_NeverFailServerSide_AndStoreOnlyWhatThePolicyAllows()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post-fuzz");
        var random = new Random(20260315);
        var forms = Enumerable.Range(0, Forms).Select(i => NextForm(new Random(random.Next()), bucket, i)).ToList();
        var failures = new ConcurrentBag<string>();

        await Parallel.ForEachAsync(forms, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (form, cancellationToken) =>
        {
            var problem = await SendAndCheckAsync(form, bucket, cancellationToken);
            if (problem is not null)
            {
                failures.Add($"{problem}\n    for {form.Description}");
            }
        });

        output.WriteLine(string.Join('\n', _codes.OrderByDescending(c => c.Value).Select(c => $"{c.Value,6} {c.Key}")));
        failures.Should().BeEmpty($"{failures.Count} of {Forms} answers were wrong:\n{string.Join("\n", failures.Take(20))}\nerrors logged: {string.Join("\n", silo.Log.Errors.Take(5))}\n");
        _codes.Keys.Should().Contain(["204", "SignatureDoesNotMatch", "AccessDenied", "InvalidArgument", "MalformedPOSTRequest", "InvalidPolicyDocument"]);

        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Encoding = Amazon.S3.EncodingType.Url });
        foreach (var item in listed.S3Objects ?? [])
        {
            var key = Uri.UnescapeDataString(item.Key);
            key.Should().StartWith(Prefix, "the policy allows keys under the prefix only");
            var bytes = await ReadAllAsync(s3, bucket, key);
            item.ETag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(bytes))}\"", key);
        }

        output.WriteLine($"{listed.S3Objects?.Count ?? 0} objects stored, all under {Prefix}, all whole");
    }

    private async Task<string?> SendAndCheckAsync(FuzzForm form, string bucket, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(form.Wire);
        content.Headers.TryAddWithoutValidation("Content-Type", form.ContentType);
        using var response = await Http.PostAsync(new Uri(silo.BaseUri, bucket), content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var status = (int)response.StatusCode;
        var requestId = response.Headers.TryGetValues("x-amz-request-id", out var ids) ? ids.Single() : null;
        if (requestId is null)
        {
            return $"no x-amz-request-id (status {status})";
        }

        if (status is 200 or 201 or 204 or 303)
        {
            Count(status.ToString(CultureInfo.InvariantCulture));
            return response.Headers.ETag is null ? $"status {status} without an ETag" : null;
        }

        XElement error;
        try
        {
            error = XDocument.Parse(text).Root!;
        }
        catch (System.Xml.XmlException e)
        {
            Count(status.ToString(CultureInfo.InvariantCulture));
            return $"status {status}, malformed XML: {e.Message}: {text[..Math.Min(300, text.Length)]}";
        }

        var code = error.Element("Code")?.Value ?? "";
        Count(code);
        if (error.Name.LocalName != "Error" || code.Length == 0 || error.Element("RequestId")?.Value != requestId)
        {
            return $"status {status}, not S3's error document: {text[..Math.Min(300, text.Length)]}";
        }

        if (status >= 500 && !(status == 501 && code == "NotImplemented"))
        {
            return $"server error {status} {code}: {error.Element("Message")?.Value}";
        }

        return text.Contains("Exception", StringComparison.Ordinal) || text.Contains("   at ", StringComparison.Ordinal) ? "a stack trace in the answer" : null;
    }

    private void Count(string code) => _codes.AddOrUpdate(code, 1, (_, n) => n + 1);

    private FuzzForm NextForm(Random random, string bucket, int index)
    {
        var expiration = random.Next(10) == 0 ? silo.Time.GetUtcNow().AddMinutes(-1) : silo.Time.GetUtcNow().AddHours(1);
        var key = random.Next(3) == 0 ? Pick(random, OddValues) : $"{Prefix}{index}";
        var file = Bytes(random.Next(4) == 0 ? 0 : random.Next(1, 70_000), index);
        var sigV4 = random.Next(2) == 0;
        var template = sigV4
            ? PostForm.SigV4(bucket, Prefix, file, expiration, DateTimeOffset.UtcNow, random.Next(3) == 0 ? ["[\"content-length-range\", 1, 50000]"] : null).Set("key", key)
            : PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, expiration), key, file);
        var fields = template.Fields.ToList();
        var description = new List<string> { sigV4 ? "sigv4" : "sigv2", $"key={key[..Math.Min(20, key.Length)]}", $"file={file.Length}" };

        for (var mutations = random.Next(4); mutations > 0; mutations--)
        {
            switch (random.Next(9))
            {
                case 0 when fields.Count > 0:
                    var dropped = random.Next(fields.Count);
                    description.Add("drop " + fields[dropped].Name);
                    fields.RemoveAt(dropped);
                    break;
                case 1 when fields.Count > 0:
                    var doubled = fields[random.Next(fields.Count)];
                    description.Add("double " + doubled.Name);
                    fields.Insert(random.Next(fields.Count + 1), doubled);
                    break;
                case 2:
                    var added = (Pick(random, FieldNames), Pick(random, OddValues));
                    description.Add($"add {added.Item1}");
                    fields.Insert(random.Next(fields.Count + 1), added);
                    break;
                case 3 when fields.Count > 0:
                    var garbled = random.Next(fields.Count);
                    description.Add("garble " + fields[garbled].Name);
                    fields[garbled] = (fields[garbled].Name, Pick(random, OddValues));
                    break;
                case 4 when fields.Count > 0:
                    var renamed = random.Next(fields.Count);
                    description.Add("upper-case " + fields[renamed].Name);
                    fields[renamed] = (fields[renamed].Name.ToUpperInvariant(), fields[renamed].Value);
                    break;
                case 5 when !sigV4:
                    // A policy S3 cannot read, signed right: it gets past the signature to the policy's reader.
                    var policy = Convert.ToBase64String(Encoding.UTF8.GetBytes(Pick(random, BrokenPolicies)));
                    description.Add("signed broken policy");
                    fields.RemoveAll(f => f.Name is "policy" or "signature");
                    fields.Add(("policy", policy));
                    fields.Add(("signature", UploadPolicies.Sign(policy, ApiSiloFixture.AliceSecret)));
                    break;
                default:
                    break;
            }
        }

        var boundary = "fuzzBoundary" + index.ToString(CultureInfo.InvariantCulture);
        var wire = new MemoryStream();
        void Write(string text) => wire.Write(Encoding.UTF8.GetBytes(text));
        foreach (var (name, value) in fields)
        {
            Write($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
        }

        var fileName = random.Next(5) == 0 ? Pick(random, OddValues) : "part.bin";
        Write($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        wire.Write(file);
        Write($"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nignored\r\n--{boundary}--\r\n");
        var bytes = wire.ToArray();
        var contentType = $"multipart/form-data; boundary={boundary}";
        switch (random.Next(14))
        {
            case 0:
                var cut = random.Next(bytes.Length);
                description.Add($"cut at {cut}");
                bytes = bytes[..cut];
                break;
            case 1:
                var at = random.Next(bytes.Length);
                description.Add($"flip byte {at}");
                bytes[at] ^= (byte)random.Next(1, 256);
                break;
            case 2:
                contentType = Pick(random, ["multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed; boundary=" + boundary, "text/plain", "multipart/form-data; boundary=other", $"multipart/form-data; boundary=\"{boundary}\""]);
                description.Add("content type " + contentType);
                break;
            case 3:
                description.Add("no disposition");
                bytes = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("Content-Disposition: form-data; name=\"policy\"", "X-Other: 1", StringComparison.Ordinal));
                break;
            case 4:
                description.Add("preamble");
                bytes = [.. Encoding.UTF8.GetBytes("preamble text\r\n"), .. bytes];
                break;
            default:
                break;
        }

        return new FuzzForm(bytes, contentType, string.Join(", ", description));
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private sealed record FuzzForm(byte[] Wire, string ContentType, string Description);
}

using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Client;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>
/// A POST Object form as a browser sends it (<c>multipart/form-data</c>: the fields in order, then the file, then
/// whatever a careless form puts after it), with the policies and signatures the classic tools and today's SDKs make.
/// </summary>
public sealed class PostForm
{
    public List<(string Name, string Value)> Fields { get; } = [];

    public HttpContent File { get; set; } = new ByteArrayContent([]);

    public string? FileName { get; set; } = "upload.bin";

    /// <summary>Fields after the file (S3 ignores them).</summary>
    public List<(string Name, string Value)> After { get; } = [];

    /// <summary>
    /// The form a holder of BundleInstance's upload policy sends: <paramref name="policy"/> exactly as
    /// <see cref="UploadPolicies.Build"/> made it, signed with <see cref="UploadPolicies.Sign"/> (Signature Version 2).
    /// </summary>
    public static PostForm UploadPolicy(string policy, string key, byte[] file, string accessKeyId = ApiSiloFixture.AliceKey, string secret = ApiSiloFixture.AliceSecret)
    {
        var form = new PostForm { File = new ByteArrayContent(file) };
        form.Add("key", key).Add("acl", "ec2-bundle-read").Add("AWSAccessKeyId", accessKeyId).Add("policy", policy).Add("signature", UploadPolicies.Sign(policy, secret));
        return form;
    }

    /// <summary>base64 of a policy document expiring at <paramref name="expiration"/> with <paramref name="conditions"/> (JSON values).</summary>
    public static string Policy(DateTimeOffset expiration, params string[] conditions) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(
            "{\"expiration\": \"" + expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "\", \"conditions\": [" + string.Join(", ", conditions) + "]}"));

    /// <summary>
    /// A Signature Version 4 form as the SDKs' presigned POST makes it: the policy names the bucket, the key prefix,
    /// the algorithm, credential and date fields and <paramref name="extraConditions"/>; the signature is the hex
    /// HMAC-SHA256 of the base64 policy with the SigV4 signing key.
    /// </summary>
    public static PostForm SigV4(string bucket, string key, byte[] file, DateTimeOffset expiration, DateTimeOffset signedAt, string[]? extraConditions = null, string accessKeyId = ApiSiloFixture.AliceKey, string secret = ApiSiloFixture.AliceSecret, string region = ApiSiloFixture.UsEast1)
    {
        var amzDate = SigV4Format(signedAt);
        var credential = $"{accessKeyId}/{amzDate[..8]}/{region}/s3/aws4_request";
        var policy = Policy(
            expiration,
            [
                $"{{\"bucket\": \"{bucket}\"}}",
                $"[\"starts-with\", \"$key\", \"{key}\"]",
                "{\"x-amz-algorithm\": \"AWS4-HMAC-SHA256\"}",
                $"{{\"x-amz-credential\": \"{credential}\"}}",
                $"{{\"x-amz-date\": \"{amzDate}\"}}",
                .. extraConditions ?? [],
            ]);
        var signature = OrleansEc2.Api.Auth.SigV4.Sign(OrleansEc2.Api.Auth.SigV4.SigningKey(secret, amzDate[..8], region, "s3"), policy);
        var form = new PostForm { File = new ByteArrayContent(file) };
        form.Add("key", key).Add("x-amz-algorithm", "AWS4-HMAC-SHA256").Add("x-amz-credential", credential).Add("x-amz-date", amzDate)
            .Add("policy", policy).Add("x-amz-signature", signature);
        return form;
    }

    public PostForm Add(string name, string value)
    {
        Fields.Add((name, value));
        return this;
    }

    public PostForm Set(string name, string value)
    {
        var at = Fields.FindIndex(f => f.Name == name);
        Fields[at] = (name, value);
        return this;
    }

    public PostForm Remove(string name)
    {
        Fields.RemoveAll(f => f.Name == name);
        return this;
    }

    public string Get(string name) => Fields.Single(f => f.Name == name).Value;

    public HttpContent Build()
    {
        var content = new MultipartFormDataContent("----OrleansEc2PostBoundary" + Guid.NewGuid().ToString("n")[..8]);
        foreach (var (name, value) in Fields)
        {
            content.Add(new StringContent(value), name);
        }

        if (FileName is null)
        {
            content.Add(File, "file");
        }
        else
        {
            File.Headers.ContentType ??= new MediaTypeHeaderValue("application/octet-stream");
            content.Add(File, "file", FileName);
        }

        foreach (var (name, value) in After)
        {
            content.Add(new StringContent(value), name);
        }

        return content;
    }

    public Task<HttpResponseMessage> PostAsync(HttpClient http, Uri baseUri, string bucket) =>
        http.PostAsync(new Uri(baseUri, bucket), Build());

    public static string SigV4Format(DateTimeOffset time) => OrleansEc2.Api.Auth.SigV4.FormatAmzDate(time);

    /// <summary>The S3 error document of a raw response: every element by name.</summary>
    public static async Task<Dictionary<string, string>> ErrorAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var root = XDocument.Parse(text).Root!;
        root.Name.LocalName.Should().Be("Error", text);
        return root.Elements().ToDictionary(e => e.Name.LocalName, e => e.Value);
    }
}

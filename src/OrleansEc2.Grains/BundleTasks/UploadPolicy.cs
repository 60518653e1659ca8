using System.Globalization;
using System.Text.Json;

namespace OrleansEc2.Grains.BundleTasks;

/// <summary>
/// The S3 upload policy BundleInstance carries, checked the way S3 would check the uploads it lets EC2 make. On the wire
/// it is base64 of a JSON document (<c>{"expiration": …, "conditions": [{"bucket": …}, {"acl": "ec2-bundle-read"},
/// ["starts-with", "$key", PREFIX]]}</c>), signed by base64(HMAC-SHA1(owner's secret key, that base64 text)) — what the
/// AWS CLI's <c>bundle-instance --owner-akid --owner-sak</c> and <c>ec2-bundle-instance -w</c> send.
/// </summary>
public static class UploadPolicy
{
    /// <summary>The largest policy document accepted (decoded), as Eucalyptus limits it.</summary>
    public const int MaxBytes = 4096;

    /// <summary>The canned ACL EC2 uploads a bundle's objects with.</summary>
    public const string BundleAcl = ObjectCannedAcls.Ec2BundleRead;

    /// <summary>
    /// Throws <c>InvalidPolicy</c> unless <paramref name="policyBase64"/> is a policy of at most <see cref="MaxBytes"/>
    /// bytes, signed with <paramref name="secretAccessKey"/>, not expired at <paramref name="now"/>, that lets EC2 write
    /// <c>PREFIX.part.NN</c> and <c>PREFIX.manifest.xml</c> into <paramref name="bucket"/> with the bundle ACL.
    /// </summary>
    public static void Verify(string policyBase64, string signature, string secretAccessKey, string bucket, string prefix, DateTimeOffset now)
    {
        var document = Decode(policyBase64);
        VerifySignature(policyBase64, signature, secretAccessKey);
        using var json = ParseJson(document);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("The upload policy must be a JSON object with \"expiration\" and \"conditions\".");
        }

        var expiration = ReadExpiration(root);
        if (expiration <= now)
        {
            throw Invalid($"The upload policy expired at {Format(expiration)} (it is now {Format(now)}).");
        }

        if (!root.TryGetProperty("conditions", out var conditions) || conditions.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("The upload policy has no \"conditions\" list.");
        }

        VerifyConditions(conditions, bucket, prefix);
    }

    /// <summary>base64(HMAC-SHA1(secret, policy text)), the signature the AWS CLI computes.</summary>
    public static string Sign(string policyBase64, string secretAccessKey)
        => PostPolicies.Sign(policyBase64, secretAccessKey);

    private static byte[] Decode(string policyBase64)
    {
        if (string.IsNullOrEmpty(policyBase64))
        {
            throw Invalid("The upload policy is empty.");
        }

        // The base64 text of MaxBytes is at most this long; anything longer is refused before it is decoded.
        if (policyBase64.Length > ((MaxBytes + 2) / 3 * 4) + 2)
        {
            throw TooLarge((policyBase64.Length / 4 * 3) - (policyBase64.Length - policyBase64.TrimEnd('=').Length));
        }

        byte[] document;
        try
        {
            document = Convert.FromBase64String(policyBase64);
        }
        catch (FormatException)
        {
            throw Invalid("The upload policy must be the base64 encoding of the policy's JSON document.");
        }

        if (document.Length > MaxBytes)
        {
            throw TooLarge(document.Length);
        }

        return document;
    }

    private static void VerifySignature(string policyBase64, string signature, string secretAccessKey)
    {
        if (!PostPolicies.Matches(policyBase64, signature, secretAccessKey))
        {
            throw Invalid(
                "The upload policy signature does not match: it must be base64(HMAC-SHA1) of the base64 policy text, keyed with the secret access key of the given access key id.");
        }
    }

    private static JsonDocument ParseJson(byte[] document)
    {
        try
        {
            return JsonDocument.Parse(document, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Invalid($"The upload policy is not a valid JSON document: {e.Message}");
        }
    }

    private static DateTimeOffset ReadExpiration(JsonElement root)
    {
        if (!root.TryGetProperty("expiration", out var element) || element.ValueKind != JsonValueKind.String)
        {
            throw Invalid("The upload policy has no \"expiration\".");
        }

        var text = element.GetString()!;
        if (!PostPolicies.TryParseExpiration(text, out var expiration))
        {
            throw Invalid($"The upload policy's expiration '{text}' is not an ISO 8601 UTC time such as 2008-10-03T09:31:44.000Z.");
        }

        return expiration;
    }

    private static void VerifyConditions(JsonElement conditions, string bucket, string prefix)
    {
        // Every key a bundle writes (PREFIX.part.NN, PREFIX.manifest.xml) starts with this, and nothing longer is common to them all.
        var keysStartWith = prefix + ".";
        bool bucketSeen = false, aclSeen = false, keySeen = false;
        var index = 0;
        foreach (var condition in conditions.EnumerateArray())
        {
            index++;
            var (field, operation, value) = ReadCondition(condition, index);
            switch (field)
            {
                case "content-length-range":
                    break;
                case "bucket":
                    bucketSeen = true;
                    if (!Satisfies(operation, value, bucket))
                    {
                        throw Invalid($"The upload policy does not allow bucket '{bucket}' (condition {index}: {Describe(operation, value)}).");
                    }

                    break;
                case "acl":
                    aclSeen = true;
                    if (!Satisfies(operation, value, BundleAcl))
                    {
                        throw Invalid($"The upload policy does not allow the ACL '{BundleAcl}' EC2 uploads a bundle with (condition {index}: {Describe(operation, value)}).");
                    }

                    break;
                case "key":
                    keySeen = true;
                    if (operation != "starts-with")
                    {
                        throw Invalid($"The upload policy allows the single key '{value}', but a bundle writes several: {prefix}.part.NN and {prefix}.manifest.xml. Use [\"starts-with\", \"$key\", \"{prefix}\"].");
                    }

                    if (!keysStartWith.StartsWith(value, StringComparison.Ordinal))
                    {
                        throw Invalid($"The upload policy allows only keys starting with '{value}', not the bundle's keys {prefix}.part.NN and {prefix}.manifest.xml.");
                    }

                    break;
                default:
                    throw Invalid($"The upload policy has a condition on '{field}' (condition {index}), a field EC2's bundle uploads do not send.");
            }
        }

        if (!bucketSeen)
        {
            throw Invalid("The upload policy has no bucket condition: it must name the bucket ({\"bucket\": \"" + bucket + "\"}).");
        }

        if (!aclSeen)
        {
            throw Invalid("The upload policy has no acl condition: it must allow {\"acl\": \"" + BundleAcl + "\"}.");
        }

        if (!keySeen)
        {
            throw Invalid("The upload policy has no key condition: it must restrict keys to the prefix ([\"starts-with\", \"$key\", \"" + prefix + "\"]).");
        }
    }

    /// <summary>A condition as (field without <c>$</c>, lowercase; <c>eq</c> or <c>starts-with</c>; value).</summary>
    private static (string Field, string Operation, string Value) ReadCondition(JsonElement condition, int index)
    {
        if (condition.ValueKind == JsonValueKind.Object)
        {
            var properties = condition.EnumerateObject().ToList();
            if (properties.Count == 1 && properties[0].Value.ValueKind == JsonValueKind.String)
            {
                return (properties[0].Name.ToLowerInvariant(), "eq", properties[0].Value.GetString()!);
            }
        }
        else if (condition.ValueKind == JsonValueKind.Array && condition.GetArrayLength() == 3)
        {
            var items = condition.EnumerateArray().ToList();
            if (items[0].ValueKind == JsonValueKind.String && items[0].GetString() is { } first
                && string.Equals(first, "content-length-range", StringComparison.OrdinalIgnoreCase)
                && items[1].ValueKind == JsonValueKind.Number && items[2].ValueKind == JsonValueKind.Number)
            {
                return ("content-length-range", "range", "");
            }

            if (items.All(i => i.ValueKind == JsonValueKind.String))
            {
                var operation = items[0].GetString()!.ToLowerInvariant();
                var field = items[1].GetString()!;
                if (operation is "eq" or "starts-with" && field.Length > 1 && field[0] == '$')
                {
                    return (field[1..].ToLowerInvariant(), operation, items[2].GetString()!);
                }
            }
        }

        throw Invalid($"Condition {index} of the upload policy is neither {{\"field\": \"value\"}} nor [\"eq\" | \"starts-with\", \"$field\", \"value\"].");
    }

    private static bool Satisfies(string operation, string value, string actual)
        => operation == "eq" ? actual == value : actual.StartsWith(value, StringComparison.Ordinal);

    private static string Describe(string operation, string value) => operation == "eq" ? $"'{value}'" : $"starts with '{value}'";

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static Ec2Exception TooLarge(int bytes)
        => Invalid($"The upload policy is {bytes} bytes; at most {MaxBytes} are allowed.");

    private static Ec2Exception Invalid(string message) => new(Ec2ErrorCodes.InvalidPolicy, message);
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrleansEc2.Api.S3;

/// <summary>One condition of a POST policy: <c>eq</c> or <c>starts-with</c> on a form field (lower-case, no <c>$</c>), and how S3 quotes it when it fails.</summary>
internal sealed record S3PostCondition(string Operation, string Field, string Value, string Text);

/// <summary>
/// A POST policy (<c>{"expiration": …, "conditions": […]}</c>, base64 of its JSON), read and checked as S3 checks it:
/// a document S3 cannot read is <c>InvalidPolicyDocument</c>; an expired one, a condition a field does not meet, or a
/// field no condition names is <c>AccessDenied</c> "Invalid according to Policy: …". <c>content-length-range</c> bounds
/// the file, which is checked as it streams.
/// </summary>
internal sealed class S3PostPolicy
{
    public const string Equal = "eq";
    public const string StartsWith = "starts-with";
    public const string ContentLengthRange = "content-length-range";

    private const int MaxDepth = 8;

    // Fields a condition may match only exactly (S3's table of policy conditions); a starts-with on them never holds.
    private static readonly HashSet<string> ExactOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        "success_action_status", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
    };

    private S3PostPolicy(DateTimeOffset expiration, IReadOnlyList<S3PostCondition> conditions, long minLength, long maxLength)
    {
        Expiration = expiration;
        Conditions = conditions;
        MinLength = minLength;
        MaxLength = maxLength;
    }

    public DateTimeOffset Expiration { get; }

    public IReadOnlyList<S3PostCondition> Conditions { get; }

    /// <summary>The fewest bytes the file may have (0 without a <c>content-length-range</c>).</summary>
    public long MinLength { get; }

    /// <summary>The most bytes the file may have (<see cref="long.MaxValue"/> without a <c>content-length-range</c>).</summary>
    public long MaxLength { get; }

    /// <summary>Fields the policy need not name: the file, the credentials, and what the form marks <c>x-ignore-</c>.</summary>
    public static bool IsExempt(string field) =>
        field.Equals(S3PostForm.FileField, StringComparison.OrdinalIgnoreCase)
        || field.Equals("policy", StringComparison.OrdinalIgnoreCase)
        || field.Equals("signature", StringComparison.OrdinalIgnoreCase)
        || field.Equals("AWSAccessKeyId", StringComparison.OrdinalIgnoreCase)
        || field.Equals("x-amz-signature", StringComparison.OrdinalIgnoreCase)
        || field.StartsWith("x-ignore-", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads base64 <paramref name="policyBase64"/>; <c>InvalidPolicyDocument</c> when it is not a policy S3 could read.</summary>
    public static S3PostPolicy Parse(string policyBase64)
    {
        byte[] document;
        try
        {
            document = Convert.FromBase64String(policyBase64);
        }
        catch (FormatException)
        {
            throw Invalid("Invalid Policy: the policy field is not base64.");
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(document, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException)
        {
            throw Invalid("Invalid Policy: Invalid JSON.");
        }

        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("Invalid Policy: Invalid JSON.");
            }

            JsonElement? expiration = null;
            JsonElement? conditions = null;
            foreach (var property in json.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "expiration" when expiration is null:
                        expiration = property.Value;
                        break;
                    case "conditions" when conditions is null:
                        conditions = property.Value;
                        break;
                    case "expiration" or "conditions":
                        throw Invalid($"Invalid Policy: Duplicate field: '{property.Name}'.");
                    default:
                        throw Invalid($"Invalid Policy: Unexpected field: '{property.Name}'.");
                }
            }

            var expires = ReadExpiration(expiration ?? throw Invalid("Invalid Policy: Policy missing expiration."));
            if (conditions is not { ValueKind: JsonValueKind.Array } list)
            {
                throw Invalid(conditions is null ? "Invalid Policy: Policy missing conditions." : "Invalid Policy: Invalid 'conditions' value: it must be a list.");
            }

            var parsed = new List<S3PostCondition>();
            long min = 0, max = long.MaxValue;
            foreach (var condition in list.EnumerateArray())
            {
                if (condition.ValueKind == JsonValueKind.Array && condition.GetArrayLength() > 0
                    && condition[0].ValueKind == JsonValueKind.String
                    && string.Equals(condition[0].GetString(), ContentLengthRange, StringComparison.OrdinalIgnoreCase))
                {
                    var (low, high) = ReadRange(condition);
                    min = Math.Max(min, low);
                    max = Math.Min(max, high);
                }
                else
                {
                    parsed.Add(ReadCondition(condition));
                }
            }

            return new S3PostPolicy(expires, parsed, min, max);
        }
    }

    /// <summary>
    /// Checks the form against the policy at <paramref name="now"/>: not expired, every condition met (<c>$bucket</c> is
    /// the bucket posted to; a field the form lacks is empty), every field but the exempt ones named by a condition.
    /// </summary>
    public void Check(S3PostForm form, string bucket, DateTimeOffset now)
    {
        if (Expiration <= now)
        {
            throw Denied("Policy expired.");
        }

        foreach (var condition in Conditions)
        {
            var actual = condition.Field == "bucket" ? bucket : form.Get(condition.Field) ?? "";
            var holds = condition.Operation == Equal
                ? string.Equals(actual, condition.Value, StringComparison.Ordinal)
                : !ExactOnly.Contains(condition.Field) && actual.StartsWith(condition.Value, StringComparison.Ordinal);
            if (!holds)
            {
                throw Denied("Policy Condition failed: " + condition.Text);
            }
        }

        var named = Conditions.Select(c => c.Field).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var extra = form.Fields
            .Select(f => f.Key)
            .Where(name => !IsExempt(name) && !named.Contains(name))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (extra.Count > 0)
        {
            throw Denied("Extra input fields: " + string.Join(", ", extra));
        }
    }

    private static DateTimeOffset ReadExpiration(JsonElement element)
    {
        var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
        if (element.ValueKind != JsonValueKind.String
            || !PostPolicies.TryParseExpiration(text, out var expiration))
        {
            throw Invalid($"Invalid Policy: Invalid 'expiration' value: '{text}'.");
        }

        return expiration;
    }

    private static S3PostCondition ReadCondition(JsonElement condition)
    {
        if (condition.ValueKind == JsonValueKind.Object)
        {
            var properties = condition.EnumerateObject().ToList();
            if (properties.Count != 1)
            {
                throw Invalid("Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
            }

            var (name, value) = (properties[0].Name, properties[0].Value);
            if (value.ValueKind != JsonValueKind.String)
            {
                throw Invalid("Invalid Policy: Invalid Simple-Condition: value must be a string.");
            }

            return new S3PostCondition(Equal, name.ToLowerInvariant(), value.GetString()!, Quote(Equal, "$" + name, value.GetString()!));
        }

        if (condition.ValueKind != JsonValueKind.Array || condition.GetArrayLength() == 0 || condition[0].ValueKind != JsonValueKind.String)
        {
            throw Invalid("Invalid Policy: Invalid Condition: a condition is {\"field\": \"value\"} or [operation, …].");
        }

        var operation = condition[0].GetString()!;
        var lowered = operation.ToLowerInvariant();
        if (lowered is not (Equal or StartsWith))
        {
            throw Invalid($"Invalid Policy: Invalid Condition: unknown operation '{operation}'.");
        }

        if (condition.GetArrayLength() != 3)
        {
            throw Invalid($"Invalid Policy: Invalid '{operation}' Condition: it must have exactly three elements.");
        }

        if (condition[1].ValueKind != JsonValueKind.String || condition[2].ValueKind != JsonValueKind.String)
        {
            throw Invalid($"Invalid Policy: Invalid '{operation}' Condition: the field and the value must be strings.");
        }

        var field = condition[1].GetString()!;
        if (field.Length < 2 || field[0] != '$')
        {
            throw Invalid($"Invalid Policy: Invalid '{operation}' Condition: the field '{field}' must be a '$' and a form field's name.");
        }

        var expected = condition[2].GetString()!;
        return new S3PostCondition(lowered, field[1..].ToLowerInvariant(), expected, Quote(operation, field, expected));
    }

    private static (long Min, long Max) ReadRange(JsonElement condition)
    {
        if (condition.GetArrayLength() != 3 || ReadLength(condition[1]) is not { } min || ReadLength(condition[2]) is not { } max || min > max)
        {
            throw Invalid("Invalid Policy: Invalid content-length-range Condition: it must be [\"content-length-range\", min, max] with 0 <= min <= max.");
        }

        return (min, max);
    }

    private static long? ReadLength(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number when element.TryGetInt64(out var number) && number >= 0 => number,
        JsonValueKind.String when long.TryParse(element.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
        _ => null,
    };

    /// <summary>A condition as S3 quotes it in "Policy Condition failed: […]".</summary>
    private static string Quote(string operation, string field, string value)
    {
        var text = new StringBuilder("[");
        text.Append(JsonString(operation)).Append(", ").Append(JsonString(field)).Append(", ").Append(JsonString(value)).Append(']');
        return text.ToString();
    }

    private static string JsonString(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static Ec2Exception Invalid(string message) => new(S3Errors.InvalidPolicyDocument, message);

    private static Ec2Exception Denied(string reason) => new(Ec2ErrorCodes.AccessDenied, "Invalid according to Policy: " + reason);
}

using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OrleansEc2.Api.Sim;

/// <summary>The JSON bodies of <c>/_sim/</c> requests: one object of known fields, refused clearly otherwise.</summary>
internal static class SimJson
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Answers <paramref name="value"/> as camel-cased JSON with <paramref name="status"/>.</summary>
    public static async Task WriteAsync(HttpResponse response, int status, object value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Options);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes);
    }

    /// <summary>
    /// Parses <paramref name="body"/> as one JSON object whose fields are all among <paramref name="knownFields"/>:
    /// <c>InvalidRequest</c> for what is not JSON or not an object (naming <paramref name="shape"/>, the fields it
    /// takes), <c>UnknownParameter</c> for a field it does not take. The caller disposes the document.
    /// </summary>
    public static JsonDocument ParseObject(ReadOnlyMemory<byte> body, int maxDepth, IReadOnlySet<string> knownFields, string shape)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException e)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidRequest, $"The request body is not JSON: {e.Message}");
        }

        try
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidRequest, $"The request body must be a JSON object: {shape}.");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (!knownFields.Contains(property.Name))
                {
                    throw new Ec2Exception(Ec2ErrorCodes.UnknownParameter, $"The parameter {property.Name} is not recognized.");
                }
            }

            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A string field of <paramref name="root"/>: null when missing or null, <c>InvalidParameterValue</c> when it is
    /// not a string.
    /// </summary>
    public static string? OptionalString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"The parameter {name} must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}.");
    }
}

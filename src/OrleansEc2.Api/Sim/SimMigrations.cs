using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrleansEc2.Api.Ec2;

namespace OrleansEc2.Api.Sim;

/// <summary>
/// <c>/_sim/migrations</c>: ec2-migrate-image, which EC2 never had as an action. <c>POST /_sim/migrations</c> with
/// <c>{ cert, privateKey, sourceBucket, manifest, destinationBucket, location[, destinationKeyPrefix] }</c> starts a
/// migration as the signing account and answers <c>202</c> with it; <c>GET /_sim/migrations/{id}</c> describes it.
/// </summary>
internal static class SimMigrations
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static async Task HandleAsync(HttpContext context, IGrainFactory grains, Caller caller, string[] path, ReadOnlyMemory<byte> body)
    {
        var method = context.Request.Method;
        switch (path)
        {
            case []:
                RequireMethod(method, HttpMethods.Post);
                var request = ParseRequest(caller.AccountId, body);
                var migrationId = Ec2Ids.NewMigrationId();
                var started = await grains.GetGrain<IMigrationGrain>(migrationId).StartAsync(request);
                context.Response.Headers.Location = "/_sim/migrations/" + migrationId;
                await WriteJsonAsync(context, StatusCodes.Status202Accepted, ToJson(started));
                return;

            case [var id]:
                RequireMethod(method, HttpMethods.Get);
                MigrationErrorCodes.EnsureMigrationId(id);
                var described = await grains.GetGrain<IMigrationGrain>(id).DescribeAsync(caller.AccountId);
                await WriteJsonAsync(context, StatusCodes.Status200OK, ToJson(described));
                return;

            default:
                throw new Ec2Exception(SimEndpoint.NotFound, $"No simulator endpoint at {context.Request.Path.Value}.");
        }
    }

    /// <summary>The migration as JSON (also what the client library's callers see over HTTP).</summary>
    public static object ToJson(MigrationDescription migration) => new
    {
        migrationId = migration.MigrationId,
        state = migration.State.ToSimName(),
        progress = migration.Progress,
        partsCopied = migration.PartsCopied,
        partCount = migration.PartCount,
        sourceBucket = migration.SourceBucket,
        manifest = migration.ManifestKey,
        sourceRegion = migration.SourceRegion,
        destinationBucket = migration.DestinationBucket,
        destinationManifest = migration.DestinationManifestKey,
        destinationManifestLocation = migration.DestinationManifestLocation,
        destinationRegion = migration.DestinationRegion,
        startTime = Ec2XmlWriter.FormatTimestamp(migration.StartTime),
        updateTime = Ec2XmlWriter.FormatTimestamp(migration.UpdateTime),
        error = migration.Error is { } error ? new { code = error.Code, message = error.Message } : null,
        imageId = migration.ImageId,
    };

    private static MigrateImageRequest ParseRequest(string accountId, ReadOnlyMemory<byte> body)
    {
        using (var document = SimJson.ParseObject(body, 8, KnownFields, "{ cert, privateKey, sourceBucket, manifest, destinationBucket, location }"))
        {
            var root = document.RootElement;
            return new MigrateImageRequest(
                accountId,
                Text(root, "cert"),
                Text(root, "privateKey"),
                Text(root, "sourceBucket"),
                Text(root, "manifest"),
                Text(root, "destinationBucket"),
                Text(root, "location"),
                root.TryGetProperty("destinationKeyPrefix", out var prefix) && prefix.ValueKind != JsonValueKind.Null ? Text(root, "destinationKeyPrefix") : null);
        }
    }

    private static readonly HashSet<string> KnownFields =
        ["cert", "privateKey", "sourceBucket", "manifest", "destinationBucket", "location", "destinationKeyPrefix"];

    /// <summary>A string field; a missing one is empty (the migration names it as missing).</summary>
    private static string Text(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return "";
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"The parameter {name} must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}.");
    }

    private static void RequireMethod(string method, string expected)
    {
        if (!string.Equals(method, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new Ec2Exception(SimEndpoint.MethodNotAllowed, $"{method} is not allowed here; use {expected}.");
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, object value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Json);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }
}

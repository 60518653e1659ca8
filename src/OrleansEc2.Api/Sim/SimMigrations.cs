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
    public static async Task HandleAsync(HttpContext context, IGrainFactory grains, Caller caller, string[] path, ReadOnlyMemory<byte> body)
    {
        var method = context.Request.Method;
        switch (path)
        {
            case []:
                SimEndpoint.RequireMethod(method, HttpMethods.Post);
                var request = ParseRequest(caller.AccountId, body);
                var migrationId = Ec2Ids.NewMigrationId();
                var started = await grains.GetGrain<IMigrationGrain>(migrationId).StartAsync(request);
                context.Response.Headers.Location = "/_sim/migrations/" + migrationId;
                await SimJson.WriteAsync(context.Response, StatusCodes.Status202Accepted, ToJson(started));
                return;

            case [var id]:
                SimEndpoint.RequireMethod(method, HttpMethods.Get);
                MigrationErrorCodes.EnsureMigrationId(id);
                var described = await grains.GetGrain<IMigrationGrain>(id).DescribeAsync(caller.AccountId);
                await SimJson.WriteAsync(context.Response, StatusCodes.Status200OK, ToJson(described));
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

            // A missing field is empty: the migration's own checks name it as missing.
            return new MigrateImageRequest(
                accountId,
                SimJson.OptionalString(root, "cert") ?? "",
                SimJson.OptionalString(root, "privateKey") ?? "",
                SimJson.OptionalString(root, "sourceBucket") ?? "",
                SimJson.OptionalString(root, "manifest") ?? "",
                SimJson.OptionalString(root, "destinationBucket") ?? "",
                SimJson.OptionalString(root, "location") ?? "",
                SimJson.OptionalString(root, "destinationKeyPrefix"));
        }
    }

    private static readonly HashSet<string> KnownFields =
        ["cert", "privateKey", "sourceBucket", "manifest", "destinationBucket", "location", "destinationKeyPrefix"];
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;
using OrleansEc2.Cli.Waiting;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-migrate-image --cert CERT --privatekey KEY -o ACCESS_KEY_ID -w SECRET --bucket SOURCE --destination-bucket
/// DESTINATION --manifest MANIFEST --location EU|US|REGION [--wait]</c>: copies a bundle to a bucket in another region,
/// its image key re-sealed for that region's EC2 key and its manifest signed again with the user's key. EC2 never had
/// this as an API action: the simulator serves it at <c>POST /_sim/migrations</c>, which gets the certificate and the
/// private key read here from the local files.
/// </summary>
internal sealed class MigrateImageCommand : ServiceCommand
{
    private static readonly Option<string> CertOption = new("--cert", "-c")
    {
        Description = "The user's signing certificate (PEM), which signed the bundle's manifest.",
        HelpName = "CERT",
        Required = true,
    };

    private static readonly Option<string> PrivateKeyOption = new("--privatekey", "-k")
    {
        Description = "The certificate's private key (PEM): it unseals the image key and signs the new manifest.",
        HelpName = "PRIVATEKEY",
        Required = true,
    };

    private static readonly Option<string> OwnerAccessKeyOption = new("--owner-akid", "-o")
    {
        Description = "The access key id of the buckets' owner; it signs the request when no other credentials are set.",
        HelpName = "ACCESS_KEY_ID",
    };

    private static readonly Option<string> OwnerSecretOption = new("--owner-sak", "-w")
    {
        Description = "The secret access key that goes with -o.",
        HelpName = "SECRET_ACCESS_KEY",
    };

    private static readonly Option<string> BucketOption = new("--bucket")
    {
        Description = "The bucket the bundle is in.",
        HelpName = "SOURCE_BUCKET",
        Required = true,
    };

    private static readonly Option<string> DestinationBucketOption = new("--destination-bucket")
    {
        Description = "The bucket to copy the bundle to (created in the destination region when it does not exist).",
        HelpName = "DESTINATION_BUCKET",
        Required = true,
    };

    private static readonly Option<string> ManifestOption = new("--manifest")
    {
        Description = "The manifest's key in the source bucket (winami.manifest.xml).",
        HelpName = "MANIFEST",
        Required = true,
    };

    private static readonly Option<string> LocationOption = new("--location")
    {
        Description = "The destination: a legacy location (US, EU) or a region name.",
        HelpName = "LOCATION",
        Required = true,
    };

    private static readonly Option<string> DestinationPrefixOption = new("--destination-prefix")
    {
        Description = "A folder (ending in '/') to put the bundle under in the destination bucket. Default: the manifest's own.",
        HelpName = "FOLDER/",
    };

    private static readonly Option<bool> WaitOption = new("--wait")
    {
        Description = "Wait until the migration completes, showing its state and the parts copied.",
    };

    public MigrateImageCommand(CliConsole console)
        : base("ec2-migrate-image", "Copy a bundle to a bucket in another region, re-sealed for it: MIGRATION id source destination region start update state progress.", console)
    {
        AddShortAlias();
        Options.Add(CertOption);
        Options.Add(PrivateKeyOption);
        Options.Add(OwnerAccessKeyOption);
        Options.Add(OwnerSecretOption);
        Options.Add(BucketOption);
        Options.Add(DestinationBucketOption);
        Options.Add(ManifestOption);
        Options.Add(LocationOption);
        Options.Add(DestinationPrefixOption);
        Options.Add(WaitOption);
    }

    public override string Usage =>
        "ec2sim ec2-migrate-image -c CERT -k PRIVATEKEY [-o ACCESS_KEY_ID -w SECRET_ACCESS_KEY] --bucket SOURCE_BUCKET "
        + "--destination-bucket DESTINATION_BUCKET --manifest MANIFEST --location US|EU|REGION [--destination-prefix FOLDER/] [--wait]";

    protected override (string AccessKeyId, string Secret)? CredentialsFallback(ParseResult parseResult)
    {
        var accessKeyId = parseResult.GetValue(OwnerAccessKeyOption);
        var secret = parseResult.GetValue(OwnerSecretOption);
        if ((accessKeyId is null) != (secret is null))
        {
            throw CliException.Usage("-o/--owner-akid and -w/--owner-sak go together.");
        }

        return accessKeyId is null || secret is null ? null : (accessKeyId, secret);
    }

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var certPath = ExistingFile(parseResult.GetRequiredValue(CertOption));
        var keyPath = ExistingFile(parseResult.GetRequiredValue(PrivateKeyOption));
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string?>
        {
            ["cert"] = await File.ReadAllTextAsync(certPath, cancellationToken),
            ["privateKey"] = await File.ReadAllTextAsync(keyPath, cancellationToken),
            ["sourceBucket"] = parseResult.GetRequiredValue(BucketOption),
            ["manifest"] = parseResult.GetRequiredValue(ManifestOption),
            ["destinationBucket"] = parseResult.GetRequiredValue(DestinationBucketOption),
            ["location"] = parseResult.GetRequiredValue(LocationOption),
            ["destinationKeyPrefix"] = parseResult.GetValue(DestinationPrefixOption),
        });
        var sim = session.Sim();
        var migration = await sim.SendJsonAsync(HttpMethod.Post, "/_sim/migrations", body, "application/json", cancellationToken);
        if (!parseResult.GetValue(WaitOption))
        {
            output.Add("migrations", MigrationRecords.Migration(migration));
            return ExitCodes.Success;
        }

        output.Progress(MigrationRecords.Migration(migration));
        var id = JsonFields.Text(migration, "migrationId") ?? throw new CliException(ExitCodes.Failure, "The simulator's answer names no migration id.");
        var done = (await Waiter.WaitAsync(
            Console,
            output,
            new Dictionary<string, WaitStatus> { [id] = MigrationRecords.Status(migration) },
            async token => (IReadOnlyList<JsonElement>)[await sim.GetJsonAsync("/_sim/migrations/" + Uri.EscapeDataString(id), token)],
            m => (id, MigrationRecords.Status(m)),
            cancellationToken)).Single();
        if (output.IsJson)
        {
            output.Add("migrations", MigrationRecords.Migration(done));
        }

        MigrationRecords.ThrowIfFailed(done, output);
        return ExitCodes.Success;
    }
}

/// <summary><c>ec2sim describe-migration MIGRATION</c>: where a migration stands, its <c>MIGRATION</c> line.</summary>
internal sealed class DescribeMigrationCommand : ServiceCommand
{
    private static readonly Argument<string> MigrationArgument = new("MIGRATION")
    {
        Description = "The migration (mig-…) ec2-migrate-image started.",
    };

    public DescribeMigrationCommand(CliConsole console)
        : base("describe-migration", "Describe a migration: MIGRATION id source destination region start update state progress.", console)
    {
        Aliases.Add("ec2-describe-migration");
        Arguments.Add(MigrationArgument);
    }

    public override string Usage => "ec2sim describe-migration MIGRATION";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var id = parseResult.GetRequiredValue(MigrationArgument);
        var migration = await session.Sim().GetJsonAsync("/_sim/migrations/" + Uri.EscapeDataString(id), cancellationToken);
        output.Add("migrations", MigrationRecords.Migration(migration));
        return ExitCodes.Success;
    }
}

/// <summary>
/// <c>MIGRATION id source-bucket/manifest destination-bucket/manifest destination-region start update state
/// parts-copied/part-count</c>, and the error's code and message when it failed.
/// </summary>
internal static class MigrationRecords
{
    public static Record Migration(JsonElement migration)
    {
        var state = JsonFields.Text(migration, "state");
        var record = new Record("MIGRATION")
            .Field("migrationId", JsonFields.Text(migration, "migrationId"))
            .Field("source", $"{JsonFields.Text(migration, "sourceBucket")}/{JsonFields.Text(migration, "manifest")}")
            .Field("destination", JsonFields.Text(migration, "destinationManifestLocation"))
            .Field("destinationRegion", JsonFields.Text(migration, "destinationRegion"))
            .Field("startTime", Time(migration, "startTime"))
            .Field("updateTime", Time(migration, "updateTime"))
            .Field("state", state);
        if (state == "failed")
        {
            var error = Error(migration);
            record.Field("errorCode", JsonFields.Text(error, "code")).Field("errorMessage", JsonFields.Text(error, "message"));
        }
        else
        {
            record.Field("partsCopied", $"{JsonFields.Number(migration, "partsCopied")}/{JsonFields.Number(migration, "partCount")}");
        }

        return record;
    }

    public static WaitStatus Status(JsonElement migration)
    {
        var id = JsonFields.Text(migration, "migrationId");
        var state = JsonFields.Text(migration, "state") ?? "unknown";
        var copied = JsonFields.Number(migration, "partsCopied");
        var count = JsonFields.Number(migration, "partCount");
        var done = state is "complete" or "failed";
        double? percent = state == "complete" ? 100 : count > 0 ? Math.Round(100.0 * copied / count, 1) : null;
        return new WaitStatus($"{id} {state} {copied}/{count}", percent, done, Migration(migration));
    }

    public static void ThrowIfFailed(JsonElement migration, RecordOutput output)
    {
        if (JsonFields.Text(migration, "state") != "failed")
        {
            return;
        }

        output.Complete();
        var error = Error(migration);
        throw TaskErrors.Failed($"Migration {JsonFields.Text(migration, "migrationId")}", JsonFields.Text(error, "code"), JsonFields.Text(error, "message"));
    }

    /// <summary>The migration's <c>error</c> object (an undefined element when it has none).</summary>
    private static JsonElement Error(JsonElement migration) =>
        migration.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? error : default;

    private static DateTime? Time(JsonElement element, string name) =>
        JsonFields.Text(element, name) is { } text && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;
}

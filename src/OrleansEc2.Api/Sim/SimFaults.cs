using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using OrleansEc2.Api.Ec2;
using OrleansEc2.Api.S3;

namespace OrleansEc2.Api.Sim;

/// <summary>
/// <c>/_sim/faults</c>: the signing account's injected faults. <c>POST</c> with
/// <c>{ target, count?, code?, message?, status?, bucket?, keyPrefix? }</c> arms one and answers <c>201</c> with it;
/// <c>GET</c> lists the armed ones with what is left of their counts (<c>{ faults }</c>); <c>GET /_sim/faults/{id}</c>
/// answers one, <c>DELETE /_sim/faults/{id}</c> disarms it and answers it as it was; <c>DELETE /_sim/faults</c> disarms
/// all (<c>{ deleted, faults }</c>). Faults live in this silo process's memory (<see cref="IFaultInjector"/>).
/// </summary>
internal static partial class SimFaults
{
    public const string InvalidFaultIdNotFound = "InvalidFaultID.NotFound";
    public const string InvalidFaultIdMalformed = "InvalidFaultID.Malformed";

    public const string Ec2DefaultCode = Ec2Errors.ServiceUnavailable;
    public const string Ec2DefaultMessage = "The server is overloaded and can't handle the request.";
    public const string S3DefaultCode = S3Errors.SlowDown;
    public const string S3DefaultMessage = "Please reduce your request rate.";

    private const int MaxMessageLength = 1024;

    private static readonly HashSet<string> KnownFields = ["target", "count", "code", "message", "status", "bucket", "keyPrefix"];

    /// <summary>What <c>s3:</c> may name: every operation this endpoint implements.</summary>
    private static readonly HashSet<string> S3Operations =
    [
        S3Route.ListBuckets, S3Route.CreateBucket, S3Route.HeadBucket, S3Route.DeleteBucket, S3Route.GetBucketLocation,
        S3Route.ListObjects, S3Route.ListObjectsV2, S3Route.ListMultipartUploads, S3Route.DeleteObjects, S3Route.PutObject, S3Route.PostObject,
        S3Route.CopyObject, S3Route.GetObject, S3Route.HeadObject, S3Route.DeleteObject, S3Route.CreateMultipartUpload,
        S3Route.UploadPart, S3Route.UploadPartCopy, S3Route.CompleteMultipartUpload, S3Route.AbortMultipartUpload,
        S3Route.ListParts, S3Route.GetBucketAcl, S3Route.GetObjectAcl, S3Route.PutObjectAcl, S3Route.GetObjectTagging,
        S3Route.PutObjectTagging, S3Route.DeleteObjectTagging, S3Route.GetBucketTagging, S3Route.PutBucketTagging, S3Route.DeleteBucketTagging,
        .. S3.S3Operations.BucketConfigurationReads.Keys,
    ];

    public static async Task HandleAsync(HttpContext context, IFaultInjector faults, Caller caller, string[] path, ReadOnlyMemory<byte> body)
    {
        var method = context.Request.Method;
        var accountId = caller.AccountId;
        switch (path)
        {
            case [] when HttpMethods.IsPost(method):
                var fault = faults.Add(accountId, Parse(body));
                context.Response.Headers.Location = "/_sim/faults/" + fault.FaultId;
                await SimJson.WriteAsync(context.Response, StatusCodes.Status201Created, ToJson(fault));
                return;

            case [] when HttpMethods.IsGet(method):
                await SimJson.WriteAsync(context.Response, StatusCodes.Status200OK, new { faults = faults.List(accountId).Select(ToJson) });
                return;

            case [] when HttpMethods.IsDelete(method):
                var cleared = faults.Clear(accountId);
                await SimJson.WriteAsync(context.Response, StatusCodes.Status200OK, new { deleted = cleared.Count, faults = cleared.Select(ToJson) });
                return;

            case []:
                throw new Ec2Exception(SimEndpoint.MethodNotAllowed, $"{method} is not allowed here; use POST, GET or DELETE.");

            case [var id] when HttpMethods.IsGet(method):
                EnsureFaultId(id);
                await SimJson.WriteAsync(context.Response, StatusCodes.Status200OK, ToJson(faults.Find(accountId, id) ?? throw NotFound(id)));
                return;

            case [var id] when HttpMethods.IsDelete(method):
                EnsureFaultId(id);
                await SimJson.WriteAsync(context.Response, StatusCodes.Status200OK, ToJson(faults.Remove(accountId, id) ?? throw NotFound(id)));
                return;

            case [_]:
                throw new Ec2Exception(SimEndpoint.MethodNotAllowed, $"{method} is not allowed here; use GET or DELETE.");

            default:
                throw new Ec2Exception(SimEndpoint.NotFound, $"No simulator endpoint at {context.Request.Path.Value}.");
        }
    }

    /// <summary>A fault as JSON: its id, what it is, and how many more times it fires.</summary>
    public static object ToJson(ActiveFault fault) => new
    {
        faultId = fault.FaultId,
        target = fault.Spec.Target,
        count = fault.Spec.Count,
        remaining = fault.Remaining,
        code = fault.Spec.Code,
        message = fault.Spec.Message,
        status = fault.Spec.Status,
        bucket = fault.Spec.Bucket,
        keyPrefix = fault.Spec.KeyPrefix,
    };

    /// <summary>The request body as a fault, validated, with the defaults of its target filled in.</summary>
    public static FaultSpec Parse(ReadOnlyMemory<byte> body)
    {
        using (var document = SimJson.ParseObject(body, 4, KnownFields, "{ target, count, code, message, status, bucket, keyPrefix }"))
        {
            var root = document.RootElement;
            var target = SimJson.OptionalString(root, "target") ?? throw new Ec2Exception(Ec2ErrorCodes.MissingParameter, "The request must contain the parameter target.");
            var count = Int(root, "count") ?? 1;
            if (count < 1)
            {
                throw Invalid($"count must be at least 1 (how many times the fault fires), not {count}.");
            }

            var code = SimJson.OptionalString(root, "code");
            if (code is not null && !CodePattern().IsMatch(code))
            {
                throw Invalid($"code must be an error code (letters, digits and dots, starting with a letter, at most 128 characters), not '{code}'.");
            }

            var message = SimJson.OptionalString(root, "message");
            if (message is not null && (message.Length == 0 || message.Length > MaxMessageLength))
            {
                throw Invalid($"message must be 1 to {MaxMessageLength} characters.");
            }

            var status = Int(root, "status");
            if (status is not null and not (>= 400 and <= 599))
            {
                throw Invalid($"status must be an HTTP error status from 400 to 599, not {status}.");
            }

            var bucket = SimJson.OptionalString(root, "bucket");
            var keyPrefix = SimJson.OptionalString(root, "keyPrefix");
            if (bucket is { Length: 0 } || keyPrefix is { Length: 0 })
            {
                throw Invalid("bucket and keyPrefix, when given, must not be empty.");
            }

            return WithDefaults(target, count, code, message, status, bucket, keyPrefix);
        }
    }

    private static FaultSpec WithDefaults(string target, int count, string? code, string? message, int? status, string? bucket, string? keyPrefix)
    {
        if (target.StartsWith(FaultTargets.Ec2Prefix, StringComparison.Ordinal))
        {
            var action = target[FaultTargets.Ec2Prefix.Length..];
            if (!Ec2QueryEndpoint.ActionNames.Contains(action))
            {
                throw Invalid($"Unknown fault target '{target}': {action} is not an EC2 action of this simulator (they are case-sensitive: ec2:RunInstances).");
            }

            RefuseS3Filters(target, bucket, keyPrefix);
            return new FaultSpec(
                target,
                count,
                code ?? Ec2DefaultCode,
                message ?? Ec2DefaultMessage,
                status ?? (code is null ? 503 : Ec2Errors.StatusOf(code)),
                null,
                null);
        }

        if (target.StartsWith(FaultTargets.S3Prefix, StringComparison.Ordinal))
        {
            var operation = target[FaultTargets.S3Prefix.Length..];
            if (!S3Operations.Contains(operation))
            {
                throw Invalid($"Unknown fault target '{target}': {operation} is not an S3 operation of this simulator (they are case-sensitive: s3:PutObject).");
            }

            return new FaultSpec(
                target,
                count,
                code ?? S3DefaultCode,
                message ?? S3DefaultMessage,
                status ?? S3Errors.StatusOf(code ?? S3DefaultCode),
                bucket,
                keyPrefix);
        }

        var (prefix, names, what) = target.StartsWith(FaultTargets.BundleTaskPrefix, StringComparison.Ordinal)
            ? (FaultTargets.BundleTaskPrefix, FaultTargets.BundleTaskPhases, "bundle task phase")
            : target.StartsWith(FaultTargets.MigrationPrefix, StringComparison.Ordinal)
                ? (FaultTargets.MigrationPrefix, FaultTargets.MigrationSteps, "migration step")
                : throw Invalid(
                    $"Unknown fault target '{target}': a target is ec2:<Action>, s3:<Operation>, "
                    + $"bundle-task:<{string.Join('|', FaultTargets.BundleTaskPhases)}> or migration:<{string.Join('|', FaultTargets.MigrationSteps)}>.");
        var name = target[prefix.Length..];
        if (!names.Contains(name))
        {
            throw Invalid($"Unknown fault target '{target}': the {what} is one of {string.Join(", ", names)}.");
        }

        RefuseS3Filters(target, bucket, keyPrefix);
        if (status is not null)
        {
            throw Invalid($"status applies to ec2: and s3: targets only: {target} fails a task, not a request.");
        }

        return new FaultSpec(target, count, code ?? FaultTargets.DefaultWorkflowCode, message ?? $"Injected fault in {name}", null, null, null);
    }

    private static void RefuseS3Filters(string target, string? bucket, string? keyPrefix)
    {
        if (bucket is not null || keyPrefix is not null)
        {
            throw Invalid($"bucket and keyPrefix filter s3: targets only, not {target}.");
        }
    }

    private static int? Int(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw Invalid($"The parameter {name} must be an integer, not {value.GetRawText()}.");
    }

    private static void EnsureFaultId(string id)
    {
        if (!FaultIdPattern().IsMatch(id))
        {
            throw new Ec2Exception(InvalidFaultIdMalformed, $"Invalid id: \"{id}\" (expecting \"fault-...\")");
        }
    }

    private static Ec2Exception NotFound(string id) => new(InvalidFaultIdNotFound, $"The fault ID '{id}' does not exist");

    private static Ec2Exception Invalid(string message) => new(Ec2ErrorCodes.InvalidParameterValue, message);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9.]{0,127}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^fault-[0-9a-f]{8}$")]
    private static partial Regex FaultIdPattern();
}

/// <summary>An injected fault answering a request: its code, message and HTTP status, whatever the code's usual status.</summary>
internal sealed class InjectedFaultException(ActiveFault fault) : Exception(fault.Spec.Message)
{
    public string Code => fault.Spec.Code;

    public int Status => fault.Spec.Status ?? 503;
}

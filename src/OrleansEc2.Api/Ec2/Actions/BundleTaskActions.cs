using System.Globalization;

namespace OrleansEc2.Api.Ec2.Actions;

/// <summary>BundleInstance, DescribeBundleTasks and CancelBundleTask: ec2-bundle-instance and its tasks.</summary>
internal static class BundleTaskActions
{
    private static readonly HashSet<string> BundleTaskFilters =
    [
        "bundle-id", "error-code", "error-message", "instance-id", "progress", "s3-bucket", "s3-prefix", "start-time",
        "state", "update-time",
    ];

    public static IEnumerable<Ec2Action> All()
    {
        yield return new Ec2Action(
            "BundleInstance",
            new ParameterSchema(
                "InstanceId", "Storage.S3.Bucket", "Storage.S3.Prefix", "Storage.S3.AWSAccessKeyId", "Storage.S3.UploadPolicy",
                "Storage.S3.UploadPolicySignature"),
            BundleInstanceAsync);
        yield return new Ec2Action(
            "DescribeBundleTasks",
            new ParameterSchema([.. ParameterSchema.Filters, "BundleId.N"]),
            DescribeBundleTasksAsync);
        yield return new Ec2Action(
            "CancelBundleTask",
            new ParameterSchema("BundleId"),
            CancelBundleTaskAsync);
    }

    private static async Task<Ec2Body> BundleInstanceAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var instanceId = p.Require("InstanceId");
        Ec2Ids.EnsureInstanceId(instanceId);

        // UploadPolicy is a blob in the service model: on the wire it is the base64 text the signature covers.
        var request = new BundleInstanceRequest(
            context.Caller,
            instanceId,
            p.Require("Storage.S3.Bucket"),
            p.Require("Storage.S3.Prefix"),
            p.Require("Storage.S3.AWSAccessKeyId"),
            p.Require("Storage.S3.UploadPolicy"),
            p.Require("Storage.S3.UploadPolicySignature"));
        var task = context.Grains.GetGrain<IBundleTaskGrain>(Ec2Ids.NewBundleId());
        if (context.DryRun)
        {
            await CheckBundleInstanceAsync(context, task, request);
            context.ThrowIfDryRun();
        }

        var started = await task.StartAsync(request);
        return Ec2Body.From(BundleTask(new Ec2XmlWriter(512), "bundleInstanceTask", started));
    }

    /// <summary>A dry run's checks: all of BundleInstance's; another account's instance is unauthorized rather than missing.</summary>
    private static async Task CheckBundleInstanceAsync(Ec2ActionContext context, IBundleTaskGrain task, BundleInstanceRequest request)
    {
        try
        {
            await task.CheckStartAsync(request);
        }
        catch (Ec2Exception e) when (e.Code == Ec2ErrorCodes.InvalidInstanceIdNotFound)
        {
            if (await context.Services.BelongsToAnotherAccountAsync(request.InstanceId, context.AccountId))
            {
                throw Ec2Errors.Unauthorized();
            }

            throw;
        }
    }

    private static async Task<Ec2Body> DescribeBundleTasksAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var ids = p.GetList("BundleId");
        foreach (var id in ids)
        {
            Ec2Ids.EnsureBundleId(id);
        }

        var filters = p.GetFilters(BundleTaskFilters.Contains);
        context.ThrowIfDryRun();

        var tasks = await context.AccountRegion.DescribeBundleTasksAsync([.. ids.Distinct(StringComparer.Ordinal)], filters);
        var xml = new Ec2XmlWriter(256 + (tasks.Length * 512)).Start("bundleInstanceTasksSet");
        foreach (var task in tasks)
        {
            BundleTask(xml, "item", task);
        }

        return Ec2Body.From(xml.End("bundleInstanceTasksSet"));
    }

    private static async Task<Ec2Body> CancelBundleTaskAsync(Ec2ActionContext context)
    {
        var bundleId = context.Parameters.Require("BundleId");
        Ec2Ids.EnsureBundleId(bundleId);

        // The caller's task in this region, or InvalidBundleID.NotFound.
        var listed = (await context.AccountRegion.DescribeBundleTasksAsync([bundleId], [])).Single();
        if (context.DryRun)
        {
            if (listed.State.IsFinished())
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.IncorrectState,
                    $"The bundle task '{bundleId}' is {listed.State.ToEc2Name()}: only a task that has not finished can be cancelled.");
            }

            context.ThrowIfDryRun();
        }

        var cancelled = await context.Grains.GetGrain<IBundleTaskGrain>(bundleId).CancelAsync(context.AccountId);
        return Ec2Body.From(BundleTask(new Ec2XmlWriter(512), "bundleInstanceTask", cancelled));
    }

    /// <summary>One bundle task as the 2016-11-15 model shapes it (the access key, which the SDKs name differently, left out).</summary>
    private static Ec2XmlWriter BundleTask(Ec2XmlWriter xml, string element, BundleTaskDescription task)
    {
        xml.Start(element)
            .Element("instanceId", task.InstanceId)
            .Element("bundleId", task.BundleId)
            .Element("state", task.State.ToEc2Name())
            .Element("startTime", task.StartTime)
            .Element("updateTime", task.UpdateTime)
            .Start("storage").Start("S3")
            .Element("bucket", task.Bucket)
            .Element("prefix", task.Prefix)
            .End("S3").End("storage")
            .Element("progress", task.Progress.ToString(CultureInfo.InvariantCulture) + "%");
        if (task.Error is { } error)
        {
            xml.Start("error").Element("code", error.Code).Element("message", error.Message).End("error");
        }

        return xml.End(element);
    }
}

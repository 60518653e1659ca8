using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;
using OrleansEc2.Cli.Waiting;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-bundle-instance INSTANCE -b BUCKET -p PREFIX -o ACCESS_KEY_ID -w SECRET_ACCESS_KEY [--wait]</c>: bundles a
/// running Windows instance into the bucket. The S3 upload policy is built and signed here, as the AWS CLI does it
/// (base64 of the policy JSON, HMAC-SHA1 of that text with the secret): the secret itself never leaves the machine.
/// </summary>
internal sealed class BundleInstanceCommand : ServiceCommand
{
    private static readonly Argument<string> InstanceArgument = new("INSTANCE")
    {
        Description = "The running Windows instance to bundle.",
    };

    private static readonly Option<string> BucketOption = new("--bucket", "-b")
    {
        Description = "The bucket to store the bundle in (created when it does not exist).",
        HelpName = "BUCKET",
        Required = true,
    };

    private static readonly Option<string> PrefixOption = new("--prefix", "-p")
    {
        Description = "The bundle's file name prefix: PREFIX.manifest.xml and PREFIX.part.NN.",
        HelpName = "PREFIX",
        Required = true,
    };

    private static readonly Option<string> OwnerAccessKeyOption = new("--owner-akid", "-o")
    {
        Description = "The access key id of the bucket's owner; it also signs the request when no other credentials are set.",
        HelpName = "ACCESS_KEY_ID",
        Required = true,
    };

    private static readonly Option<string> OwnerSecretOption = new("--owner-sak", "-w")
    {
        Description = "The secret access key that signs the upload policy here; it is never sent.",
        HelpName = "SECRET_ACCESS_KEY",
        Required = true,
    };

    private static readonly Option<double?> ExpiresOption = new("--expires", "-x")
    {
        Description = "How many hours the upload policy is valid. Default: 24.",
        HelpName = "HOURS",
    };

    private static readonly Option<bool> WaitOption = new("--wait")
    {
        Description = "Wait until the bundle task completes, showing its state and progress.",
    };

    public BundleInstanceCommand(CliConsole console)
        : base("ec2-bundle-instance", "Bundle a running Windows instance into S3: BUNDLE id instance bucket prefix start update state.", console)
    {
        AddShortAlias();
        Arguments.Add(InstanceArgument);
        Options.Add(BucketOption);
        Options.Add(PrefixOption);
        Options.Add(OwnerAccessKeyOption);
        Options.Add(OwnerSecretOption);
        Options.Add(ExpiresOption);
        Options.Add(WaitOption);
    }

    public override string Usage => "ec2sim ec2-bundle-instance INSTANCE -b BUCKET -p PREFIX -o ACCESS_KEY_ID -w SECRET_ACCESS_KEY [-x HOURS] [--wait]";

    /// <summary>
    /// The upload policy exactly as the AWS CLI's <c>ec2 bundle-instance</c> writes it: its expiration with
    /// microseconds, the bucket, the <c>ec2-bundle-read</c> ACL and the key prefix.
    /// </summary>
    public static string UploadPolicy(string bucket, string prefix, DateTimeOffset expiration) =>
        "{\"expiration\": \"" + expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) + "\","
        + "\"conditions\": [{\"bucket\": " + JsonSerializer.Serialize(bucket) + "},{\"acl\": \"ec2-bundle-read\"},"
        + "[\"starts-with\", \"$key\", " + JsonSerializer.Serialize(prefix) + "]]}";

    /// <summary>base64(HMAC-SHA1(secret, base64(policy))): the signature S3 checks an upload policy with.</summary>
    public static string SignUploadPolicy(string policyJson, string secret)
    {
        var policy = Convert.ToBase64String(Encoding.UTF8.GetBytes(policyJson));
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(policy)));
    }

    protected override (string AccessKeyId, string Secret)? CredentialsFallback(ParseResult parseResult) =>
        (parseResult.GetRequiredValue(OwnerAccessKeyOption), parseResult.GetRequiredValue(OwnerSecretOption));

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var bucket = parseResult.GetRequiredValue(BucketOption);
        var prefix = parseResult.GetRequiredValue(PrefixOption);
        var hours = parseResult.GetValue(ExpiresOption) ?? 24;
        if (hours is <= 0 or > 24 * 366 || !double.IsFinite(hours))
        {
            throw CliException.Usage($"Invalid value for --expires: {hours.ToString(CultureInfo.InvariantCulture)} is not a number of hours between 0 and 8784.");
        }

        var policy = UploadPolicy(bucket, prefix, DateTimeOffset.UtcNow.AddHours(hours));
        var request = new BundleInstanceRequest
        {
            InstanceId = parseResult.GetRequiredValue(InstanceArgument),
            Storage = new Storage
            {
                S3 = new S3Storage
                {
                    Bucket = bucket,
                    Prefix = prefix,
                    AWSAccessKeyId = parseResult.GetRequiredValue(OwnerAccessKeyOption),
                    // A blob in the service model: the SDK sends the base64 of these bytes, the text the signature covers.
                    UploadPolicy = new MemoryStream(Encoding.UTF8.GetBytes(policy)),
                    UploadPolicySignature = SignUploadPolicy(policy, parseResult.GetRequiredValue(OwnerSecretOption)),
                },
            },
        };
        var task = (await session.Ec2().BundleInstanceAsync(request, cancellationToken)).BundleTask;
        if (!parseResult.GetValue(WaitOption))
        {
            output.Add("bundleTasks", Ec2Records.BundleTask(task));
            return ExitCodes.Success;
        }

        output.Progress(Ec2Records.BundleTask(task));
        var done = await BundleTaskWaiter.WaitAsync(Console, session, output, task, cancellationToken);
        if (output.IsJson)
        {
            output.Add("bundleTasks", Ec2Records.BundleTask(done));
        }

        BundleTaskWaiter.ThrowIfFailed(done, output);
        return ExitCodes.Success;
    }
}

/// <summary><c>ec2-describe-bundle-tasks [BUNDLE ...]</c>: <c>BUNDLE</c> lines.</summary>
internal sealed class DescribeBundleTasksCommand : ServiceCommand
{
    private static readonly Argument<string[]> BundlesArgument = new("BUNDLE")
    {
        Description = "The bundle tasks to describe. Default: all the account's in the region.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string[]> FilterOption = Filters.CreateOption("state=complete");

    public DescribeBundleTasksCommand(CliConsole console)
        : base("ec2-describe-bundle-tasks", "Describe bundle tasks: BUNDLE id instance bucket prefix start update state [progress].", console)
    {
        AddShortAlias();
        Arguments.Add(BundlesArgument);
        Options.Add(FilterOption);
    }

    public override string Usage => "ec2sim ec2-describe-bundle-tasks [BUNDLE ...] [-F NAME=VALUE ...]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var response = await session.Ec2().DescribeBundleTasksAsync(
            new DescribeBundleTasksRequest
            {
                BundleIds = RequestLists.OrNull(parseResult.GetValue(BundlesArgument)),
                Filters = RequestLists.OrNull(Filters.Parse(parseResult.GetValue(FilterOption))),
            },
            cancellationToken);
        output.Collection("bundleTasks");
        foreach (var task in response.BundleTasks ?? [])
        {
            output.Add("bundleTasks", Ec2Records.BundleTask(task));
        }

        return ExitCodes.Success;
    }
}

/// <summary><c>ec2-cancel-bundle-task BUNDLE</c>: the task's <c>BUNDLE</c> line, <c>cancelling</c>.</summary>
internal sealed class CancelBundleTaskCommand : ServiceCommand
{
    private static readonly Argument<string> BundleArgument = new("BUNDLE")
    {
        Description = "The bundle task to cancel.",
    };

    public CancelBundleTaskCommand(CliConsole console)
        : base("ec2-cancel-bundle-task", "Cancel a bundle task that has not finished: BUNDLE id … cancelling.", console)
    {
        AddShortAlias();
        Arguments.Add(BundleArgument);
    }

    public override string Usage => "ec2sim ec2-cancel-bundle-task BUNDLE";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var response = await session.Ec2().CancelBundleTaskAsync(new CancelBundleTaskRequest { BundleId = parseResult.GetRequiredValue(BundleArgument) }, cancellationToken);
        output.Add("bundleTasks", Ec2Records.BundleTask(response.BundleTask));
        return ExitCodes.Success;
    }
}

/// <summary>Waits for a bundle task to complete or fail, showing its state and progress.</summary>
internal static class BundleTaskWaiter
{
    public static async Task<BundleTask> WaitAsync(CliConsole console, Ec2SimSession session, RecordOutput output, BundleTask task, CancellationToken cancellationToken)
    {
        var tasks = await Waiter.WaitAsync(
            console,
            output,
            new Dictionary<string, WaitStatus> { [task.BundleId] = Status(task) },
            async token =>
            {
                var response = await session.Ec2().DescribeBundleTasksAsync(new DescribeBundleTasksRequest { BundleIds = [task.BundleId] }, token);
                return (IReadOnlyList<BundleTask>)(response.BundleTasks ?? []);
            },
            t => (t.BundleId, Status(t)),
            cancellationToken);
        return tasks.Single();
    }

    /// <summary>A failed task ends the command with its error, as a service error (exit code 3).</summary>
    public static void ThrowIfFailed(BundleTask task, RecordOutput output)
    {
        if (task.State?.Value != "failed")
        {
            return;
        }

        output.Complete();
        throw TaskErrors.Failed($"Bundle task {task.BundleId}", task.BundleTaskError?.Code, task.BundleTaskError?.Message);
    }

    private static WaitStatus Status(BundleTask task)
    {
        var state = task.State?.Value ?? "unknown";
        double? percent = double.TryParse((task.Progress ?? "").TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
        var label = state is "pending" or "complete" or "failed" || percent is null ? $"{task.BundleId} {state}" : $"{task.BundleId} {state} {task.Progress}";
        return new WaitStatus(label, state == "complete" ? 100 : percent, state is "complete" or "failed", Ec2Records.BundleTask(task));
    }
}

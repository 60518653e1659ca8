using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace OrleansEc2.Client;

/// <summary>
/// The S3 upload policy BundleInstance needs, built and signed as the AWS CLI's <c>ec2 bundle-instance --owner-akid
/// --owner-sak</c> does: the policy JSON (bucket, the <c>ec2-bundle-read</c> ACL, keys starting with the prefix,
/// an expiration), base64 of it, and base64(HMAC-SHA1(secret access key, that base64 text)).
/// </summary>
public static class UploadPolicies
{
    /// <summary>base64 of the policy document that lets EC2 write <c>PREFIX.*</c> into <paramref name="bucket"/> until <paramref name="expiration"/>.</summary>
    public static string Build(string bucket, string prefix, DateTimeOffset expiration)
    {
        var json = "{\"expiration\": \"" + expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) + "\","
            + "\"conditions\": [{\"bucket\": \"" + Escape(bucket) + "\"},{\"acl\": \"ec2-bundle-read\"},[\"starts-with\", \"$key\", \"" + Escape(prefix) + "\"]]}";
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>The policy's signature: base64(HMAC-SHA1(<paramref name="secretAccessKey"/>, <paramref name="policyBase64"/>)).</summary>
    public static string Sign(string policyBase64, string secretAccessKey)
        => PostPolicies.Sign(policyBase64, secretAccessKey);

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}

/// <summary>ec2-bundle-instance and its tasks for scripted scenarios: bundle, describe, wait, cancel.</summary>
public static class BundleTaskClientExtensions
{
    /// <summary>How long a policy <see cref="BundleInstanceAsync"/> builds stays valid, as the AWS CLI makes it.</summary>
    public static readonly TimeSpan DefaultPolicyLifetime = TimeSpan.FromHours(24);

    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Bundles <paramref name="instanceId"/> into <paramref name="bucket"/> under <paramref name="prefix"/>, with an upload
    /// policy built and signed with the account's own access key (valid until <paramref name="policyExpiration"/>, by
    /// default a day from now). Answers the new task, pending. EC2's errors come as <see cref="Ec2Exception"/>.
    /// </summary>
    public static async Task<BundleTaskDescription> BundleInstanceAsync(
        this AccountRegionClient client,
        string instanceId,
        string bucket,
        string prefix,
        DateTimeOffset? policyExpiration = null)
    {
        var account = await client.Account.GetInfoAsync();
        var accessKeyId = account.AccessKeyIds.FirstOrDefault()
            ?? throw new InvalidOperationException($"Account {client.AccountId} has no access key to sign the upload policy with.");
        var key = await client.Grains.GetGrain<IAccessKeyGrain>(accessKeyId).FindAsync()
            ?? throw new InvalidOperationException($"The access key {accessKeyId} of account {client.AccountId} is not known to the silo.");
        var policy = UploadPolicies.Build(bucket, prefix, policyExpiration ?? DateTimeOffset.UtcNow + DefaultPolicyLifetime);
        var request = new BundleInstanceRequest(
            new Caller(client.AccountId, client.Region),
            instanceId,
            bucket,
            prefix,
            accessKeyId,
            policy,
            UploadPolicies.Sign(policy, key.SecretAccessKey));
        return await client.Grains.GetGrain<IBundleTaskGrain>(Ec2Ids.NewBundleId()).StartAsync(request);
    }

    /// <summary>One task of this account in this region (<c>InvalidBundleID.NotFound</c> otherwise), as DescribeBundleTasks shows it.</summary>
    public static async Task<BundleTaskDescription> DescribeBundleTaskAsync(this AccountRegionClient client, string bundleId)
        => (await client.Resources.DescribeBundleTasksAsync([bundleId], [])).Single();

    /// <summary>DescribeBundleTasks: this account's tasks in this region, filtered (all when no filter is given).</summary>
    public static Task<ImmutableArray<BundleTaskDescription>> DescribeBundleTasksAsync(this AccountRegionClient client, params Ec2Filter[] filters)
        => client.Resources.DescribeBundleTasksAsync([], [.. filters]);

    /// <summary>CancelBundleTask: answers the task, cancelling; it then ends failed with <c>Client.Cancelled</c>.</summary>
    public static async Task<BundleTaskDescription> CancelBundleTaskAsync(this AccountRegionClient client, string bundleId)
    {
        await client.DescribeBundleTaskAsync(bundleId);
        return await client.Grains.GetGrain<IBundleTaskGrain>(bundleId).CancelAsync(client.AccountId);
    }

    /// <summary>
    /// Polls the task until it is in <paramref name="state"/>, telling <paramref name="progress"/> each change of state or
    /// progress. Throws <see cref="Ec2Exception"/> with the task's error when it fails first,
    /// <see cref="InvalidOperationException"/> when it completes without passing through <paramref name="state"/>, and
    /// <see cref="TimeoutException"/> when <paramref name="timeout"/> (real time) passes first.
    /// </summary>
    public static async Task<BundleTaskDescription> WaitForBundleTaskAsync(
        this AccountRegionClient client,
        string bundleId,
        BundleTaskState state,
        TimeSpan timeout,
        IProgress<BundleTaskDescription>? progress = null,
        TimeSpan? pollInterval = null,
        CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        BundleTaskDescription? last = null;
        while (true)
        {
            var current = await client.DescribeBundleTaskAsync(bundleId);
            if (last is null || last.State != current.State || last.Progress != current.Progress)
            {
                progress?.Report(current);
                last = current;
            }

            if (current.State == state)
            {
                return current;
            }

            if (current.State == BundleTaskState.Failed)
            {
                var error = current.Error ?? new BundleTaskError(Ec2ErrorCodes.InternalError, "The bundle task failed.");
                throw new Ec2Exception(error.Code, $"Bundle task {bundleId} failed: {error.Message}");
            }

            if (current.State.IsFinished())
            {
                throw new InvalidOperationException($"Bundle task {bundleId} ended {current.State.ToEc2Name()} without reaching {state.ToEc2Name()}.");
            }

            if (watch.Elapsed >= timeout)
            {
                throw new TimeoutException($"Bundle task {bundleId} is still {current.State.ToEc2Name()} ({current.Progress}%) after {timeout}.");
            }

            await Task.Delay(pollInterval ?? DefaultPollInterval, cancellationToken);
        }
    }
}

using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using OrleansEc2.Grains.Hosting;
using OrleansEc2.Grains.Regions;

namespace OrleansEc2.Grains.Instances;

[GenerateSerializer, Alias("OrleansEc2.Grains.ReservationState")]
public sealed class ReservationState
{
    [Id(0)]
    public string? OwnerId { get; set; }

    [Id(1)]
    public string? Region { get; set; }

    [Id(2)]
    public List<string> InstanceIds { get; set; } = [];

    [Id(3)]
    public string? RequestHash { get; set; }
}

/// <summary>
/// Runs one RunInstances request. Everything is checked (image, key pair, zone, type, counts, tags, security groups,
/// user data, kernel and RAM disk ids) before any instance is launched, so a refused request leaves nothing behind.
/// The instance ids are chosen and persisted before launching, so a retry after a crash launches the same instances
/// rather than new ones.
/// </summary>
public sealed partial class ReservationGrain(
    [PersistentState("reservation", GrainStorage.Name)] IPersistentState<ReservationState> state,
    RegionCatalog catalog) : Grain, IReservationGrain
{
    public const string DefaultInstanceType = "m1.small";

    /// <summary>At most this many instances per request.</summary>
    public const int MaxCountLimit = 100;

    public async Task<Reservation> RunInstancesAsync(RunInstancesRequest request)
    {
        var caller = request.Caller;
        var index = GrainFactory.GetGrain<IAccountRegionGrain>(caller.AccountRegionKey);
        var requestHash = Hash(request);

        if (request.ClientToken is { Length: > 0 } token)
        {
            if (token.Length > 64)
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, "ClientToken must be at most 64 characters.");
            }

            var (claimedBy, claimedHash) = await index.ClaimClientTokenAsync(token, this.GetPrimaryKeyString(), requestHash);
            if (claimedHash != requestHash)
            {
                throw new Ec2Exception(Ec2ErrorCodes.IdempotentParameterMismatch, $"Arguments on this idempotent request are inconsistent with arguments used in previous request(s) with client token '{token}'.");
            }

            if (claimedBy != this.GetPrimaryKeyString())
            {
                return await GrainFactory.GetGrain<IReservationGrain>(claimedBy).RunInstancesAsync(request);
            }
        }

        if (state.State.OwnerId is not null)
        {
            if (state.State.OwnerId != caller.AccountId || state.State.RequestHash != requestHash)
            {
                throw new InvalidOperationException($"Reservation {this.GetPrimaryKeyString()} already ran another request.");
            }

            return await LaunchAllAsync(request, await ValidateAsync(request));
        }

        var plan = await ValidateAsync(request);
        state.State.OwnerId = caller.AccountId;
        state.State.Region = caller.Region;
        state.State.RequestHash = requestHash;
        state.State.InstanceIds = [.. Enumerable.Range(0, Math.Min(request.MaxCount, MaxCountLimit)).Select(_ => Ec2Ids.NewInstanceId())];
        await state.WriteStateAsync();
        return await LaunchAllAsync(request, plan);
    }

    private sealed record LaunchPlan(
        LaunchDisk Disk,
        string Zone,
        string InstanceType,
        string? KeyPublicKeyPem,
        ImmutableArray<GroupIdentifier> Groups,
        string? UserData);

    private async Task<LaunchPlan> ValidateAsync(RunInstancesRequest request)
    {
        var caller = request.Caller;
        var region = catalog.GetRegion(caller.Region);
        if (request.MinCount < 1)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Value ({request.MinCount}) for parameter minCount is invalid. Expected a positive integer.");
        }

        if (request.MaxCount < request.MinCount)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Value ({request.MaxCount}) for parameter maxCount is invalid. Expected a value greater than or equal to minCount ({request.MinCount}).");
        }

        if (request.MinCount > MaxCountLimit)
        {
            throw new Ec2Exception("InstanceLimitExceeded", $"You have requested more instances ({request.MinCount}) than your current instance limit of {MaxCountLimit} allows for the specified instance type.");
        }

        var instanceType = string.IsNullOrEmpty(request.InstanceType) ? DefaultInstanceType : request.InstanceType;
        if (!InstanceTypePattern().IsMatch(instanceType))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Invalid value '{instanceType}' for InstanceType.");
        }

        var zone = request.AvailabilityZone is { Length: > 0 } requested ? requested : region.AvailabilityZones[0];
        if (!region.AvailabilityZones.Contains(zone))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Invalid availability zone: [{zone}]");
        }

        foreach (var tag in request.InstanceTags.IsDefault ? [] : request.InstanceTags)
        {
            if (string.IsNullOrEmpty(tag.Key) || tag.Key.Length > 128 || tag.Value.Length > 256 || tag.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Invalid tag '{tag.Key}': keys are 1 to 128 characters not starting with 'aws:', values at most 256.");
            }
        }

        var groups = ClassicSecurityGroups.Resolve(caller, request.SecurityGroupNames.IsDefault ? [] : request.SecurityGroupNames, request.SecurityGroupIds.IsDefault ? [] : request.SecurityGroupIds);
        var userData = InstanceUserData.Normalize(request.UserData);
        if (request.KernelId is { Length: > 0 } kernelId)
        {
            Ec2Ids.EnsureKernelId(kernelId);
        }

        if (request.RamdiskId is { Length: > 0 } ramdiskId)
        {
            Ec2Ids.EnsureRamdiskId(ramdiskId);
        }

        if (!Enum.IsDefined(request.InstanceInitiatedShutdownBehavior))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Value ({request.InstanceInitiatedShutdownBehavior}) for parameter instanceInitiatedShutdownBehavior is invalid. Expected 'stop' or 'terminate'.");
        }

        Ec2Ids.EnsureImageId(request.ImageId);
        var disk = await GrainFactory.GetGrain<IImageGrain>(request.ImageId).ResolveLaunchDiskAsync(caller);

        string? publicKey = null;
        if (request.KeyName is { Length: > 0 } keyName)
        {
            var keys = await GrainFactory.GetGrain<IAccountRegionGrain>(caller.AccountRegionKey).DescribeKeyPairsAsync([keyName], []);
            publicKey = keys[0].PublicKeyPem;
        }

        return new LaunchPlan(disk, zone, instanceType, publicKey, groups, userData);
    }

    private async Task<Reservation> LaunchAllAsync(RunInstancesRequest request, LaunchPlan plan)
    {
        var reservationId = this.GetPrimaryKeyString();
        var caller = request.Caller;
        var instances = await Task.WhenAll(state.State.InstanceIds.Select((id, launchIndex) =>
            GrainFactory.GetGrain<IInstanceGrain>(id).LaunchAsync(new InstanceLaunchSpec(
                caller.AccountId,
                caller.Region,
                plan.Zone,
                reservationId,
                launchIndex,
                request.ImageId,
                plan.InstanceType,
                request.KeyName is { Length: > 0 } ? request.KeyName : null,
                plan.KeyPublicKeyPem,
                plan.Disk,
                request.ClientToken is { Length: > 0 } ? request.ClientToken : null,
                request.InstanceTags.IsDefault ? [] : request.InstanceTags,
                plan.Groups,
                plan.UserData,
                request.KernelId is { Length: > 0 } ? request.KernelId : null,
                request.RamdiskId is { Length: > 0 } ? request.RamdiskId : null,
                request.MonitoringEnabled,
                request.EbsOptimized,
                request.DisableApiTermination,
                request.InstanceInitiatedShutdownBehavior))));

        var tags = request.InstanceTags.IsDefault ? [] : request.InstanceTags;
        if (tags.Length > 0)
        {
            await GrainFactory.GetGrain<IAccountRegionGrain>(caller.AccountRegionKey).CreateTagsAsync([.. state.State.InstanceIds], tags);
        }

        return new Reservation(reservationId, caller.AccountId, [.. instances.Select(i => i with { Tags = tags })], plan.Groups);
    }

    private static readonly string DefaultOptions = string.Join("\n", "", "", "", "", "", false, false, false, ShutdownBehavior.Stop);

    private static string Hash(RunInstancesRequest request)
    {
        var text = string.Join(
            "\n",
            request.Caller.AccountId,
            request.Caller.Region,
            request.ImageId,
            request.MinCount,
            request.MaxCount,
            request.InstanceType,
            request.KeyName,
            request.AvailabilityZone,
            string.Join(",", (request.InstanceTags.IsDefault ? [] : request.InstanceTags).Select(t => t.Key + "=" + t.Value)));

        // The launch options came later: a request without any hashes as it always did, so a client token claimed
        // before them still matches its retry.
        var options = string.Join(
            "\n",
            string.Join(",", request.SecurityGroupNames.IsDefault ? [] : request.SecurityGroupNames),
            string.Join(",", request.SecurityGroupIds.IsDefault ? [] : request.SecurityGroupIds),
            request.UserData,
            request.KernelId,
            request.RamdiskId,
            request.MonitoringEnabled,
            request.EbsOptimized,
            request.DisableApiTermination,
            request.InstanceInitiatedShutdownBehavior);
        if (options != DefaultOptions)
        {
            text += "\n" + options;
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Whether <paramref name="value"/> has the shape of an instance type (<c>m1.small</c>, <c>c5.2xlarge</c>).</summary>
    internal static bool IsInstanceType(string value) => InstanceTypePattern().IsMatch(value);

    [GeneratedRegex(@"^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|[0-9]+xlarge|metal)$")]
    private static partial Regex InstanceTypePattern();
}

using System.Collections.Immutable;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansEc2.Grains.Configuration;
using OrleansEc2.Grains.Crypto;
using OrleansEc2.Grains.Filters;
using OrleansEc2.Grains.Hosting;
using OrleansEc2.Grains.Regions;

namespace OrleansEc2.Grains.AccountRegions;

/// <summary>
/// The index of one account's resources in one region. Instance and image grains push their descriptions here, so a
/// Describe is one call; this grain never calls out, so no call cycle can form through it.
/// </summary>
/// <remarks>
/// Reentrant, so that the changes arriving while its state is being written are saved together, in the next write:
/// the state is saved whole, and with one write per change every launch got slower as the account grew (29 launches/s
/// at 10,000 instances, from 100/s). Every method reads and changes the state in one synchronous step before its only
/// await, the write, so no turn sees another's half-made change. A Describe may show a change whose write is still in
/// flight; the call that made it answers only once it is saved.
/// </remarks>
[Reentrant]
public sealed class AccountRegionGrain(
    [PersistentState(AccountRegionGrain.StateName, GrainStorage.Name)] IPersistentState<AccountRegionState> state,
    DeepCopier<AccountRegionState> copier,
    RegionCatalog catalog,
    IOptions<SimulatorOptions> options,
    ISimulationClock clock) : Grain, IAccountRegionGrain
{
    private const string StateName = "account-region";

    private const int MaxTagsPerResource = 50;

    private static readonly FilterSchema<InstanceDescription> InstanceFilters = new FilterSchema<InstanceDescription>()
        .Field("instance-id", i => i.InstanceId)
        .Field("instance-state-name", i => i.State.ToEc2Name())
        .Field("instance-state-code", i => i.State.ToCode().ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Field("instance-type", i => i.InstanceType)
        .Field("image-id", i => i.ImageId)
        .Field("availability-zone", i => i.AvailabilityZone)
        .Field("key-name", i => i.KeyName)
        .Field("platform", i => i.Platform == Platform.Windows ? "windows" : null)
        .Field("reservation-id", i => i.ReservationId)
        .Field("owner-id", i => i.AccountId)
        .Field("private-ip-address", i => i.PrivateIpAddress)
        .Field("private-dns-name", i => i.PrivateDnsName)
        .Field("ami-launch-index", i => i.AmiLaunchIndex.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Field("client-token", i => i.ClientToken)
        .Field("root-device-type", _ => ImageDescription.RootDeviceType)
        .Fields("group-id", i => ClassicSecurityGroups.Of(i).Select(g => g.GroupId))
        .Fields("group-name", i => ClassicSecurityGroups.Of(i).Select(g => g.GroupName))
        .Fields("instance.group-id", i => ClassicSecurityGroups.Of(i).Select(g => g.GroupId))
        .Fields("instance.group-name", i => ClassicSecurityGroups.Of(i).Select(g => g.GroupName))
        .Field("kernel-id", i => i.KernelId)
        .Field("ramdisk-id", i => i.RamdiskId)
        .Field("monitoring-state", InstanceMonitoring.State)
        .WithTags(i => i.Tags);

    private static readonly FilterSchema<ImageDescription> ImageFilters = new FilterSchema<ImageDescription>()
        .Field("image-id", i => i.ImageId)
        .Field("name", i => i.Name)
        .Field("description", i => i.Description)
        .Field("architecture", i => i.Architecture)
        .Field("state", i => i.State.ToEc2Name())
        .Field("platform", i => i.Platform == Platform.Windows ? "windows" : null)
        .Field("owner-id", i => i.OwnerId)
        .Field("owner-alias", i => i.OwnerAlias)
        .Field("is-public", i => i.IsPublic ? "true" : "false")
        .Field("manifest-location", i => i.ImageLocation)
        .Field("image-type", _ => ImageDescription.ImageType)
        .Field("root-device-type", _ => ImageDescription.RootDeviceType)
        .WithTags(i => i.Tags);

    private static readonly FilterSchema<BundleTaskDescription> BundleTaskFilters = new FilterSchema<BundleTaskDescription>()
        .Field("bundle-id", t => t.BundleId)
        .Field("error-code", t => t.Error?.Code)
        .Field("error-message", t => t.Error?.Message)
        .Field("instance-id", t => t.InstanceId)
        .Field("progress", t => t.Progress.ToString(System.Globalization.CultureInfo.InvariantCulture) + "%")
        .Field("s3-bucket", t => t.Bucket)
        .Field("s3-prefix", t => t.Prefix)
        .Field("start-time", t => Ec2Time(t.StartTime))
        .Field("state", t => t.State.ToEc2Name())
        .Field("update-time", t => Ec2Time(t.UpdateTime));

    private static readonly FilterSchema<ResourceTag> TagFilters = new FilterSchema<ResourceTag>()
        .Field("key", t => t.Key)
        .Field("value", t => t.Value)
        .Field("resource-id", t => t.ResourceId)
        .Field("resource-type", t => t.ResourceType);

    private CoalescedStateWriter<AccountRegionState>? _writes;

    // Not persisted: a fresh activation starts above any version an earlier activation handed out.
    private long _version = DateTime.UtcNow.Ticks;

    private AccountRegionState State => state.State;

    private CoalescedStateWriter<AccountRegionState> Writes => _writes ??= new(
        state, ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name), StateName, this.GetGrainId(), copier);

    private string AccountId => AccountRegionKeys.Parse(this.GetPrimaryKeyString()).AccountId;

    private string Region => AccountRegionKeys.Parse(this.GetPrimaryKeyString()).Region;

    public async Task UpsertInstanceAsync(InstanceDescription instance)
    {
        State.Instances[instance.InstanceId] = instance with { Tags = [] };
        _version++;
        await Writes.WriteAsync();
    }

    public Task<InstancePage> DescribeInstancesAsync(InstanceQuery query)
    {
        Refresh();
        var ids = query.InstanceIds.IsDefault ? [] : query.InstanceIds;
        IEnumerable<InstanceDescription> selected;
        if (ids.Length > 0)
        {
            if (query.MaxResults is not null)
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterCombination, "The parameter instancesSet cannot be used with the parameter maxResults");
            }

            var missing = ids.Where(id => !State.Instances.ContainsKey(id)).Distinct().ToList();
            if (missing.Count > 0)
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.InvalidInstanceIdNotFound,
                    missing.Count == 1
                        ? $"The instance ID '{missing[0]}' does not exist"
                        : $"The instance IDs '{string.Join(", ", missing)}' do not exist");
            }

            selected = ids.Distinct().Select(id => State.Instances[id]);
        }
        else
        {
            // An instance-id filter of plain ids names its instances: look them up rather than test every instance.
            var byId = query.Filters.IsDefault ? null : query.Filters.FirstOrDefault(f => f.Name == "instance-id" && !f.Values.IsDefault && f.Values.All(Ec2Wildcard.IsLiteral));
            var candidates = byId is null
                ? State.Instances.Values
                : byId.Values.Distinct(StringComparer.Ordinal).Select(id => State.Instances.GetValueOrDefault(id)).OfType<InstanceDescription>();
            selected = candidates.OrderBy(i => i.LaunchTime).ThenBy(i => i.AmiLaunchIndex).ThenBy(i => i.InstanceId, StringComparer.Ordinal);
        }

        var filtered = InstanceFilters.Apply(selected.Select(WithTags), query.Filters).ToList();
        var (page, next) = Paginate(filtered, i => i.InstanceId, query.MaxResults, query.NextToken, 5, 1000);
        return Task.FromResult(new InstancePage([.. page], next, _version));
    }

    public async Task<(string ReservationId, string RequestHash)> ClaimClientTokenAsync(string clientToken, string reservationId, string requestHash)
    {
        if (State.ClientTokens.TryGetValue(clientToken, out var claim))
        {
            return (claim.ReservationId, claim.RequestHash);
        }

        State.ClientTokens[clientToken] = new ClientTokenClaim(reservationId, requestHash);
        await Writes.WriteAsync();
        return (reservationId, requestHash);
    }

    public async Task<CreatedKeyPair> CreateKeyPairAsync(string keyName)
    {
        EnsureNewKeyName(keyName);
        var (privateKey, publicKey, fingerprint) = KeyPairs.Create();
        var info = new KeyPairInfo(keyName, Ec2Ids.NewKeyPairId(), fingerprint, "rsa", publicKey, clock.UtcNow);
        State.KeyPairs[keyName] = info;
        _version++;
        await Writes.WriteAsync();
        return new CreatedKeyPair(info, privateKey);
    }

    public async Task<KeyPairInfo> ImportKeyPairAsync(string keyName, string publicKeyMaterial)
    {
        EnsureNewKeyName(keyName);
        var (publicKey, fingerprint) = KeyPairs.Import(publicKeyMaterial);
        var info = new KeyPairInfo(keyName, Ec2Ids.NewKeyPairId(), fingerprint, "rsa", publicKey, clock.UtcNow);
        State.KeyPairs[keyName] = info;
        _version++;
        await Writes.WriteAsync();
        return info;
    }

    public Task<ImmutableArray<KeyPairInfo>> DescribeKeyPairsAsync(ImmutableArray<string> keyNames, ImmutableArray<string> keyPairIds)
    {
        var names = keyNames.IsDefault ? [] : keyNames;
        var ids = keyPairIds.IsDefault ? [] : keyPairIds;
        var all = State.KeyPairs.Values.OrderBy(k => k.KeyName, StringComparer.Ordinal).ToList();
        if (names.Length == 0 && ids.Length == 0)
        {
            return Task.FromResult<ImmutableArray<KeyPairInfo>>([.. all]);
        }

        foreach (var name in names.Where(n => !State.KeyPairs.ContainsKey(n)))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidKeyPairNotFound, $"The key pair '{name}' does not exist");
        }

        foreach (var id in ids.Where(id => all.All(k => k.KeyPairId != id)))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidKeyPairNotFound, $"The key pair ID '{id}' does not exist");
        }

        return Task.FromResult<ImmutableArray<KeyPairInfo>>([.. all.Where(k => names.Contains(k.KeyName) || ids.Contains(k.KeyPairId))]);
    }

    public async Task DeleteKeyPairAsync(string? keyName, string? keyPairId)
    {
        var match = State.KeyPairs.Values.FirstOrDefault(k => (keyName is not null && k.KeyName == keyName) || (keyPairId is not null && k.KeyPairId == keyPairId));
        if (match is null)
        {
            return;
        }

        State.KeyPairs.Remove(match.KeyName);
        State.Tags.Remove(match.KeyPairId);
        _version++;
        await Writes.WriteAsync();
    }

    public async Task CreateTagsAsync(ImmutableArray<string> resourceIds, ImmutableArray<Tag> tags)
    {
        Refresh();
        var resources = resourceIds.IsDefault ? [] : resourceIds;
        var newTags = tags.IsDefault ? [] : tags;
        foreach (var tag in newTags)
        {
            ValidateTag(tag);
        }

        foreach (var id in resources)
        {
            EnsureTaggable(id);
            var existing = State.Tags.GetValueOrDefault(id);
            var keys = existing is null ? new HashSet<string>(StringComparer.Ordinal) : new HashSet<string>(existing.Keys, StringComparer.Ordinal);
            keys.UnionWith(newTags.Select(t => t.Key));
            if (keys.Count > MaxTagsPerResource)
            {
                throw new Ec2Exception(Ec2ErrorCodes.TagLimitExceeded, $"The maximum number of tags for resource '{id}' has been exceeded: at most {MaxTagsPerResource}.");
            }
        }

        foreach (var id in resources)
        {
            if (!State.Tags.TryGetValue(id, out var existing))
            {
                State.Tags[id] = existing = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            foreach (var tag in newTags)
            {
                existing[tag.Key] = tag.Value;
            }
        }

        _version++;
        await Writes.WriteAsync();
    }

    public async Task DeleteTagsAsync(ImmutableArray<string> resourceIds, ImmutableArray<TagRemoval> tags)
    {
        Refresh();
        var resources = resourceIds.IsDefault ? [] : resourceIds;
        foreach (var id in resources)
        {
            EnsureTaggable(id);
        }

        var removals = tags.IsDefault ? [] : tags;
        foreach (var id in resources)
        {
            if (!State.Tags.TryGetValue(id, out var existing))
            {
                continue;
            }

            if (removals.Length == 0)
            {
                existing.Clear();
            }

            foreach (var removal in removals)
            {
                if (existing.TryGetValue(removal.Key, out var value) && (removal.Value is null || removal.Value == value))
                {
                    existing.Remove(removal.Key);
                }
            }

            if (existing.Count == 0)
            {
                State.Tags.Remove(id);
            }
        }

        _version++;
        await Writes.WriteAsync();
    }

    public Task<ImmutableArray<ResourceTag>> DescribeTagsAsync(ImmutableArray<Ec2Filter> filters)
    {
        Refresh();
        var all = State.Tags
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .SelectMany(r => r.Value.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new ResourceTag(r.Key, ResourceType(r.Key), t.Key, t.Value)));
        return Task.FromResult<ImmutableArray<ResourceTag>>([.. TagFilters.Apply(all, filters)]);
    }

    public Task<ImmutableArray<ImageDescription>> DescribeImagesAsync(ImageQuery query)
    {
        var visible = catalog.PublicImagesIn(Region).Select(p => p.Description)
            .Concat(State.Images.Values.Where(i => i.State != ImageState.Deregistered))
            .Select(WithTags)
            .ToList();

        var ids = query.ImageIds.IsDefault ? [] : query.ImageIds;
        if (ids.Length > 0)
        {
            var missing = ids.Where(id => visible.All(i => i.ImageId != id)).Distinct().ToList();
            if (missing.Count > 0)
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidAmiIdNotFound, $"The image id '[{string.Join(", ", missing)}]' does not exist");
            }

            visible = [.. visible.Where(i => ids.Contains(i.ImageId))];
        }

        var owners = query.Owners.IsDefault ? [] : query.Owners;
        if (owners.Length > 0)
        {
            visible = [.. visible.Where(i => owners.Any(o => o switch
            {
                "self" => i.OwnerId == AccountId,
                "amazon" => i.OwnerAlias == RegionCatalog.AmazonOwnerAlias,
                _ => i.OwnerId == o,
            }))];
        }

        // As EC2: "all" is the public images; "self" (or the caller's own id) its own images and those shared with it;
        // another account id, the images explicitly shared with that account.
        var executableBy = query.ExecutableBy.IsDefault ? [] : query.ExecutableBy;
        if (executableBy.Length > 0)
        {
            visible = [.. visible.Where(i => executableBy.Any(e => e switch
            {
                "all" => i.IsPublic,
                _ when e == "self" || e == AccountId => i.OwnerId == AccountId || MayLaunch(i.ImageId, AccountId),
                _ => MayLaunch(i.ImageId, e),
            }))];
        }

        return Task.FromResult<ImmutableArray<ImageDescription>>([.. ImageFilters.Apply(visible, query.Filters).OrderBy(i => i.ImageId, StringComparer.Ordinal)]);
    }

    public async Task RegisterImageAsync(ImageDescription image)
    {
        var holder = State.Images.Values.FirstOrDefault(i =>
            i.OwnerId == AccountId && i.State != ImageState.Deregistered && i.Name == image.Name && i.ImageId != image.ImageId);
        if (holder is not null)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidAmiNameDuplicate, $"AMI name {image.Name} is already in use by AMI {holder.ImageId}");
        }

        State.Images[image.ImageId] = image with { Tags = [] };
        _version++;
        await Writes.WriteAsync();
    }

    public async Task PublishImageAsync(ImageDescription image, ImmutableArray<string> launchPermissionUserIds)
    {
        var users = launchPermissionUserIds.IsDefault ? [] : launchPermissionUserIds;
        if (State.Images.TryGetValue(image.ImageId, out var known) && known == image with { Tags = known.Tags }
            && users.SequenceEqual(State.ImageLaunchPermissions.GetValueOrDefault(image.ImageId) ?? []))
        {
            // An image grain publishes again on every activation: nothing to write when nothing changed.
            return;
        }

        State.Images[image.ImageId] = image with { Tags = [] };
        if (users.Length > 0)
        {
            State.ImageLaunchPermissions[image.ImageId] = [.. users];
        }
        else
        {
            State.ImageLaunchPermissions.Remove(image.ImageId);
        }

        _version++;
        await Writes.WriteAsync();
    }

    public async Task RemoveImageAsync(string imageId)
    {
        var removed = State.Images.Remove(imageId);
        removed |= State.ImageLaunchPermissions.Remove(imageId);
        if (removed)
        {
            _version++;
            await Writes.WriteAsync();
        }
    }

    public async Task UpsertBundleTaskAsync(BundleTaskDescription task)
    {
        State.BundleTasks[task.BundleId] = task;
        _version++;
        await Writes.WriteAsync();
    }

    public Task<ImmutableArray<BundleTaskDescription>> DescribeBundleTasksAsync(ImmutableArray<string> bundleIds, ImmutableArray<Ec2Filter> filters)
    {
        var now = clock.UtcNow;
        var retention = options.Value.Durations.FinishedBundleTaskRetention;
        var listed = State.BundleTasks.Values
            .Where(t => !t.State.IsFinished() || now < t.UpdateTime + retention)
            .OrderBy(t => t.StartTime)
            .ThenBy(t => t.BundleId, StringComparer.Ordinal)
            .ToList();
        var ids = bundleIds.IsDefault ? [] : bundleIds;
        foreach (var id in ids)
        {
            Ec2Ids.EnsureBundleId(id);
        }

        var missing = ids.Where(id => listed.All(t => t.BundleId != id)).Distinct().ToList();
        if (missing.Count > 0)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidBundleIdNotFound, $"The bundle ID '{string.Join(", ", missing)}' does not exist");
        }

        var selected = ids.Length > 0 ? listed.Where(t => ids.Contains(t.BundleId)) : listed;
        return Task.FromResult<ImmutableArray<BundleTaskDescription>>([.. BundleTaskFilters.Apply(selected, filters)]);
    }

    public Task<ImmutableArray<string>> GetUnfinishedBundleTasksAsync()
        => Task.FromResult<ImmutableArray<string>>([.. State.BundleTasks.Values.Where(t => !t.State.IsFinished()).Select(t => t.BundleId)]);

    /// <summary>EC2's timestamp form, as filters on times compare it.</summary>
    private static string Ec2Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Brings every instance up to now (completed transitions) and drops terminated ones past their retention.</summary>
    private void Refresh()
    {
        var now = clock.UtcNow;
        var retention = options.Value.Durations.TerminatedRetention;
        List<string>? expired = null;
        foreach (var (id, instance) in State.Instances)
        {
            var current = instance.At(now);
            if (!ReferenceEquals(current, instance))
            {
                State.Instances[id] = current;
                _version++;
            }

            if (current.State == InstanceStateName.Terminated && current.TerminatedAt is { } at && now >= at + retention)
            {
                (expired ??= []).Add(id);
            }
        }

        foreach (var id in expired ?? [])
        {
            State.Instances.Remove(id);
            State.Tags.Remove(id);
            _version++;
        }
    }

    private bool MayLaunch(string imageId, string accountId)
        => State.ImageLaunchPermissions.TryGetValue(imageId, out var users) && users.Contains(accountId);

    private InstanceDescription WithTags(InstanceDescription instance) => instance with { Tags = TagsOf(instance.InstanceId) };

    private ImageDescription WithTags(ImageDescription image) => image.OwnerId == AccountId ? image with { Tags = TagsOf(image.ImageId) } : image;

    private ImmutableArray<Tag> TagsOf(string resourceId)
    {
        return State.Tags.TryGetValue(resourceId, out var tags)
            ? [.. tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new Tag(t.Key, t.Value))]
            : [];
    }

    private void EnsureTaggable(string resourceId)
    {
        switch (ResourceType(resourceId))
        {
            case "instance":
                if (!State.Instances.ContainsKey(resourceId))
                {
                    throw new Ec2Exception(Ec2ErrorCodes.InvalidInstanceIdNotFound, $"The instance ID '{resourceId}' does not exist");
                }

                break;
            case "image":
                if (!State.Images.TryGetValue(resourceId, out var image) || image.OwnerId != AccountId || image.State == ImageState.Deregistered)
                {
                    throw new Ec2Exception(Ec2ErrorCodes.InvalidAmiIdNotFound, $"The image id '[{resourceId}]' does not exist");
                }

                break;
            case "key-pair":
                if (State.KeyPairs.Values.All(k => k.KeyPairId != resourceId))
                {
                    throw new Ec2Exception(Ec2ErrorCodes.InvalidKeyPairNotFound, $"The key pair ID '{resourceId}' does not exist");
                }

                break;
            default:
                throw new Ec2Exception(Ec2ErrorCodes.InvalidIdNotFound, $"The ID '{resourceId}' is not valid");
        }
    }

    private static string ResourceType(string resourceId) => resourceId switch
    {
        _ when Ec2Ids.IsInstanceId(resourceId) => "instance",
        _ when Ec2Ids.IsImageId(resourceId) => "image",
        _ when resourceId.StartsWith("key-", StringComparison.Ordinal) => "key-pair",
        _ => "unknown",
    };

    private static void ValidateTag(Tag tag)
    {
        if (string.IsNullOrEmpty(tag.Key) || tag.Key.Length > 128)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Tag key '{tag.Key}' must be 1 to 128 characters long.");
        }

        if (tag.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, "Tag keys starting with 'aws:' are reserved for internal use");
        }

        if (tag.Value.Length > 256)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Tag value for key '{tag.Key}' must be at most 256 characters long.");
        }
    }

    private void EnsureNewKeyName(string keyName)
    {
        if (string.IsNullOrEmpty(keyName) || keyName.Length > 255 || keyName.Any(c => c < 0x20 || c > 0x7e))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Invalid key name '{keyName}': 1 to 255 printable ASCII characters.");
        }

        if (State.KeyPairs.ContainsKey(keyName))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidKeyPairDuplicate, $"The keypair '{keyName}' already exists.");
        }
    }

    /// <summary>A page of <paramref name="items"/> after the token's position; the token is the opaque form of the last id returned.</summary>
    private static (List<T> Page, string? NextToken) Paginate<T>(List<T> items, Func<T, string> idOf, int? maxResults, string? nextToken, int min, int max)
    {
        var start = 0;
        if (!string.IsNullOrEmpty(nextToken))
        {
            string after;
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(nextToken));
            }
            catch (FormatException)
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Invalid NextToken '{nextToken}'.");
            }

            var index = items.FindIndex(i => string.CompareOrdinal(idOf(i), after) == 0);
            start = index >= 0 ? index + 1 : throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Invalid NextToken '{nextToken}'.");
        }

        if (maxResults is null)
        {
            return (items.GetRange(start, items.Count - start), null);
        }

        if (maxResults < min || maxResults > max)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Value ( {maxResults} ) for parameter maxResults is invalid. Expecting a value between {min} and {max}.");
        }

        var count = Math.Min(maxResults.Value, items.Count - start);
        var page = items.GetRange(start, count);
        var more = start + count < items.Count;
        return (page, more ? Convert.ToBase64String(Encoding.UTF8.GetBytes(idOf(page[^1]))) : null);
    }
}

using System.Collections.Immutable;

namespace OrleansEc2.Api.Ec2.Actions;

/// <summary>RunInstances, DescribeInstances, DescribeInstanceStatus, Start/Stop/Reboot/TerminateInstances, GetPasswordData.</summary>
internal static class InstanceActions
{
    public const string DefaultInstanceType = "m1.small";

    /// <summary>The filters DescribeInstances passes to the account-region index (plus <c>tag:Key</c>).</summary>
    private static readonly HashSet<string> InstanceFilters =
    [
        "tag-key", "tag-value", "instance-state-name", "instance-state-code", "instance-id", "image-id",
        "availability-zone", "key-name", "platform", "instance-type", "reservation-id", "private-ip-address",
        "private-dns-name", "owner-id", "ami-launch-index", "client-token", "root-device-type",
    ];

    private static readonly HashSet<string> IndexStatusFilters = ["availability-zone", "instance-state-name", "instance-state-code"];

    private static readonly HashSet<string> LocalStatusFilters =
        ["instance-status.status", "instance-status.reachability", "system-status.status", "system-status.reachability"];

    public static IEnumerable<Ec2Action> All()
    {
        yield return new Ec2Action(
            "RunInstances",
            new ParameterSchema(
                "ImageId", "MinCount", "MaxCount", "InstanceType", "KeyName", "Placement.AvailabilityZone", "ClientToken",
                "TagSpecification.N.ResourceType", "TagSpecification.N.Tag.N.Key", "TagSpecification.N.Tag.N.Value"),
            RunInstancesAsync);
        yield return new Ec2Action(
            "DescribeInstances",
            new ParameterSchema([.. ParameterSchema.Filters, "InstanceId.N", "MaxResults", "NextToken"]),
            DescribeInstancesAsync);
        yield return new Ec2Action(
            "DescribeInstanceStatus",
            new ParameterSchema([.. ParameterSchema.Filters, "InstanceId.N", "IncludeAllInstances", "MaxResults", "NextToken"]),
            DescribeInstanceStatusAsync);
        yield return new Ec2Action(
            "StartInstances",
            new ParameterSchema("InstanceId.N", "AdditionalInfo"),
            c => ChangeStateAsync(c, StateChange.Start));
        yield return new Ec2Action(
            "StopInstances",
            new ParameterSchema("InstanceId.N", "Force"),
            c => ChangeStateAsync(c, StateChange.Stop));
        yield return new Ec2Action(
            "TerminateInstances",
            new ParameterSchema("InstanceId.N"),
            c => ChangeStateAsync(c, StateChange.Terminate));
        yield return new Ec2Action(
            "RebootInstances",
            new ParameterSchema("InstanceId.N"),
            RebootInstancesAsync);
        yield return new Ec2Action(
            "GetPasswordData",
            new ParameterSchema("InstanceId"),
            GetPasswordDataAsync);
    }

    private enum StateChange
    {
        Start,
        Stop,
        Terminate,
    }

    private static async Task<Ec2Body> RunInstancesAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var imageId = p.Require("ImageId");
        Ec2Ids.EnsureImageId(imageId);
        var minCount = p.RequireInt("MinCount", 1, 1000);
        var maxCount = p.RequireInt("MaxCount", 1, 1000);
        if (minCount > maxCount)
        {
            throw QueryParameters.Invalid($"Value ({minCount}) for parameter minCount is invalid. Expected a value less than or equal to maxCount ({maxCount}).");
        }

        var instanceType = p.Get("InstanceType") ?? DefaultInstanceType;
        if (instanceType.Length == 0)
        {
            throw QueryParameters.Invalid("Invalid value '' for InstanceType.");
        }

        var keyName = EmptyAsNull(p.Get("KeyName"));
        var zone = EmptyAsNull(p.Get("Placement.AvailabilityZone"));
        var clientToken = EmptyAsNull(p.Get("ClientToken"));
        if (clientToken is not null && (clientToken.Length > 64 || clientToken.Any(c => c is < ' ' or > '~')))
        {
            throw QueryParameters.Invalid("Value for parameter ClientToken is invalid: at most 64 printable ASCII characters.");
        }

        var tags = InstanceTags(p);
        if (context.DryRun)
        {
            await CheckLaunchAsync(context, imageId, keyName, zone);
            context.ThrowIfDryRun();
        }

        var request = new RunInstancesRequest(context.Caller, imageId, minCount, maxCount, instanceType, keyName, zone, clientToken, tags);
        var reservation = await context.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId()).RunInstancesAsync(request);
        var xml = new Ec2XmlWriter(2048)
            .Element("reservationId", reservation.ReservationId)
            .Element("ownerId", reservation.OwnerId)
            .Empty("groupSet")
            .Start("instancesSet");
        var now = context.Clock.UtcNow;
        foreach (var instance in reservation.Instances)
        {
            Ec2Shapes.Instance(xml, instance.At(now), await context.Services.GetImageArchitectureAsync(instance.ImageId, context.Caller));
        }

        return Ec2Body.From(xml.End("instancesSet"));
    }

    /// <summary>A dry run's launch checks: the image is launchable here, the key pair and the zone exist.</summary>
    private static async Task CheckLaunchAsync(Ec2ActionContext context, string imageId, string? keyName, string? zone)
    {
        var image = await context.Services.DescribeImageAsync(imageId, context.Caller);
        if (image.Region != context.Caller.Region)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidAmiIdNotFound, $"The image id '[{imageId}]' does not exist");
        }

        if (image.State != ImageState.Available)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidAmiIdUnavailable, $"Image {imageId} is not available (state: {image.State.ToEc2Name()}).");
        }

        if (keyName is not null)
        {
            await context.AccountRegion.DescribeKeyPairsAsync([keyName], []);
        }

        if (zone is not null)
        {
            var region = await context.Services.Regions.FindAsync(context.Caller.Region);
            if (region is null || !region.AvailabilityZones.Contains(zone))
            {
                throw QueryParameters.Invalid($"Invalid availability zone: [{zone}]");
            }
        }
    }

    private static ImmutableArray<Tag> InstanceTags(QueryParameters p)
    {
        var tags = ImmutableArray.CreateBuilder<Tag>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var index in p.GetGroupIndexes("TagSpecification"))
        {
            var typeParameter = $"TagSpecification.{index}.ResourceType";
            var type = p.Get(typeParameter);
            if (string.IsNullOrEmpty(type))
            {
                throw QueryParameters.Missing(typeParameter);
            }

            if (type != "instance")
            {
                throw QueryParameters.Invalid($"'{type}' is not a valid taggable resource type for this operation.");
            }

            foreach (var tag in p.GetTags($"TagSpecification.{index}.Tag"))
            {
                if (!keys.Add(tag.Key))
                {
                    throw QueryParameters.Invalid($"Duplicate tag key '{tag.Key}' specified.");
                }

                tags.Add(tag);
            }
        }

        return tags.ToImmutable();
    }

    private static async Task<Ec2Body> DescribeInstancesAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var ids = InstanceIds(p, required: false);
        var filters = p.GetFilters(IsInstanceFilter);
        var maxResults = p.GetInt("MaxResults", 5, 1000);
        if (maxResults is not null && !ids.IsEmpty)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterCombination, "The parameter instancesSet cannot be used with the parameter maxResults");
        }

        var nextToken = EmptyAsNull(p.Get("NextToken"));
        context.ThrowIfDryRun();

        var page = await context.AccountRegion.DescribeInstancesAsync(new InstanceQuery(ids, filters, maxResults, nextToken));
        var now = context.Clock.UtcNow;
        var cacheKey = context.Caller.AccountRegionKey + "\n" + p.CanonicalText("Action", "Version", "DryRun");
        if (context.Services.InstancePages.TryGet(cacheKey, page.IndexVersion, now, out var cached))
        {
            return cached;
        }

        var validUntil = DateTimeOffset.MaxValue;
        var cacheable = true;
        var xml = new Ec2XmlWriter(4096).Start("reservationSet");
        foreach (var reservation in page.Instances.OrEmpty().Select(i => i.At(now)).GroupBy(i => i.ReservationId))
        {
            xml.Start("item")
                .Element("reservationId", reservation.Key)
                .Element("ownerId", reservation.First().AccountId)
                .Empty("groupSet")
                .Start("instancesSet");
            foreach (var instance in reservation)
            {
                if (instance.Transition is { } transition && transition.CompletesAt < validUntil)
                {
                    validUntil = transition.CompletesAt;
                }

                // A terminated instance leaves the listing after a retention the front door does not know.
                cacheable &= instance.State != InstanceStateName.Terminated;
                Ec2Shapes.Instance(xml, instance, await context.Services.GetImageArchitectureAsync(instance.ImageId, context.Caller));
            }

            xml.End("instancesSet").End("item");
        }

        xml.End("reservationSet").Element("nextToken", page.NextToken);
        var body = Ec2Body.From(xml);
        if (cacheable)
        {
            context.Services.InstancePages.Set(cacheKey, page.IndexVersion, validUntil, body);
        }

        return body;
    }

    private static async Task<Ec2Body> DescribeInstanceStatusAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var ids = InstanceIds(p, required: false);
        var includeAll = p.GetBool("IncludeAllInstances");
        var filters = p.GetFilters(name => IndexStatusFilters.Contains(name) || LocalStatusFilters.Contains(name));
        var maxResults = p.GetInt("MaxResults", 5, 1000);
        if (maxResults is not null && !ids.IsEmpty)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterCombination, "The parameter instancesSet cannot be used with the parameter maxResults");
        }

        var nextToken = EmptyAsNull(p.Get("NextToken"));
        context.ThrowIfDryRun();

        var indexFilters = filters.Where(f => IndexStatusFilters.Contains(f.Name)).ToImmutableArray();
        var localFilters = filters.Where(f => LocalStatusFilters.Contains(f.Name)).ToList();
        var page = await context.AccountRegion.DescribeInstancesAsync(new InstanceQuery(ids, indexFilters, null, null));
        var now = context.Clock.UtcNow;
        var statuses = page.Instances.OrEmpty()
            .Select(i => i.At(now))
            .Where(i => includeAll || i.State == InstanceStateName.Running)
            .Select(i => (Instance: i, Status: Status(i.State)))
            .Where(s => localFilters.All(f => f.Name switch
            {
                "instance-status.status" or "system-status.status" => Ec2Wildcard.MatchesAny(f.Values, s.Status.Summary),
                _ => Ec2Wildcard.MatchesAny(f.Values, s.Status.Reachability),
            }))
            .ToList();
        var (items, next) = OffsetPaging.Page(statuses, maxResults, nextToken, "DescribeInstanceStatus\n" + context.Caller.AccountRegionKey + "\n" + p.CanonicalText("Action", "Version", "DryRun", "NextToken", "MaxResults"));

        var xml = new Ec2XmlWriter(2048).Start("instanceStatusSet");
        foreach (var (instance, status) in items)
        {
            xml.Start("item")
                .Element("instanceId", instance.InstanceId)
                .Element("availabilityZone", instance.AvailabilityZone);
            Ec2Shapes.InstanceState(xml, "instanceState", instance.State);
            StatusSummary(xml, "systemStatus", status);
            StatusSummary(xml, "instanceStatus", status);
            xml.End("item");
        }

        return Ec2Body.From(xml.End("instanceStatusSet").Element("nextToken", next));
    }

    private static (string Summary, string? Reachability) Status(InstanceStateName state) => state switch
    {
        InstanceStateName.Running => ("ok", "passed"),
        InstanceStateName.Pending => ("initializing", "initializing"),
        _ => ("not-applicable", null),
    };

    private static void StatusSummary(Ec2XmlWriter xml, string element, (string Summary, string? Reachability) status)
    {
        xml.Start(element).Element("status", status.Summary);
        if (status.Reachability is not null)
        {
            xml.Start("details").Start("item").Element("name", "reachability").Element("status", status.Reachability).End("item").End("details");
        }

        xml.End(element);
    }

    private static async Task<Ec2Body> ChangeStateAsync(Ec2ActionContext context, StateChange change)
    {
        var p = context.Parameters;
        var ids = InstanceIds(p, required: true);
        var force = change == StateChange.Stop && p.GetBool("Force");
        await CheckInstancesAsync(context, ids, state => change switch
        {
            StateChange.Start => state is InstanceStateName.Stopped or InstanceStateName.Pending or InstanceStateName.Running,
            StateChange.Stop => state is InstanceStateName.Running or InstanceStateName.Stopping or InstanceStateName.Stopped,
            _ => true,
        }, change switch
        {
            StateChange.Start => "started",
            StateChange.Stop => "stopped",
            _ => "terminated",
        });
        context.ThrowIfDryRun();

        var changes = await Task.WhenAll(ids.Select(id => change switch
        {
            StateChange.Start => context.Instance(id).StartAsync(context.AccountId),
            StateChange.Stop => context.Instance(id).StopAsync(context.AccountId, force),
            _ => context.Instance(id).TerminateAsync(context.AccountId),
        }));
        var xml = new Ec2XmlWriter(1024).Start("instancesSet");
        foreach (var item in changes)
        {
            xml.Start("item").Element("instanceId", item.InstanceId);
            Ec2Shapes.InstanceState(xml, "currentState", item.Current);
            Ec2Shapes.InstanceState(xml, "previousState", item.Previous);
            xml.End("item");
        }

        return Ec2Body.From(xml.End("instancesSet"));
    }

    private static async Task<Ec2Body> RebootInstancesAsync(Ec2ActionContext context)
    {
        var ids = InstanceIds(context.Parameters, required: true);
        await CheckInstancesAsync(context, ids, state => state is InstanceStateName.Running, "rebooted");
        context.ThrowIfDryRun();
        await Task.WhenAll(ids.Select(id => context.Instance(id).RebootAsync(context.AccountId)));
        return Ec2Body.ReturnTrue;
    }

    private static async Task<Ec2Body> GetPasswordDataAsync(Ec2ActionContext context)
    {
        var instanceId = context.Parameters.Require("InstanceId");
        Ec2Ids.EnsureInstanceId(instanceId);
        if (context.DryRun)
        {
            await CheckInstancesAsync(context, [instanceId], _ => true, "read");
            context.ThrowIfDryRun();
        }

        var data = await context.Instance(instanceId).GetPasswordDataAsync(context.AccountId);
        var xml = new Ec2XmlWriter(1024)
            .Element("instanceId", data.InstanceId)
            .Element("timestamp", data.Timestamp)
            .Element("passwordData", data.EncryptedPassword);
        return Ec2Body.From(xml);
    }

    /// <summary>
    /// Every instance exists, is the caller's and is in a state the change allows — checked for all before any is
    /// changed, so a refused request changes nothing. A dry run refuses another account's instance as unauthorized.
    /// </summary>
    private static async Task CheckInstancesAsync(Ec2ActionContext context, ImmutableArray<string> ids, Func<InstanceStateName, bool> allowed, string verb)
    {
        var lookups = await Task.WhenAll(ids.Select(async id =>
        {
            try
            {
                return (Id: id, Instance: (InstanceDescription?)await context.Instance(id).DescribeAsync(context.AccountId));
            }
            catch (Ec2Exception e) when (e.Code == Ec2ErrorCodes.InvalidInstanceIdNotFound)
            {
                return (Id: id, Instance: null);
            }
        }));
        var missing = lookups.Where(l => l.Instance is null).Select(l => l.Id).ToList();
        if (missing.Count > 0)
        {
            if (context.DryRun)
            {
                foreach (var id in missing)
                {
                    if (await context.Services.BelongsToAnotherAccountAsync(id, context.AccountId))
                    {
                        throw Ec2Errors.Unauthorized();
                    }
                }
            }

            throw missing.Count == 1
                ? new Ec2Exception(Ec2ErrorCodes.InvalidInstanceIdNotFound, $"The instance ID '{missing[0]}' does not exist")
                : new Ec2Exception(Ec2ErrorCodes.InvalidInstanceIdNotFound, $"The instance IDs '{string.Join(", ", missing)}' do not exist");
        }

        var now = context.Clock.UtcNow;
        foreach (var (id, instance) in lookups)
        {
            var state = instance!.At(now).State;
            if (!allowed(state))
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.IncorrectInstanceState,
                    $"The instance '{id}' is not in a state from which it can be {verb} (it is {state.ToEc2Name()}).");
            }
        }
    }

    private static ImmutableArray<string> InstanceIds(QueryParameters p, bool required)
    {
        var ids = p.GetList("InstanceId");
        if (required && ids.IsEmpty)
        {
            throw QueryParameters.Missing("InstanceId");
        }

        foreach (var id in ids)
        {
            Ec2Ids.EnsureInstanceId(id);
        }

        return [.. ids.Distinct(StringComparer.Ordinal)];
    }

    private static bool IsInstanceFilter(string name)
        => InstanceFilters.Contains(name) || (name.StartsWith("tag:", StringComparison.Ordinal) && name.Length > 4);

    private static string? EmptyAsNull(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

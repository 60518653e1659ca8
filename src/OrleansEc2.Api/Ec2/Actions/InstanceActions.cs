using System.Collections.Immutable;
using System.Text;

namespace OrleansEc2.Api.Ec2.Actions;

/// <summary>
/// RunInstances, DescribeInstances, DescribeInstanceStatus, Start/Stop/Reboot/TerminateInstances, GetPasswordData,
/// GetConsoleOutput, Describe/ModifyInstanceAttribute.
/// </summary>
internal static class InstanceActions
{
    public const string DefaultInstanceType = "m1.small";

    /// <summary>The filters DescribeInstances passes to the account-region index (plus <c>tag:Key</c>).</summary>
    private static readonly HashSet<string> InstanceFilters =
    [
        "tag-key", "tag-value", "instance-state-name", "instance-state-code", "instance-id", "image-id",
        "availability-zone", "key-name", "platform", "instance-type", "reservation-id", "private-ip-address",
        "private-dns-name", "owner-id", "ami-launch-index", "client-token", "root-device-type", "group-id", "group-name",
        "instance.group-id", "instance.group-name", "kernel-id", "ramdisk-id", "monitoring-state",
    ];

    /// <summary>DescribeInstanceAttribute's attributes (the 2016-11-15 model's <c>InstanceAttributeName</c>).</summary>
    private static readonly HashSet<string> AttributeNames =
    [
        "instanceType", "kernel", "ramdisk", "userData", "disableApiTermination", "instanceInitiatedShutdownBehavior",
        "rootDeviceName", "blockDeviceMapping", "productCodes", "sourceDestCheck", "groupSet", "ebsOptimized",
        "sriovNetSupport", "enaSupport", "enclaveOptions", "disableApiStop",
    ];

    /// <summary>ModifyInstanceAttribute's structured parameters (<c>X.Value</c>) and the attribute each one sets.</summary>
    private static readonly (string Parameter, string Attribute)[] ModifyValueParameters =
    [
        ("InstanceType.Value", "instanceType"), ("Kernel.Value", "kernel"), ("Ramdisk.Value", "ramdisk"),
        ("UserData.Value", "userData"), ("DisableApiTermination.Value", "disableApiTermination"),
        ("InstanceInitiatedShutdownBehavior.Value", "instanceInitiatedShutdownBehavior"), ("EbsOptimized.Value", "ebsOptimized"),
        ("SourceDestCheck.Value", "sourceDestCheck"), ("SriovNetSupport.Value", "sriovNetSupport"),
        ("EnaSupport.Value", "enaSupport"), ("DisableApiStop.Value", "disableApiStop"),
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
                "TagSpecification.N.ResourceType", "TagSpecification.N.Tag.N.Key", "TagSpecification.N.Tag.N.Value",
                "SecurityGroup.N", "SecurityGroupId.N", "UserData", "Monitoring.Enabled", "DisableApiTermination",
                "InstanceInitiatedShutdownBehavior", "EbsOptimized", "KernelId", "RamdiskId"),
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
        yield return new Ec2Action(
            "GetConsoleOutput",
            new ParameterSchema("InstanceId", "Latest"),
            GetConsoleOutputAsync);
        yield return new Ec2Action(
            "DescribeInstanceAttribute",
            new ParameterSchema("InstanceId", "Attribute"),
            DescribeInstanceAttributeAsync);
        yield return new Ec2Action(
            "ModifyInstanceAttribute",
            new ParameterSchema(
                [
                    "InstanceId", "Attribute", "Value", "GroupId.N", .. ModifyValueParameters.Select(m => m.Parameter),
                    "BlockDeviceMapping.N.DeviceName", "BlockDeviceMapping.N.NoDevice", "BlockDeviceMapping.N.VirtualName",
                    "BlockDeviceMapping.N.Ebs.DeleteOnTermination", "BlockDeviceMapping.N.Ebs.VolumeId",
                ]),
            ModifyInstanceAttributeAsync);
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
        var groupNames = p.GetList("SecurityGroup");
        var groupIds = p.GetList("SecurityGroupId");
        foreach (var groupId in groupIds)
        {
            ClassicSecurityGroups.EnsureGroupId(groupId);
        }

        var userData = EmptyAsNull(p.Get("UserData"));
        if (userData is not null)
        {
            InstanceUserData.Decode(userData);
        }

        var kernelId = EmptyAsNull(p.Get("KernelId"));
        if (kernelId is not null)
        {
            Ec2Ids.EnsureKernelId(kernelId);
        }

        var ramdiskId = EmptyAsNull(p.Get("RamdiskId"));
        if (ramdiskId is not null)
        {
            Ec2Ids.EnsureRamdiskId(ramdiskId);
        }

        var shutdownBehavior = EmptyAsNull(p.Get("InstanceInitiatedShutdownBehavior")) is { } behavior
            ? ShutdownBehaviors.Parse(behavior)
            : ShutdownBehavior.Stop;
        var monitoring = p.GetBool("Monitoring.Enabled");
        var ebsOptimized = p.GetBool("EbsOptimized");
        var disableApiTermination = p.GetBool("DisableApiTermination");
        if (context.DryRun)
        {
            ClassicSecurityGroups.Resolve(context.Caller, groupNames, groupIds);
            await CheckLaunchAsync(context, imageId, keyName, zone);
            context.ThrowIfDryRun();
        }

        var request = new RunInstancesRequest(
            context.Caller, imageId, minCount, maxCount, instanceType, keyName, zone, clientToken, tags,
            groupNames, groupIds, userData, kernelId, ramdiskId, monitoring, ebsOptimized, disableApiTermination, shutdownBehavior);
        var reservation = await context.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId()).RunInstancesAsync(request);
        var xml = new Ec2XmlWriter(2048)
            .Element("reservationId", reservation.ReservationId)
            .Element("ownerId", reservation.OwnerId);
        Ec2Shapes.GroupSet(xml, reservation.Groups.IsDefaultOrEmpty ? [ClassicSecurityGroups.Default(context.Caller.AccountId, context.Caller.Region)] : reservation.Groups);
        xml.Start("instancesSet");
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
                .Element("ownerId", reservation.First().AccountId);
            Ec2Shapes.GroupSet(xml, ClassicSecurityGroups.Of(reservation.First()));
            xml.Start("instancesSet");
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
        var instances = await CheckInstancesAsync(context, ids, state => change switch
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
        if (change == StateChange.Terminate)
        {
            foreach (var instance in instances)
            {
                if (instance.DisableApiTermination && instance.State is not (InstanceStateName.ShuttingDown or InstanceStateName.Terminated))
                {
                    throw new Ec2Exception(
                        Ec2ErrorCodes.OperationNotPermitted,
                        $"The instance '{instance.InstanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.");
                }
            }
        }

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
    /// The instance's console as base64; <c>Latest</c> is accepted and has nothing to change, as the simulated console
    /// is always the latest (a Nitro-only option in EC2).
    /// </summary>
    private static async Task<Ec2Body> GetConsoleOutputAsync(Ec2ActionContext context)
    {
        var instanceId = context.Parameters.Require("InstanceId");
        Ec2Ids.EnsureInstanceId(instanceId);
        _ = context.Parameters.GetBool("Latest");
        if (context.DryRun)
        {
            await CheckInstancesAsync(context, [instanceId], _ => true, "read");
            context.ThrowIfDryRun();
        }

        var console = await context.Instance(instanceId).GetConsoleOutputAsync(context.AccountId);
        var xml = new Ec2XmlWriter(1024 + console.Output.Length * 2)
            .Element("instanceId", console.InstanceId)
            .Element("timestamp", console.Timestamp)
            .Element("output", Convert.ToBase64String(Encoding.UTF8.GetBytes(console.Output)));
        return Ec2Body.From(xml);
    }

    private static async Task<Ec2Body> DescribeInstanceAttributeAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var instanceId = p.Require("InstanceId");
        Ec2Ids.EnsureInstanceId(instanceId);
        var attribute = p.Require("Attribute");
        if (!AttributeNames.Contains(attribute))
        {
            throw QueryParameters.Invalid($"Value ({attribute}) for parameter attribute is invalid. Unknown attribute.");
        }

        if (attribute is "sourceDestCheck" or "enaSupport")
        {
            throw new Ec2Exception(Ec2ErrorCodes.UnsupportedOperation, $"The {attribute} attribute applies to VPC instances only; this is an EC2-Classic instance.");
        }

        var instance = (await CheckInstancesAsync(context, [instanceId], _ => true, "described"))[0];
        context.ThrowIfDryRun();

        var xml = new Ec2XmlWriter(512).Element("instanceId", instance.InstanceId);
        switch (attribute)
        {
            case "instanceType":
                Value(xml, attribute, instance.InstanceType);
                break;
            case "kernel":
                Value(xml, attribute, instance.KernelId);
                break;
            case "ramdisk":
                Value(xml, attribute, instance.RamdiskId);
                break;
            case "userData":
                Value(xml, attribute, await context.Instance(instanceId).DescribeUserDataAsync(context.AccountId));
                break;
            case "disableApiTermination":
                Value(xml, attribute, instance.DisableApiTermination ? "true" : "false");
                break;
            case "instanceInitiatedShutdownBehavior":
                Value(xml, attribute, instance.InstanceInitiatedShutdownBehavior.ToEc2Name());
                break;
            case "rootDeviceName":
                Value(xml, attribute, Ec2Shapes.RootDeviceName);
                break;
            case "ebsOptimized":
                Value(xml, attribute, instance.EbsOptimized ? "true" : "false");
                break;
            case "disableApiStop":
                Value(xml, attribute, "false");
                break;
            case "groupSet":
                Ec2Shapes.GroupSet(xml, ClassicSecurityGroups.Of(instance));
                break;
            case "enclaveOptions":
                xml.Start("enclaveOptions").Element("enabled", false).End("enclaveOptions");
                break;
            default:
                // blockDeviceMapping, productCodes, sriovNetSupport: an instance-store instance has none.
                xml.Empty(attribute);
                break;
        }

        return Ec2Body.From(xml);
    }

    /// <summary><c>&lt;attribute&gt;&lt;value&gt;…&lt;/value&gt;&lt;/attribute&gt;</c>, or an empty element when there is no value.</summary>
    private static void Value(Ec2XmlWriter xml, string attribute, string? value)
    {
        if (value is null)
        {
            xml.Empty(attribute);
            return;
        }

        xml.Start(attribute).Element("value", value).End(attribute);
    }

    private static async Task<Ec2Body> ModifyInstanceAttributeAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var instanceId = p.Require("InstanceId");
        Ec2Ids.EnsureInstanceId(instanceId);
        var change = AttributeChange(p);
        await CheckInstancesAsync(context, [instanceId], state => state is not (InstanceStateName.ShuttingDown or InstanceStateName.Terminated), "modified");
        context.ThrowIfDryRun();
        await context.Instance(instanceId).ModifyAttributeAsync(context.AccountId, change);
        return Ec2Body.ReturnTrue;
    }

    /// <summary>
    /// The one attribute a ModifyInstanceAttribute request changes: <c>Attribute</c> + <c>Value</c> (what the classic
    /// tools send) or one structured <c>X.Value</c> (what the SDKs and the CLI send).
    /// </summary>
    private static InstanceAttributeChange AttributeChange(QueryParameters p)
    {
        var given = new List<(string Attribute, string Value)>();
        if (EmptyAsNull(p.Get("Attribute")) is { } named)
        {
            given.Add((named, p.Get("Value") ?? throw QueryParameters.Missing("Value")));
        }

        foreach (var (parameter, attribute) in ModifyValueParameters)
        {
            if (p.Get(parameter) is { } value)
            {
                given.Add((attribute, value));
            }
        }

        if (!p.GetList("GroupId").IsEmpty)
        {
            given.Add(("groupSet", ""));
        }

        if (p.GetGroupIndexes("BlockDeviceMapping").Count > 0)
        {
            given.Add(("blockDeviceMapping", ""));
        }

        if (given.Count == 0)
        {
            throw QueryParameters.Missing("Attribute");
        }

        if (given.Count > 1)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterCombination,
                $"Fields for multiple attribute types specified: {string.Join(", ", given.Select(g => g.Attribute).Distinct())}");
        }

        var (name, text) = given[0];
        switch (name)
        {
            case "instanceType":
                return new InstanceAttributeChange(InstanceType: text.Length > 0 ? text : throw QueryParameters.Invalid("Invalid value '' for InstanceType."));
            case "kernel":
                Ec2Ids.EnsureKernelId(text);
                return new InstanceAttributeChange(KernelId: text);
            case "ramdisk":
                Ec2Ids.EnsureRamdiskId(text);
                return new InstanceAttributeChange(RamdiskId: text);
            case "userData":
                InstanceUserData.Decode(text);
                return new InstanceAttributeChange(UserData: text);
            case "disableApiTermination":
                return new InstanceAttributeChange(DisableApiTermination: ParseBool(name, text));
            case "instanceInitiatedShutdownBehavior":
                return new InstanceAttributeChange(InstanceInitiatedShutdownBehavior: ShutdownBehaviors.Parse(text));
            case "ebsOptimized":
                return new InstanceAttributeChange(EbsOptimized: ParseBool(name, text));
            case "sourceDestCheck" or "sriovNetSupport" or "enaSupport" or "disableApiStop" or "groupSet" or "blockDeviceMapping":
                throw new Ec2Exception(Ec2ErrorCodes.UnsupportedOperation, $"The {name} attribute cannot be modified on an EC2-Classic instance-store instance.");
            default:
                throw QueryParameters.Invalid($"Value ({name}) for parameter attribute is invalid. Unknown or read-only attribute.");
        }
    }

    private static bool ParseBool(string attribute, string value)
    {
        if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(value, "false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw QueryParameters.Invalid($"Invalid value '{value}' for {attribute}. Expected 'true' or 'false'.");
    }

    /// <summary>
    /// Every instance exists, is the caller's and is in a state the change allows — checked for all before any is
    /// changed, so a refused request changes nothing. A dry run refuses another account's instance as unauthorized.
    /// Returns the instances as they stand now.
    /// </summary>
    private static async Task<IReadOnlyList<InstanceDescription>> CheckInstancesAsync(Ec2ActionContext context, ImmutableArray<string> ids, Func<InstanceStateName, bool> allowed, string verb)
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
        var instances = new List<InstanceDescription>(lookups.Length);
        foreach (var (id, instance) in lookups)
        {
            var current = instance!.At(now);
            if (!allowed(current.State))
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.IncorrectInstanceState,
                    $"The instance '{id}' is not in a state from which it can be {verb} (it is {current.State.ToEc2Name()}).");
            }

            instances.Add(current);
        }

        return instances;
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

using Amazon.EC2.Model;

namespace OrleansEc2.Cli.Output;

/// <summary>
/// The classic EC2 API tools' records, in their column order (as ec2-api-tools 1.6 and euca2ools print them):
/// <c>RESERVATION</c>, <c>INSTANCE</c>, <c>TAG</c>, <c>IMAGE</c>, <c>BUNDLE</c>, <c>KEYPAIR</c>, <c>REGION</c>,
/// <c>AVAILABILITYZONE</c>.
/// </summary>
internal static class Ec2Records
{
    public static Record Region(Amazon.EC2.Model.Region region) => new Record("REGION")
        .Field("regionName", region.RegionName)
        .Field("endpoint", region.Endpoint);

    public static Record Zone(AvailabilityZone zone) => new Record("AVAILABILITYZONE")
        .Field("zoneName", zone.ZoneName)
        .Field("state", zone.State?.Value)
        .Field("regionName", zone.RegionName);

    public static Record Reservation(Reservation reservation) => Reservation(reservation.ReservationId, reservation.OwnerId, reservation.Groups, reservation.Instances);

    public static Record Reservation(string reservationId, string ownerId, List<GroupIdentifier>? groups, List<Instance>? instances) =>
        new Record("RESERVATION")
            .Field("reservationId", reservationId)
            .Field("ownerId", ownerId)
            .Field("groups", (groups ?? []).Select(g => g.GroupName ?? g.GroupId).ToList())
            .AddChildren("instances", (instances ?? []).OrderBy(i => i.AmiLaunchIndex ?? 0).Select(Instance));

    /// <summary>
    /// <c>INSTANCE id ami public-dns private-dns state key launch-index product-codes type launch-time zone kernel
    /// ramdisk platform monitoring public-ip private-ip vpc subnet root-device-type lifecycle spot-request license
    /// placement-group virtualization hypervisor client-token groups tenancy ebs-optimized iam-profile architecture</c>,
    /// then its <c>TAG</c> lines.
    /// </summary>
    public static Record Instance(Instance instance) => new Record("INSTANCE")
        .Field("instanceId", instance.InstanceId)
        .Field("imageId", instance.ImageId)
        .Field("dnsName", instance.PublicDnsName)
        .Field("privateDnsName", instance.PrivateDnsName)
        .Field("state", instance.State?.Name?.Value)
        .Field("keyName", instance.KeyName)
        .Field("amiLaunchIndex", instance.AmiLaunchIndex)
        .Field("productCodes", (instance.ProductCodes ?? []).Select(p => p.ProductCodeId).ToList())
        .Field("instanceType", instance.InstanceType?.Value)
        .Field("launchTime", instance.LaunchTime)
        .Field("availabilityZone", instance.Placement?.AvailabilityZone)
        .Field("kernelId", instance.KernelId)
        .Field("ramdiskId", instance.RamdiskId)
        .Field("platform", instance.Platform?.Value?.ToLowerInvariant())
        .Field("monitoring", instance.Monitoring?.State?.Value is { } monitoring ? "monitoring-" + monitoring : null)
        .Field("ipAddress", instance.PublicIpAddress)
        .Field("privateIpAddress", instance.PrivateIpAddress)
        .Field("vpcId", instance.VpcId)
        .Field("subnetId", instance.SubnetId)
        .Field("rootDeviceType", instance.RootDeviceType?.Value)
        .Field("instanceLifecycle", instance.InstanceLifecycle?.Value)
        .Field("spotInstanceRequestId", instance.SpotInstanceRequestId)
        .Field("license", null)
        .Field("placementGroup", instance.Placement?.GroupName)
        .Field("virtualizationType", instance.VirtualizationType?.Value)
        .Field("hypervisor", instance.Hypervisor?.Value)
        .Field("clientToken", instance.ClientToken)
        .Field("securityGroups", (instance.SecurityGroups ?? []).Select(g => g.GroupId ?? g.GroupName).ToList())
        .Field("tenancy", instance.Placement?.Tenancy?.Value)
        .Field("ebsOptimized", instance.EbsOptimized)
        .Field("iamInstanceProfile", instance.IamInstanceProfile?.Arn)
        .Field("architecture", instance.Architecture?.Value)
        .AddChildren("tags", (instance.Tags ?? []).Select(t => Tag("instance", instance.InstanceId, t.Key, t.Value)));

    /// <summary><c>INSTANCE id previous-state current-state</c>: what a start, stop or terminate changed.</summary>
    public static Record StateChange(string instanceId, string? previous, string? current) => new Record("INSTANCE")
        .Field("instanceId", instanceId)
        .Field("previousState", previous)
        .Field("currentState", current);

    public static Record Tag(string resourceType, string resourceId, string key, string? value) => new Record("TAG")
        .Field("resourceType", resourceType)
        .Field("resourceId", resourceId)
        .Field("key", key)
        .Field("value", value);

    /// <summary>The resource type the classic tools printed for an id (by its prefix).</summary>
    public static string ResourceType(string resourceId) => resourceId.Split('-')[0] switch
    {
        "i" => "instance",
        "ami" or "aki" or "ari" => "image",
        "r" => "reservation",
        "key" => "key-pair",
        "bun" => "bundle",
        "vol" => "volume",
        "snap" => "snapshot",
        "sg" => "security-group",
        _ => "resource",
    };

    /// <summary>
    /// <c>IMAGE id location owner state visibility product-codes architecture type kernel ramdisk platform
    /// root-device-type virtualization hypervisor</c>, then its <c>TAG</c> lines.
    /// </summary>
    public static Record Image(Image image) => new Record("IMAGE")
        .Field("imageId", image.ImageId)
        .Field("imageLocation", image.ImageLocation)
        .Field("owner", image.ImageOwnerAlias ?? image.OwnerId)
        .Field("state", image.State?.Value)
        .Field("visibility", image.Public == true ? "public" : "private")
        .Field("productCodes", (image.ProductCodes ?? []).Select(p => p.ProductCodeId).ToList())
        .Field("architecture", image.Architecture?.Value)
        .Field("imageType", image.ImageType?.Value)
        .Field("kernelId", image.KernelId)
        .Field("ramdiskId", image.RamdiskId)
        .Field("platform", image.Platform?.Value?.ToLowerInvariant())
        .Field("rootDeviceType", image.RootDeviceType?.Value)
        .Field("virtualizationType", image.VirtualizationType?.Value)
        .Field("hypervisor", image.Hypervisor?.Value)
        .AddChildren("tags", (image.Tags ?? []).Select(t => Tag("image", image.ImageId, t.Key, t.Value)));

    /// <summary><c>IMAGE id</c>: what registering, deregistering or copying an image prints.</summary>
    public static Record ImageId(string imageId) => new Record("IMAGE").Field("imageId", imageId);

    /// <summary>
    /// <c>BUNDLE id instance bucket prefix start update state [progress]</c>: the progress while the task works
    /// (not while pending, nor once complete), the error's code and message when it failed.
    /// </summary>
    public static Record BundleTask(BundleTask task)
    {
        var state = task.State?.Value;
        var record = new Record("BUNDLE")
            .Field("bundleId", task.BundleId)
            .Field("instanceId", task.InstanceId)
            .Field("bucket", task.Storage?.S3?.Bucket)
            .Field("prefix", task.Storage?.S3?.Prefix)
            .Field("startTime", task.StartTime)
            .Field("updateTime", task.UpdateTime)
            .Field("state", state);
        if (state == "failed")
        {
            record.Field("errorCode", task.BundleTaskError?.Code).Field("errorMessage", task.BundleTaskError?.Message);
        }
        else if (state is not ("pending" or "complete"))
        {
            record.Field("progress", task.Progress);
        }

        return record;
    }

    public static Record KeyPair(string keyName, string? fingerprint) => new Record("KEYPAIR")
        .Field("keyName", keyName)
        .Field("keyFingerprint", fingerprint);

    /// <summary><c>GROUP id owner name description</c>, then a <c>PERMISSION</c> line per rule and source.</summary>
    public static Record SecurityGroup(SecurityGroup group) => new Record("GROUP")
        .Field("groupId", group.GroupId)
        .Field("ownerId", group.OwnerId)
        .Field("groupName", group.GroupName)
        .Field("description", group.Description)
        .AddChildren("permissions", (group.IpPermissions ?? []).SelectMany(rule => Permissions(group, rule)));

    /// <summary>
    /// <c>PERMISSION owner group ALLOWS protocol from to FROM USER account NAME group ID sg-id ingress</c> for a group
    /// source, <c>… FROM CIDR range ingress</c> for an address range.
    /// </summary>
    private static IEnumerable<Record> Permissions(SecurityGroup group, IpPermission rule)
    {
        Record Allows() => new Record("PERMISSION")
            .Field("ownerId", group.OwnerId)
            .Field("groupName", group.GroupName)
            .Field("allows", "ALLOWS")
            .Field("ipProtocol", rule.IpProtocol)
            .Field("fromPort", rule.FromPort)
            .Field("toPort", rule.ToPort)
            .Field("from", "FROM");

        foreach (var pair in rule.UserIdGroupPairs ?? [])
        {
            yield return Allows()
                .Field("sourceType", "USER").Field("userId", pair.UserId)
                .Field("nameLabel", "NAME").Field("sourceGroupName", pair.GroupName)
                .Field("idLabel", "ID").Field("sourceGroupId", pair.GroupId)
                .Field("direction", "ingress");
        }

        foreach (var range in rule.Ipv4Ranges ?? [])
        {
            yield return Allows().Field("sourceType", "CIDR").Field("cidrIp", range.CidrIp).Field("direction", "ingress");
        }
    }
}

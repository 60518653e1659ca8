using System.Collections.Immutable;

namespace OrleansEc2.Api.Ec2;

/// <summary>The XML shapes several actions share (instances, states, tags), as the 2016-11-15 service model names them.</summary>
internal static class Ec2Shapes
{
    /// <summary>The root device of an instance-store instance, as EC2-Classic named it.</summary>
    public const string RootDeviceName = "/dev/sda1";

    public static void InstanceState(Ec2XmlWriter xml, string element, InstanceStateName state)
    {
        xml.Start(element).Element("code", state.ToCode()).Element("name", state.ToEc2Name()).End(element);
    }

    public static void TagSet(Ec2XmlWriter xml, ImmutableArray<Tag> tags)
    {
        if (tags.IsDefaultOrEmpty)
        {
            return;
        }

        xml.Start("tagSet");
        foreach (var tag in tags)
        {
            xml.Start("item").Element("key", tag.Key).Element("value", tag.Value).End("item");
        }

        xml.End("tagSet");
    }

    /// <summary><c>groupSet</c>: the security groups of a reservation or an instance.</summary>
    public static void GroupSet(Ec2XmlWriter xml, ImmutableArray<GroupIdentifier> groups)
    {
        xml.Start("groupSet");
        foreach (var group in groups.OrEmpty())
        {
            xml.Start("item").Element("groupId", group.GroupId).Element("groupName", group.GroupName).End("item");
        }

        xml.End("groupSet");
    }

    /// <summary>One <c>instancesSet/item</c> of DescribeInstances and RunInstances.</summary>
    public static void Instance(Ec2XmlWriter xml, InstanceDescription instance, string? architecture)
    {
        xml.Start("item")
            .Element("instanceId", instance.InstanceId)
            .Element("imageId", instance.ImageId);
        InstanceState(xml, "instanceState", instance.State);
        xml.Element("privateDnsName", instance.PrivateDnsName)
            .Empty("dnsName")
            .Element("reason", instance.StateTransitionReason ?? "")
            .Element("keyName", instance.KeyName)
            .Element("amiLaunchIndex", instance.AmiLaunchIndex)
            .Empty("productCodes")
            .Element("instanceType", instance.InstanceType)
            .Element("launchTime", instance.LaunchTime)
            .Start("placement")
            .Element("availabilityZone", instance.AvailabilityZone)
            .Empty("groupName")
            .Element("tenancy", "default")
            .End("placement")
            .Element("kernelId", instance.KernelId)
            .Element("ramdiskId", instance.RamdiskId);
        if (instance.Platform == Platform.Windows)
        {
            xml.Element("platform", "windows");
        }

        xml.Start("monitoring").Element("state", InstanceMonitoring.State(instance)).End("monitoring")
            .Element("privateIpAddress", instance.PrivateIpAddress);
        GroupSet(xml, ClassicSecurityGroups.Of(instance));
        if (StateReason(instance) is { } reason)
        {
            xml.Start("stateReason").Element("code", reason.Code).Element("message", reason.Message).End("stateReason");
        }

        xml.Element("architecture", architecture)
            .Element("rootDeviceType", ImageDescription.RootDeviceType)
            .Element("rootDeviceName", RootDeviceName)
            .Empty("blockDeviceMapping")
            .Element("virtualizationType", instance.Platform == Platform.Windows ? "hvm" : "paravirtual")
            .Element("clientToken", instance.ClientToken ?? "");
        TagSet(xml, instance.Tags);
        xml.Element("hypervisor", "xen")
            .Element("ebsOptimized", instance.EbsOptimized)
            .Element("platformDetails", PlatformDetails(instance.Platform))
            .Element("usageOperation", UsageOperation(instance.Platform))
            .End("item");
    }

    public static string PlatformDetails(Platform platform) => platform == Platform.Windows ? "Windows" : "Linux/UNIX";

    public static string UsageOperation(Platform platform) => platform == Platform.Windows ? "RunInstances:0002" : "RunInstances";

    private static (string Code, string Message)? StateReason(InstanceDescription instance) => instance.State switch
    {
        InstanceStateName.Stopping or InstanceStateName.Stopped or InstanceStateName.ShuttingDown or InstanceStateName.Terminated
            when instance.StateTransitionReason?.StartsWith(ShutdownBehaviors.InstanceInitiatedReason, StringComparison.Ordinal) == true
            => ("Client.InstanceInitiatedShutdown", "Client.InstanceInitiatedShutdown: Instance initiated shutdown"),
        InstanceStateName.Stopping or InstanceStateName.Stopped => ("Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown"),
        InstanceStateName.ShuttingDown or InstanceStateName.Terminated => ("Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown"),
        _ => null,
    };
}

using System.Collections.Immutable;

namespace OrleansEc2.Api.Ec2;

/// <summary>The XML shapes several actions share (instances, states, tags), as the 2016-11-15 service model names them.</summary>
internal static class Ec2Shapes
{
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
            .End("placement");
        if (instance.Platform == Platform.Windows)
        {
            xml.Element("platform", "windows");
        }

        xml.Start("monitoring").Element("state", "disabled").End("monitoring")
            .Element("privateIpAddress", instance.PrivateIpAddress)
            .Empty("groupSet");
        if (StateReason(instance) is { } reason)
        {
            xml.Start("stateReason").Element("code", reason.Code).Element("message", reason.Message).End("stateReason");
        }

        xml.Element("architecture", architecture)
            .Element("rootDeviceType", ImageDescription.RootDeviceType)
            .Empty("blockDeviceMapping")
            .Element("virtualizationType", instance.Platform == Platform.Windows ? "hvm" : "paravirtual")
            .Element("clientToken", instance.ClientToken ?? "");
        TagSet(xml, instance.Tags);
        xml.Element("hypervisor", "xen")
            .Element("ebsOptimized", false)
            .Element("platformDetails", PlatformDetails(instance.Platform))
            .Element("usageOperation", UsageOperation(instance.Platform))
            .End("item");
    }

    public static string PlatformDetails(Platform platform) => platform == Platform.Windows ? "Windows" : "Linux/UNIX";

    public static string UsageOperation(Platform platform) => platform == Platform.Windows ? "RunInstances:0002" : "RunInstances";

    private static (string Code, string Message)? StateReason(InstanceDescription instance) => instance.State switch
    {
        InstanceStateName.Stopping or InstanceStateName.Stopped => ("Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown"),
        InstanceStateName.ShuttingDown or InstanceStateName.Terminated => ("Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown"),
        _ => null,
    };
}

using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansEc2;

/// <summary>What an instance does when its own operating system shuts it down (<c>InstanceInitiatedShutdownBehavior</c>).</summary>
[GenerateSerializer, Alias("OrleansEc2.ShutdownBehavior")]
public enum ShutdownBehavior
{
    Stop = 0,
    Terminate = 1,
}

public static class ShutdownBehaviors
{
    /// <summary>How the state transition reason of an instance its own guest shut down begins.</summary>
    public const string InstanceInitiatedReason = "Instance initiated shutdown";

    /// <summary>The behavior as EC2 spells it (<c>stop</c>, <c>terminate</c>).</summary>
    public static string ToEc2Name(this ShutdownBehavior behavior) => behavior switch
    {
        ShutdownBehavior.Stop => "stop",
        ShutdownBehavior.Terminate => "terminate",
        _ => throw new ArgumentOutOfRangeException(nameof(behavior), behavior, null),
    };

    /// <summary><c>stop</c> or <c>terminate</c>; <c>InvalidParameterValue</c> for anything else.</summary>
    public static ShutdownBehavior Parse(string value) => value switch
    {
        "stop" => ShutdownBehavior.Stop,
        "terminate" => ShutdownBehavior.Terminate,
        _ => throw new Ec2Exception(
            Ec2ErrorCodes.InvalidParameterValue,
            $"Value ({value}) for parameter instanceInitiatedShutdownBehavior is invalid. Expected 'stop' or 'terminate'."),
    };
}

/// <summary>A security group as a reservation or an instance names it (<c>groupSet/item</c>).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.GroupIdentifier")]
public sealed record GroupIdentifier([property: Id(0)] string GroupId, [property: Id(1)] string GroupName);

/// <summary>
/// EC2-Classic's security groups as the simulator has them: each account has, in each region, the group
/// <c>default</c> (its id is derived from the account and the region, so it is the same on every silo and after a
/// restart), which lets members reach each other on every port. Groups cannot be created, so any other name or id
/// does not exist.
/// </summary>
public static partial class ClassicSecurityGroups
{
    public const string DefaultName = "default";

    public const string DefaultDescription = "default group";

    /// <summary>The account's <c>default</c> group in <paramref name="region"/>: <c>sg-</c> + 17 hex.</summary>
    public static GroupIdentifier Default(string accountId, string region)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"EC2-Classic default security group\n{accountId}\n{region}"));
        return new GroupIdentifier("sg-" + Convert.ToHexStringLower(digest)[..17], DefaultName);
    }

    /// <summary><c>sg-</c> followed by 8 or 17 lowercase hex digits.</summary>
    public static bool IsGroupId(string value) => GroupIdPattern().IsMatch(value);

    /// <summary>
    /// The groups named by <paramref name="names"/> (<c>SecurityGroup.N</c>) and <paramref name="ids"/>
    /// (<c>SecurityGroupId.N</c>), each once, in the order first named; the default group when both are empty.
    /// <c>InvalidGroupId.Malformed</c> for an id that is not <c>sg-…</c>, <c>InvalidGroup.NotFound</c> for a group the
    /// caller does not have.
    /// </summary>
    public static ImmutableArray<GroupIdentifier> Resolve(Caller caller, IEnumerable<string> names, IEnumerable<string> ids)
    {
        var defaultGroup = Default(caller.AccountId, caller.Region);
        var groups = ImmutableArray.CreateBuilder<GroupIdentifier>();
        foreach (var id in ids)
        {
            EnsureGroupId(id);
            if (id != defaultGroup.GroupId)
            {
                throw NotFound(id);
            }

            if (!groups.Contains(defaultGroup))
            {
                groups.Add(defaultGroup);
            }
        }

        foreach (var name in names)
        {
            if (name != DefaultName)
            {
                throw NotFound(name);
            }

            if (!groups.Contains(defaultGroup))
            {
                groups.Add(defaultGroup);
            }
        }

        return groups.Count == 0 ? [defaultGroup] : groups.ToImmutable();
    }

    /// <summary>The groups of an instance; the default group for one recorded before instances carried their groups.</summary>
    public static ImmutableArray<GroupIdentifier> Of(InstanceDescription instance)
        => instance.SecurityGroups.IsDefaultOrEmpty ? [Default(instance.AccountId, instance.Region)] : instance.SecurityGroups;

    /// <summary>Throws <c>InvalidGroupId.Malformed</c> unless <paramref name="value"/> is a well-formed group id.</summary>
    public static void EnsureGroupId(string value)
    {
        if (!IsGroupId(value))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidGroupIdMalformed, $"Invalid id: \"{value}\" (expecting \"sg-...\")");
        }
    }

    public static Ec2Exception NotFound(string nameOrId)
        => new(Ec2ErrorCodes.InvalidGroupNotFound, $"The security group '{nameOrId}' does not exist");

    [GeneratedRegex("^sg-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex GroupIdPattern();
}

/// <summary>Detailed monitoring (<c>Monitoring.Enabled</c>) as DescribeInstances shows it.</summary>
public static class InstanceMonitoring
{
    /// <summary><c>monitoring/state</c>: <c>disabled</c>, or <c>enabled</c> (<c>pending</c> while the instance boots).</summary>
    public static string State(InstanceDescription instance) => instance.MonitoringEnabled
        ? (instance.State == InstanceStateName.Pending ? "pending" : "enabled")
        : "disabled";
}

/// <summary>An instance's user data: base64 on the wire (as the SDKs and the CLI send it), at most 16 KiB decoded.</summary>
public static class InstanceUserData
{
    public const int MaxBytes = 16 * 1024;

    /// <summary>The bytes of base64 user data; <c>InvalidParameterValue</c> when it is not base64 or decodes to more than 16 KiB.</summary>
    public static byte[] Decode(string base64)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, "Invalid BASE64 encoding of user data.");
        }

        if (bytes.Length > MaxBytes)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"User data is limited to {MaxBytes} bytes (this is {bytes.Length}).");
        }

        return bytes;
    }

    /// <summary>The canonical base64 text of valid user data (whitespace and line breaks dropped); null for none.</summary>
    public static string? Normalize(string? base64)
        => string.IsNullOrEmpty(base64) ? null : NullIfEmpty(Convert.ToBase64String(Decode(base64)));

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}

/// <summary>
/// ModifyInstanceAttribute's change: exactly one member is set. The instance type, kernel, RAM disk, user data and
/// EBS optimization change only while the instance is stopped; termination protection and the shutdown behavior any
/// time before it is terminated.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.InstanceAttributeChange")]
public sealed record InstanceAttributeChange(
    [property: Id(0)] string? InstanceType = null,
    [property: Id(1)] bool? DisableApiTermination = null,
    [property: Id(2)] ShutdownBehavior? InstanceInitiatedShutdownBehavior = null,
    [property: Id(3)] string? UserData = null,
    [property: Id(4)] string? KernelId = null,
    [property: Id(5)] string? RamdiskId = null,
    [property: Id(6)] bool? EbsOptimized = null)
{
    /// <summary>The EC2 names of the attributes this change sets (exactly one for a valid change).</summary>
    public IReadOnlyList<string> AttributeNames()
    {
        var names = new List<string>();
        if (InstanceType is not null)
        {
            names.Add("instanceType");
        }

        if (DisableApiTermination is not null)
        {
            names.Add("disableApiTermination");
        }

        if (InstanceInitiatedShutdownBehavior is not null)
        {
            names.Add("instanceInitiatedShutdownBehavior");
        }

        if (UserData is not null)
        {
            names.Add("userData");
        }

        if (KernelId is not null)
        {
            names.Add("kernel");
        }

        if (RamdiskId is not null)
        {
            names.Add("ramdisk");
        }

        if (EbsOptimized is not null)
        {
            names.Add("ebsOptimized");
        }

        return names;
    }
}

using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace OrleansEc2;

/// <summary>EC2 id formats: making new ids and telling well-formed ones from malformed ones.</summary>
public static partial class Ec2Ids
{
    public static string NewInstanceId() => "i-" + RandomHex(17);

    public static string NewReservationId() => "r-" + RandomHex(17);

    public static string NewImageId() => "ami-" + RandomHex(17);

    public static string NewBundleId() => "bun-" + RandomHex(8);

    public static string NewMigrationId() => "mig-" + RandomHex(8);

    public static string NewKeyPairId() => "key-" + RandomHex(17);

    public static string NewRequestId() => Guid.NewGuid().ToString();

    /// <summary><c>i-</c> followed by 8 or 17 lowercase hex digits.</summary>
    public static bool IsInstanceId(string value) => InstanceIdPattern().IsMatch(value);

    /// <summary><c>ami-</c> followed by 8 or 17 lowercase hex digits.</summary>
    public static bool IsImageId(string value) => ImageIdPattern().IsMatch(value);

    /// <summary><c>bun-</c> followed by 8 lowercase hex digits.</summary>
    public static bool IsBundleId(string value) => BundleIdPattern().IsMatch(value);

    /// <summary><c>mig-</c> followed by 8 lowercase hex digits.</summary>
    public static bool IsMigrationId(string value) => MigrationIdPattern().IsMatch(value);

    /// <summary>Throws <c>InvalidInstanceID.Malformed</c> unless <paramref name="value"/> is a well-formed instance id.</summary>
    public static void EnsureInstanceId(string value)
    {
        if (!IsInstanceId(value))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidInstanceIdMalformed, $"Invalid id: \"{value}\"");
        }
    }

    /// <summary>Throws <c>InvalidAMIID.Malformed</c> unless <paramref name="value"/> is a well-formed image id.</summary>
    public static void EnsureImageId(string value)
    {
        if (!IsImageId(value))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidAmiIdMalformed, $"Invalid id: \"{value}\" (expecting \"ami-...\")");
        }
    }

    /// <summary>Throws <c>InvalidBundleID.Malformed</c> unless <paramref name="value"/> is a well-formed bundle id.</summary>
    public static void EnsureBundleId(string value)
    {
        if (!IsBundleId(value))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidBundleIdMalformed, $"Invalid id: \"{value}\" (expecting \"bun-...\")");
        }
    }

    /// <summary><c>aki-</c> followed by 8 or 17 lowercase hex digits.</summary>
    public static bool IsKernelId(string value) => KernelIdPattern().IsMatch(value);

    /// <summary><c>ari-</c> followed by 8 or 17 lowercase hex digits.</summary>
    public static bool IsRamdiskId(string value) => RamdiskIdPattern().IsMatch(value);

    /// <summary>Throws <c>InvalidParameterValue</c> unless <paramref name="value"/> is a well-formed kernel (AKI) id.</summary>
    public static void EnsureKernelId(string value)
    {
        if (!IsKernelId(value))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Invalid id: \"{value}\" (expecting \"aki-...\")");
        }
    }

    /// <summary>Throws <c>InvalidParameterValue</c> unless <paramref name="value"/> is a well-formed RAM disk (ARI) id.</summary>
    public static void EnsureRamdiskId(string value)
    {
        if (!IsRamdiskId(value))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Invalid id: \"{value}\" (expecting \"ari-...\")");
        }
    }

    public static string RandomHex(int digits)
    {
        Span<byte> bytes = stackalloc byte[(digits + 1) / 2];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes)[..digits];
    }

    [GeneratedRegex("^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstanceIdPattern();

    [GeneratedRegex("^ami-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex ImageIdPattern();

    [GeneratedRegex("^bun-[0-9a-f]{8}$")]
    private static partial Regex BundleIdPattern();

    [GeneratedRegex("^mig-[0-9a-f]{8}$")]
    private static partial Regex MigrationIdPattern();

    [GeneratedRegex("^aki-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex KernelIdPattern();

    [GeneratedRegex("^ari-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex RamdiskIdPattern();
}

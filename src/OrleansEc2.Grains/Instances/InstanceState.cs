namespace OrleansEc2.Grains.Instances;

[GenerateSerializer, Alias("OrleansEc2.Grains.InstanceState")]
public sealed class InstanceState
{
    /// <summary>Null until launched.</summary>
    [Id(0)]
    public InstanceDescription? Description { get; set; }

    /// <summary>The disk as it is now (a blob this instance holds a reference to); null once terminated.</summary>
    [Id(1)]
    public LaunchDisk? Disk { get; set; }

    /// <summary>The administrator password sealed to the key pair at first boot; null when there is none to give (Linux, no key pair, or a password that came with the image).</summary>
    [Id(2)]
    public string? EncryptedPassword { get; set; }

    [Id(3)]
    public DateTimeOffset? PasswordAvailableAt { get; set; }

    /// <summary>The bundle task bundling this instance, if any (one at a time).</summary>
    [Id(4)]
    public string? BundleId { get; set; }

    /// <summary>The user data it was launched with (canonical base64), or null; kept here rather than in the description, which every listing carries.</summary>
    [Id(5)]
    public string? UserData { get; set; }
}

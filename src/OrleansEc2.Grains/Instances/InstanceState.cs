using System.Collections.Immutable;

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

    /// <summary>
    /// The boots the console log is written from, oldest first (the most recent <see cref="InstanceConsole.MaxBoots"/>).
    /// Null in state stored before the console existed: the launch is then the one boot there was.
    /// </summary>
    [Id(6)]
    public ImmutableList<ConsoleBoot>? ConsoleBoots { get; set; }
}

/// <summary>How a boot of the instance ended, which decides what its console says on the way down.</summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.ConsoleShutdown")]
public enum ConsoleShutdown
{
    /// <summary>Still up (or powered off without a word: a forced stop).</summary>
    None = 0,
    Stop = 1,
    Reboot = 2,
    Terminate = 3,

    /// <summary><c>shutdown</c> from inside the guest.</summary>
    Guest = 4,

    /// <summary>A forced stop: the power is cut, the guest writes nothing.</summary>
    PowerOff = 5,
}

/// <summary>
/// One boot of the instance on the simulation clock: it started at <see cref="StartedAt"/> and was up at
/// <see cref="ReadyAt"/> (when the boot transition completes); <see cref="ShutdownAt"/> is when it was told to go down.
/// <see cref="Generalized"/> marks the first boot of a sysprepped disk; <see cref="SetsPassword"/> the boot that made a
/// new administrator password.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Grains.ConsoleBoot")]
public sealed record ConsoleBoot(
    [property: Id(0)] DateTimeOffset StartedAt,
    [property: Id(1)] DateTimeOffset ReadyAt,
    [property: Id(2)] bool Generalized,
    [property: Id(3)] bool SetsPassword,
    [property: Id(4)] DateTimeOffset? ShutdownAt = null,
    [property: Id(5)] ConsoleShutdown Shutdown = ConsoleShutdown.None);

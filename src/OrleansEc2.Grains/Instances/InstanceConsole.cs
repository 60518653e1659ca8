using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansEc2.Grains.Instances;

/// <summary>
/// An instance's console log, written from its boots as the simulation clock stands: EC2Config's timestamped lines on a
/// Windows instance (as the 2008 service printed them), the Xen kernel's boot messages on a Linux one. Nothing is
/// stored but the boots, so the text never disagrees with the instance's history, and a boot only shows once it has
/// completed (EC2 publishes a console only after the instance is up).
/// </summary>
public static class InstanceConsole
{
    /// <summary>EC2 keeps the most recent 64 KiB of an instance's console.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Boots kept: the shortest boot writes well over 64 KiB / 200 bytes, so older ones could never show.</summary>
    public const int MaxBoots = 200;

    // What the simulated images are: the public Windows AMI (Windows Server 2003 R2 SP2, its EC2Config version) and the
    // public Linux AMI (Fedora 8 on Xen's paravirtualized kernel). A bundled image keeps its origin's.
    private const string AmiOriginVersion = "1.07";
    private const string WindowsVersion = "Microsoft Windows NT 5.2.3790 Service Pack 2";
    private const string LinuxKernel = "2.6.21.7-2.fc8xen";

    /// <summary>The boots of an instance stored before the console existed: its launch, the one boot it surely had.</summary>
    public static ImmutableList<ConsoleBoot> BootsOf(InstanceState state, TimeSpan boot)
    {
        if (state.ConsoleBoots is { } boots)
        {
            return boots;
        }

        var description = state.Description!;
        return [new ConsoleBoot(description.LaunchTime, description.LaunchTime + boot, description.Platform == Platform.Windows, state.EncryptedPassword is not null)];
    }

    /// <summary>
    /// The console as of <paramref name="now"/>: the output of every completed boot, the password lines once the
    /// password is available, the shutdown lines of every boot that was told to go down; the last
    /// <see cref="MaxBytes"/> of it, from a line's start.
    /// </summary>
    public static ConsoleOutput Render(InstanceState state, ImmutableList<ConsoleBoot> boots, DateTimeOffset now)
    {
        var description = state.Description!;
        var text = new StringBuilder();
        DateTimeOffset? written = null;
        foreach (var boot in boots)
        {
            if (boot.ReadyAt > now || boot.ShutdownAt < boot.ReadyAt)
            {
                // Not up yet, or went down before it was: EC2 had nothing to show for it.
                continue;
            }

            written = Later(written, boot.ReadyAt);
            if (description.Platform == Platform.Windows)
            {
                WindowsBoot(text, description, boot);
                if (boot.SetsPassword && state.EncryptedPassword is { } password && state.PasswordAvailableAt is { } at
                    && at <= now && !(boot.ShutdownAt < at))
                {
                    Line(text, at, "Username: Administrator");
                    Line(text, at, "Password: <Password>");
                    text.Append(password).Append('\n').Append("</Password>\n");
                    written = Later(written, at);
                }
            }
            else
            {
                LinuxBoot(text, description);
            }

            if (boot.ShutdownAt is { } down && down <= now && boot.Shutdown != ConsoleShutdown.PowerOff)
            {
                if (description.Platform == Platform.Windows)
                {
                    WindowsShutdown(text, down, boot.Shutdown);
                }
                else
                {
                    LinuxShutdown(text, boot.Shutdown);
                }

                written = Later(written, down);
            }
        }

        return new ConsoleOutput(description.InstanceId, written ?? now, LastBytes(text.ToString()));
    }

    /// <summary>The text's last <see cref="MaxBytes"/> bytes (UTF-8), starting at a line.</summary>
    public static string LastBytes(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= MaxBytes)
        {
            return text;
        }

        var start = bytes.Length - MaxBytes;
        var newline = Array.IndexOf(bytes, (byte)'\n', start);
        return newline < 0 ? "" : Encoding.UTF8.GetString(bytes, newline + 1, bytes.Length - newline - 1);
    }

    private static void WindowsBoot(StringBuilder text, InstanceDescription description, ConsoleBoot boot)
    {
        DateTimeOffset At(double fraction) => boot.StartedAt + (boot.ReadyAt - boot.StartedAt) * fraction;

        if (boot.Generalized)
        {
            Line(text, At(0.5), "Windows sysprep configuration complete.");
        }

        Line(text, At(0.7), "Message: Waiting for meta-data accessibility...");
        Line(text, At(0.75), "Message: Meta-data is now available.");
        Line(text, At(0.8), "AMI Origin Version: " + AmiOriginVersion);
        Line(text, At(0.8), "OS: " + WindowsVersion);
        Line(text, At(0.8), "Language: en-US");
        Line(text, At(0.85), "Computer Name: " + description.ComputerName);
        Line(text, boot.ReadyAt, "Message: Windows is Ready to use");
    }

    private static void WindowsShutdown(StringBuilder text, DateTimeOffset at, ConsoleShutdown shutdown)
    {
        Line(text, at, shutdown == ConsoleShutdown.Reboot ? "Message: Windows is restarting." : "Message: Windows is shutting down.");
        Line(text, at, "Message: EC2Config service is stopping.");
    }

    private static void Line(StringBuilder text, DateTimeOffset at, string message)
        => text.Append(at.UtcDateTime.ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture)).Append("Z: ").Append(message).Append('\n');

    private static void LinuxBoot(StringBuilder text, InstanceDescription description)
    {
        var seed = SHA256.HashData(Encoding.ASCII.GetBytes(description.InstanceId));
        var totalKb = MemoryKb(description.InstanceType);
        var lowMb = Math.Min(727, totalKb / 1024);

        // The kernel prints BogoMIPS from loops-per-jiffy at HZ=250: lpj / 2000, with two decimals.
        var lpj = 8_000_000 + (long)(BinaryPrimitives.ReadUInt32BigEndian(seed) % 4_000_000);
        var hostname = string.Create(CultureInfo.InvariantCulture, $"domU-12-31-39-{seed[4]:X2}-{seed[5]:X2}-{seed[6]:X2}");
        text.Append(CultureInfo.InvariantCulture, $"""
            Linux version {LinuxKernel} (mockbuild@xenbuilder1.fedora.redhat.com) (gcc version 4.1.2 20070925 (Red Hat 4.1.2-33)) #1 SMP Fri Feb 15 12:39:36 EST 2008
            BIOS-provided physical RAM map:
             Xen: 0000000000000000 - {totalKb * 1024L:x16} (usable)
            {totalKb / 1024 - lowMb}MB HIGHMEM available.
            {lowMb}MB LOWMEM available.
            NX (Execute Disable) protection: active
            Booting paravirtualized kernel on Xen
            Xen version: 3.1.0 (preserve-AD)
            Kernel command line:  root=/dev/sda1 ro 4
            Calibrating delay using timer specific routine.. {lpj / 2000}.{lpj / 20 % 100:D2} BogoMIPS (lpj={lpj})
            Memory: {totalKb - 35_840}k/{totalKb}k available (2153k kernel code, 25948k reserved, 1093k data, 176k init, {Math.Max(0, totalKb - lowMb * 1024)}k highmem)
            NET: Registered protocol family 2
            Initializing XFRM netlink socket
            XENBUS: Device with no driver: device/console/0
            kjournald starting.  Commit interval 5 seconds
            EXT3-fs: mounted filesystem with ordered data mode.
            Freeing unused kernel memory: 176k freed
            Welcome to Fedora
            Bringing up interface eth0:  [  OK  ]
            Starting sshd: [  OK  ]

            Fedora release 8 (Werewolf)
            Kernel {LinuxKernel} on an i686
            """).Append("\n\n").Append(hostname).Append(" login:\n");
    }

    private static void LinuxShutdown(StringBuilder text, ConsoleShutdown shutdown)
    {
        var reboot = shutdown == ConsoleShutdown.Reboot;
        text.Append(reboot ? "The system is going down for reboot NOW!\n" : "The system is going down for system halt NOW!\n")
            .Append("Stopping sshd: [  OK  ]\n")
            .Append("Unmounting file systems:  [  OK  ]\n")
            .Append(reboot ? "Restarting system.\n" : "System halted.\n");
    }

    /// <summary>The instance type's memory in KiB (EC2's 2008 types; an unknown type gets the small one's).</summary>
    private static int MemoryKb(string instanceType) => instanceType switch
    {
        "m1.large" => 7 * 1024 * 1024 + 512 * 1024,
        "c1.xlarge" => 7 * 1024 * 1024,
        "m1.xlarge" => 15 * 1024 * 1024,
        _ => 1_740_800,
    };

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
}

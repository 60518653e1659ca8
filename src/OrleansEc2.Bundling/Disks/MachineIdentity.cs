using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace OrleansEc2.Bundling.Disks;

/// <summary>
/// What makes a Windows installation one machine: its computer name, the MAC address of its network adapter and
/// its machine SID. Sysprep strips it; first boot of a launched image sets a fresh one.
/// </summary>
/// <remarks>
/// Values are normalized: the computer name upper-case (as NetBIOS shows it), the MAC lower-case with colons.
/// The constructor throws <see cref="ArgumentException"/> for a value that is not of the form Windows uses.
/// </remarks>
public sealed partial record MachineIdentity
{
    /// <summary>The organizationally unique identifier of the Xen virtual adapters EC2 used in 2008.</summary>
    public const string Ec2MacPrefix = "12:31:39";

    public MachineIdentity(string computerName, string macAddress, string sid)
    {
        ComputerName = NormalizeComputerName(computerName);
        MacAddress = NormalizeMacAddress(macAddress);
        Sid = NormalizeSid(sid);
    }

    /// <summary>NetBIOS computer name: 1-15 letters, digits and hyphens, not all digits (<c>WIN-Q1W2E3R4T5Y</c>).</summary>
    public string ComputerName { get; }

    /// <summary>MAC address, lower-case hex with colons (<c>12:31:39:0a:5c:e1</c>).</summary>
    public string MacAddress { get; }

    /// <summary>Machine SID: <c>S-1-5-21-</c> and three 32-bit numbers.</summary>
    public string Sid { get; }

    /// <summary>
    /// A fresh identity as a 2008-era EC2 Windows instance got on first boot after sysprep: a random
    /// <c>WIN-</c> + 11 character computer name (what Windows Server 2008 mini-setup generates), a MAC on EC2's Xen
    /// prefix <c>12:31:39</c>, and a random machine SID.
    /// </summary>
    public static MachineIdentity CreateRandom() => CreateRandom(RandomNumberGenerator.GetInt32, RandomNumberGenerator.Fill);

    /// <summary>A fresh identity drawn from <paramref name="random"/> (for reproducible tests).</summary>
    public static MachineIdentity CreateRandom(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return CreateRandom(random.Next, random.NextBytes);
    }

    private static MachineIdentity CreateRandom(Func<int, int> next, SpanFill fill)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        Span<char> name = stackalloc char[15];
        "WIN-".CopyTo(name);
        for (var i = 4; i < name.Length; i++)
        {
            name[i] = alphabet[next(alphabet.Length)];
        }

        Span<byte> bytes = stackalloc byte[15];
        fill(bytes);
        var mac = $"{Ec2MacPrefix}:{bytes[0]:x2}:{bytes[1]:x2}:{bytes[2]:x2}";
        var sid = string.Create(CultureInfo.InvariantCulture,
            $"S-1-5-21-{BitConverter.ToUInt32(bytes[3..])}-{BitConverter.ToUInt32(bytes[7..])}-{BitConverter.ToUInt32(bytes[11..])}");
        return new MachineIdentity(new string(name), mac, sid);
    }

    private delegate void SpanFill(Span<byte> bytes);

    /// <summary>The SID's three machine-specific sub-authorities.</summary>
    internal (uint A, uint B, uint C) SidSubAuthorities
    {
        get
        {
            var parts = Sid.Split('-');
            return (uint.Parse(parts[4], CultureInfo.InvariantCulture),
                uint.Parse(parts[5], CultureInfo.InvariantCulture),
                uint.Parse(parts[6], CultureInfo.InvariantCulture));
        }
    }

    internal byte[] MacBytes => MacAddress.Split(':').Select(p => byte.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();

    private static string NormalizeComputerName(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!ComputerNamePattern().IsMatch(value) || value.All(char.IsAsciiDigit))
        {
            throw new ArgumentException(
                $"'{value}' is not a Windows computer name (1-15 letters, digits or hyphens, not all digits).", nameof(value));
        }

        return value.ToUpperInvariant();
    }

    private static string NormalizeMacAddress(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!MacPattern().IsMatch(value))
        {
            throw new ArgumentException($"'{value}' is not a MAC address (six hex pairs separated by colons).", nameof(value));
        }

        return value.ToLowerInvariant();
    }

    private static string NormalizeSid(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var match = SidPattern().Match(value);
        if (!match.Success || match.Groups.Cast<Group>().Skip(1).Any(g => !uint.TryParse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw new ArgumentException($"'{value}' is not a machine SID (S-1-5-21- and three 32-bit numbers).", nameof(value));
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"S-1-5-21-{uint.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)}-{uint.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)}-{uint.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture)}");
    }

    [GeneratedRegex("^[A-Za-z0-9-]{1,15}$")]
    private static partial Regex ComputerNamePattern();

    [GeneratedRegex("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacPattern();

    [GeneratedRegex("^S-1-5-21-([0-9]{1,10})-([0-9]{1,10})-([0-9]{1,10})$")]
    private static partial Regex SidPattern();
}

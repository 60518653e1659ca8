using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace OrleansEc2.Bundling.Disks;

/// <summary>
/// The machine-identity block (block 1, "the registry"): computer name, MAC address, machine SID. A generalized
/// disk's block holds only its magic, version and checksum, so every generalized disk has the same identity block.
/// </summary>
internal static class RegistryArea
{
    private const byte Generalized = 0;
    private const byte Specialized = 1;
    private const int ChecksumOffset = 124;

    public static ReadOnlySpan<byte> Magic => "regf"u8;

    public static void Write(Span<byte> block, MachineIdentity? identity)
    {
        block.Clear();
        Magic.CopyTo(block);
        BinaryPrimitives.WriteUInt16LittleEndian(block[4..], DiskLayout.Version);
        if (identity is not null)
        {
            block[6] = Specialized;
            block[7] = (byte)identity.ComputerName.Length;
            Encoding.ASCII.GetBytes(identity.ComputerName, block[8..]);
            identity.MacBytes.CopyTo(block[72..]);

            // A binary SID as Windows stores it: revision 1, four sub-authorities, authority 5 (NT), then 21-a-b-c.
            block[80] = 1;
            block[81] = 4;
            block[87] = 5;
            var (a, b, c) = identity.SidSubAuthorities;
            BinaryPrimitives.WriteUInt32LittleEndian(block[88..], 21);
            BinaryPrimitives.WriteUInt32LittleEndian(block[92..], a);
            BinaryPrimitives.WriteUInt32LittleEndian(block[96..], b);
            BinaryPrimitives.WriteUInt32LittleEndian(block[100..], c);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(block[ChecksumOffset..], Crc32C.Compute(block[..ChecksumOffset]));
    }

    public static MachineIdentity? Read(ReadOnlySpan<byte> block)
    {
        if (!block[..4].SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt16LittleEndian(block[4..]) != DiskLayout.Version
            || BinaryPrimitives.ReadUInt32LittleEndian(block[ChecksumOffset..]) != Crc32C.Compute(block[..ChecksumOffset]))
        {
            throw new DiskException(DiskError.Corrupt, "The disk's machine-identity area (registry) is corrupt.");
        }

        if (block[6] == Generalized)
        {
            return null;
        }

        try
        {
            var name = Encoding.ASCII.GetString(block.Slice(8, block[7]));
            var mac = string.Join(':', block.Slice(72, 6).ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
            var sid = string.Create(CultureInfo.InvariantCulture,
                $"S-1-5-21-{BinaryPrimitives.ReadUInt32LittleEndian(block[92..])}-{BinaryPrimitives.ReadUInt32LittleEndian(block[96..])}-{BinaryPrimitives.ReadUInt32LittleEndian(block[100..])}");
            return new MachineIdentity(name, mac, sid);
        }
        catch (ArgumentException)
        {
            throw new DiskException(DiskError.Corrupt, "The disk's machine-identity area (registry) holds an invalid identity.");
        }
    }

    /// <summary>The identity block of every generalized disk.</summary>
    public static byte[] GeneralizedBlock()
    {
        var block = new byte[DiskLayout.BlockSize];
        Write(block, null);
        return block;
    }
}

/// <summary>
/// The administrator account block (block 2, "the SAM"). A real SAM keeps an NT hash; the simulator keeps the
/// password itself (UTF-16) so that an instance launched from a bundle can report the password it inherited.
/// </summary>
internal static class SamArea
{
    public const int MaxPasswordLength = 127;
    private const byte NoSam = 0;
    private const byte NoPassword = 1;
    private const byte HasPassword = 2;
    private const int ChecksumOffset = 508;

    public static ReadOnlySpan<byte> Magic => "SAM\0"u8;

    /// <summary>Writes the block: no SAM at all (Linux), an administrator without a password, or with one.</summary>
    public static void Write(Span<byte> block, DiskPlatform platform, string? password)
    {
        block.Clear();
        Magic.CopyTo(block);
        BinaryPrimitives.WriteUInt16LittleEndian(block[4..], DiskLayout.Version);
        block[6] = platform == DiskPlatform.Linux ? NoSam : password is null ? NoPassword : HasPassword;
        if (password is not null)
        {
            block[7] = (byte)password.Length;
            Encoding.Unicode.GetBytes(password, block[8..]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(block[ChecksumOffset..], Crc32C.Compute(block[..ChecksumOffset]));
    }

    public static string? Read(ReadOnlySpan<byte> block, DiskPlatform platform)
    {
        if (!block[..4].SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt16LittleEndian(block[4..]) != DiskLayout.Version
            || BinaryPrimitives.ReadUInt32LittleEndian(block[ChecksumOffset..]) != Crc32C.Compute(block[..ChecksumOffset])
            || block[6] > HasPassword
            || (block[6] == NoSam) != (platform == DiskPlatform.Linux)
            || block[7] > MaxPasswordLength)
        {
            throw new DiskException(DiskError.Corrupt, "The disk's administrator account area (SAM) is corrupt.");
        }

        return block[6] == HasPassword ? Encoding.Unicode.GetString(block.Slice(8, block[7] * 2)) : null;
    }

    public static void Validate(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length is 0 or > MaxPasswordLength || password.Any(char.IsControl))
        {
            throw new DiskException(DiskError.InvalidPassword,
                $"An administrator password is 1 to {MaxPasswordLength} characters without control characters.");
        }
    }
}

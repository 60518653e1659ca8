using System.Globalization;
using System.Text;

namespace OrleansEc2.Bundling;

/// <summary>
/// The framing of the bundle's tar stream: one regular-file entry (ustar, with a POSIX pax header when the name or
/// size does not fit ustar), the data padded to 512 bytes, two zero blocks, then zeros to a 10 KiB record as GNU tar
/// writes. Written here rather than with TarWriter because the image is streamed through and never seekable.
/// </summary>
internal sealed class TarHeader
{
    public const int BlockSize = 512;
    public const int RecordSize = 10240;
    private const long MaxUstarSize = 077777777777; // 11 octal digits

    private TarHeader(byte[] header, long dataLength)
    {
        Header = header;
        DataLength = dataLength;
        var dataPadding = (BlockSize - (dataLength % BlockSize)) % BlockSize;
        var unpadded = header.Length + dataLength + dataPadding + (2 * BlockSize);
        TotalLength = (unpadded + RecordSize - 1) / RecordSize * RecordSize;
    }

    /// <summary>The header blocks that come before the data.</summary>
    public byte[] Header { get; }

    public long DataLength { get; }

    /// <summary>The length of the whole tar stream.</summary>
    public long TotalLength { get; }

    public static TarHeader Create(string name, long size, DateTimeOffset modified)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var needsPaxName = nameBytes.Length > 100 || nameBytes.Length != name.Length;
        var needsPaxSize = size > MaxUstarSize;
        var mtime = Math.Max(0, modified.ToUnixTimeSeconds());

        using var header = new MemoryStream();
        if (needsPaxName || needsPaxSize)
        {
            var records = new StringBuilder();
            if (needsPaxName)
            {
                records.Append(PaxRecord("path", name));
            }

            if (needsPaxSize)
            {
                records.Append(PaxRecord("size", size.ToString(CultureInfo.InvariantCulture)));
            }

            var data = Encoding.UTF8.GetBytes(records.ToString());
            header.Write(UstarBlock(Truncate("PaxHeaders.0/" + AsciiOnly(name), 100), data.Length, mtime, (byte)'x'));
            header.Write(data);
            header.Write(new byte[(BlockSize - (data.Length % BlockSize)) % BlockSize]);
        }

        var ustarName = needsPaxName ? Truncate(AsciiOnly(name), 100) : name;
        header.Write(UstarBlock(ustarName, needsPaxSize ? 0 : size, mtime, (byte)'0'));
        return new TarHeader(header.ToArray(), size);
    }

    private static byte[] UstarBlock(string name, long size, long mtime, byte typeFlag)
    {
        var block = new byte[BlockSize];
        Put(block, 0, 100, name);
        Put(block, 100, 8, "0000644");
        Put(block, 108, 8, "0000000");
        Put(block, 116, 8, "0000000");
        Put(block, 124, 12, Convert.ToString(size, 8).PadLeft(11, '0'));
        Put(block, 136, 12, Convert.ToString(mtime, 8).PadLeft(11, '0'));
        block[156] = typeFlag;
        Put(block, 257, 6, "ustar");
        Put(block, 263, 2, "00");
        Put(block, 265, 32, "root");
        Put(block, 297, 32, "root");

        // The checksum is computed with its own field read as eight spaces.
        "        "u8.CopyTo(block.AsSpan(148));
        var checksum = 0;
        foreach (var b in block)
        {
            checksum += b;
        }

        Put(block, 148, 6, Convert.ToString(checksum, 8).PadLeft(6, '0'));
        block[154] = 0;
        block[155] = (byte)' ';
        return block;
    }

    private static void Put(byte[] block, int offset, int length, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        bytes.AsSpan(0, Math.Min(bytes.Length, length)).CopyTo(block.AsSpan(offset));
    }

    // A pax record is "<length> <key>=<value>\n" where <length> counts the whole record, its own digits included.
    private static string PaxRecord(string key, string value)
    {
        var body = $" {key}={value}\n";
        var bodyLength = Encoding.UTF8.GetByteCount(body);
        var length = bodyLength + 1;
        while (length.ToString(CultureInfo.InvariantCulture).Length + bodyLength != length)
        {
            length = length.ToString(CultureInfo.InvariantCulture).Length + bodyLength;
        }

        return length.ToString(CultureInfo.InvariantCulture) + body;
    }

    private static string AsciiOnly(string value) =>
        new(value.Select(c => c is >= ' ' and < (char)127 ? c : '_').ToArray());

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

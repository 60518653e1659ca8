namespace OrleansEc2.Bundling.Disks;

/// <summary>
/// Sysprep for bundling: generalizes a Windows disk by stripping its machine identity (computer name, MAC address,
/// SID) while keeping everything else, the administrator password included, byte for byte.
/// </summary>
public static class Sysprep
{
    /// <summary>
    /// A read-only stream of <paramref name="disk"/> as sysprep leaves it: the identity block replaced by the
    /// generalized one, every other byte passed through unchanged, nothing copied. The disk is read forward from
    /// its start (position 0 when it is seekable, its current position otherwise); the result's
    /// <see cref="Stream.Length"/> is the disk's size even when it cannot seek. Disposing it disposes
    /// <paramref name="disk"/> unless <paramref name="leaveOpen"/>.
    /// Throws <see cref="DiskException"/>: <see cref="DiskError.WrongPlatform"/> for a Linux disk,
    /// <see cref="DiskError.NotADisk"/> / <see cref="DiskError.Corrupt"/> for a stream that is not a sound disk header.
    /// </summary>
    public static Stream OpenGeneralized(Stream disk, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(disk);
        if (!disk.CanRead)
        {
            throw new ArgumentException("Sysprep reads the disk from a readable stream.", nameof(disk));
        }

        if (disk.CanSeek)
        {
            disk.Position = 0;
        }

        // The header, registry and SAM blocks are read ahead (to check the disk) and served from memory.
        var prefix = new byte[3 * DiskLayout.BlockSize];
        var read = disk.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (!prefix.AsSpan(0, DiskLayout.Magic.Length).SequenceEqual(DiskLayout.Magic))
        {
            throw new DiskException(DiskError.NotADisk, "The stream is not a simulated disk: it has no disk header.");
        }

        if (read < prefix.Length)
        {
            throw new DiskException(DiskError.Corrupt, $"The disk is truncated: {read} bytes.");
        }

        var (layout, _) = DiskLayout.ReadHeader(prefix, disk.CanSeek ? disk.Length : -1);
        EnsureWindows(layout.Platform);
        RegistryArea.GeneralizedBlock().CopyTo(prefix.AsSpan((int)layout.RegistryOffset));
        return new GeneralizedDiskStream(disk, prefix, layout.Size, leaveOpen);
    }

    /// <summary>Generalizes the disk in place (same result as <see cref="OpenGeneralized"/>; idempotent).</summary>
    public static void Generalize(Stream disk)
    {
        var image = DiskImage.Open(disk);
        EnsureWindows(image.Platform);
        image.ClearIdentity();
    }

    /// <inheritdoc cref="Generalize(Stream)"/>
    public static void Generalize(DiskImage disk)
    {
        ArgumentNullException.ThrowIfNull(disk);
        EnsureWindows(disk.Platform);
        disk.ClearIdentity();
    }

    private static void EnsureWindows(DiskPlatform platform)
    {
        if (platform != DiskPlatform.Windows)
        {
            throw new DiskException(DiskError.WrongPlatform, "Sysprep generalizes Windows disks only; this disk is Linux.");
        }
    }
}

/// <summary>The disk's first blocks from memory (already generalized), the rest straight from the disk stream.</summary>
internal sealed class GeneralizedDiskStream(Stream disk, byte[] prefix, long length, bool leaveOpen) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => disk.CanSeek;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= length || buffer.Length == 0)
        {
            return 0;
        }

        if (_position < prefix.Length)
        {
            var n = (int)Math.Min(buffer.Length, prefix.Length - _position);
            prefix.AsSpan((int)_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        if (disk.CanSeek && disk.Position != _position)
        {
            disk.Position = _position;
        }

        var read = disk.Read(buffer[..(int)Math.Min(buffer.Length, length - _position)]);
        if (read == 0)
        {
            throw new EndOfStreamException($"The disk ended at byte {_position}, before its size of {length} bytes.");
        }

        _position += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < prefix.Length || _position >= length || buffer.Length == 0)
        {
            return Read(buffer.Span);
        }

        if (disk.CanSeek && disk.Position != _position)
        {
            disk.Position = _position;
        }

        var read = await disk.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - _position)], cancellationToken);
        if (read == 0)
        {
            throw new EndOfStreamException($"The disk ended at byte {_position}, before its size of {length} bytes.");
        }

        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!disk.CanSeek)
        {
            throw new NotSupportedException("The generalized disk is read forward only: the disk stream cannot seek.");
        }

        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("The generalized disk is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The generalized disk is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            disk.Dispose();
        }

        base.Dispose(disposing);
    }
}

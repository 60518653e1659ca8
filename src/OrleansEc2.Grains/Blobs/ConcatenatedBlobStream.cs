namespace OrleansEc2.Grains.Blobs;

/// <summary>A read-only, forward-only stream of several blobs one after another (a multipart upload's parts).</summary>
internal sealed class ConcatenatedBlobStream(IBlobStore store, IReadOnlyList<string> hashes) : Stream
{
    private int _next;
    private Stream? _current;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (NextPartOrNull() is { } part)
        {
            var read = part.Read(buffer);
            if (read > 0)
            {
                return read;
            }

            EndPart();
        }

        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (NextPartOrNull() is { } part)
        {
            var read = await part.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                return read;
            }

            EndPart();
        }

        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
            _current = null;
        }

        base.Dispose(disposing);
    }

    private Stream? NextPartOrNull()
    {
        if (_current is null && _next < hashes.Count)
        {
            _current = store.OpenRead(hashes[_next++]);
        }

        return _current;
    }

    private void EndPart()
    {
        _current?.Dispose();
        _current = null;
    }
}

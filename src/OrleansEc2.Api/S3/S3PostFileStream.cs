using System.Globalization;

namespace OrleansEc2.Api.S3;

/// <summary>
/// The <c>file</c> field of a POST Object form as it streams: held to the policy's <c>content-length-range</c> (and S3's
/// largest object) — <c>EntityTooLarge</c> from the read that passes the most, <c>EntityTooSmall</c> from the read
/// that would end it short — and a body that breaks off inside it answered <c>MalformedPOSTRequest</c>. A reader that
/// reaches the end has read a file of an allowed size.
/// </summary>
internal sealed class S3PostFileStream(Stream section, long minLength, long maxLength, CancellationToken aborted) : Stream
{
    private long _length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("A request body is read asynchronously.");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await section.ReadAsync(destination, cancellationToken);
        }
        catch (Exception e) when (S3PostForm.IsMalformedBody(e, aborted))
        {
            throw S3PostForm.Malformed();
        }

        _length += read;
        if (_length > maxLength)
        {
            throw new Ec2Exception(S3Errors.EntityTooLarge, "Your proposed upload exceeds the maximum allowed size")
                .WithElement("MaxSizeAllowed", maxLength.ToString(CultureInfo.InvariantCulture));
        }

        if (read == 0 && destination.Length > 0 && _length < minLength)
        {
            throw new Ec2Exception(Ec2ErrorCodes.EntityTooSmall, "Your proposed upload is smaller than the minimum allowed size")
                .WithElement("ProposedSize", _length.ToString(CultureInfo.InvariantCulture))
                .WithElement("MinSizeAllowed", minLength.ToString(CultureInfo.InvariantCulture));
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

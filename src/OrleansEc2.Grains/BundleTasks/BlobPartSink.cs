using System.Runtime.InteropServices;
using System.Threading.Channels;
using OrleansEc2.Bundling;

namespace OrleansEc2.Grains.BundleTasks;

/// <summary>What the bundle writer, running off the grain's turn, tells the grain: a part is stored, or progress moved.</summary>
internal abstract record BundleWriterEvent;

internal sealed record PartWritten(StoredBundlePart Part) : BundleWriterEvent;

/// <summary>The share of the image consumed, as a whole percentage of the image size.</summary>
internal sealed record ImageConsumed(int Percent) : BundleWriterEvent;

/// <summary>
/// Streams each part into the blob store as the writer produces it, holds a reference to it for the task (so a
/// collector leaves it alone until the bucket records it), and tells the grain.
/// </summary>
internal sealed class BlobPartSink(IBlobStore blobs, string holder, ChannelWriter<BundleWriterEvent> events) : IPartSink
{
    public async Task WritePartAsync(BundlePart part, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var stream = MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
        BlobInfo blob;
        await using (stream)
        {
            blob = await blobs.PutAsync(stream, cancellationToken);
        }

        await blobs.AddReferenceAsync(blob.Hash, holder);
        events.TryWrite(new PartWritten(new StoredBundlePart(part.Index, part.FileName, blob, part.Digest)));
    }
}

/// <summary>The writer's progress as whole percents of the image consumed; reports only when the percentage moves.</summary>
internal sealed class ImageProgress(ChannelWriter<BundleWriterEvent> events) : IProgress<BundleProgress>
{
    private int _last = -1;

    public void Report(BundleProgress value)
    {
        var percent = (int)Math.Clamp(Math.Floor(value.Fraction * 100), 0, 100);
        var last = Volatile.Read(ref _last);
        while (percent > last)
        {
            var seen = Interlocked.CompareExchange(ref _last, percent, last);
            if (seen == last)
            {
                events.TryWrite(new ImageConsumed(percent));
                return;
            }

            last = seen;
        }
    }
}

namespace OrleansEc2.Grains.Images;

/// <summary>How launches of a registered image wait for its first unbundle.</summary>
public sealed class ImageLaunchOptions
{
    /// <summary>
    /// The longest a launch waits for the image's first unbundle before answering <c>Unavailable</c> (HTTP 503, which
    /// the AWS SDKs and CLI retry): well inside the 30 s a grain call may take, so that a multi-gigabyte disk never
    /// turns into a timed-out call. The unbundle goes on, and the launch that comes after it copies its disk.
    /// </summary>
    public TimeSpan FirstLaunchWait { get; set; } = TimeSpan.FromSeconds(15);
}

namespace OrleansEc2.Grains.Images;

[GenerateSerializer, Alias("OrleansEc2.Grains.ImageGrainState")]
public sealed class ImageGrainState
{
    /// <summary>The disk instances of this image boot from, once made (a blob this image holds a reference to).</summary>
    [Id(0)]
    public LaunchDisk? LaunchDisk { get; set; }
}

namespace OrleansEc2.Grains.Hosting;

/// <summary>Names the host registers providers under.</summary>
public static class GrainStorage
{
    /// <summary>The grain storage provider every persistent grain state uses.</summary>
    public const string Name = "ec2";
}

namespace OrleansEc2.Grains.Blobs;

/// <summary>The blob store's settings, bound from the <c>BlobStore</c> section of the configuration (all optional).</summary>
public sealed class BlobStoreOptions
{
    public const string SectionName = "BlobStore";

    /// <summary>Where blobs live; defaults to <c>{DataDirectory}/blobs</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>
    /// How long an unreferenced blob (or an abandoned temporary file) is kept before it is collected: long enough for a
    /// writer to record its reference after the put.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the silo collects garbage; zero or less turns periodic collection off.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromMinutes(15);
}

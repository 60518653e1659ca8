namespace OrleansEc2.Grains.Tests.Images;

/// <summary>
/// A cluster of the image tests' own: they register, share and make public images of the configured accounts, which
/// would change what DescribeImages answers in the other collections' tests (those expect only the public AMIs).
/// Bundle tasks write parts of <see cref="ImageTestKit.PartSize"/>, so a bundle has several.
/// </summary>
public sealed class ImageClusterFixture : ClusterFixture
{
    private readonly Lock _lock = new();

    private Task<string>? _sharedBundle;

    protected override IDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["BundleTasks:PartSizeBytes"] = ImageTestKit.PartSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// One bundle of a customized Windows instance of Alice (the kit's default file and password), made once for the
    /// tests that register it without changing its objects. Returns its manifest's location.
    /// </summary>
    public Task<string> SharedBundleAsync()
    {
        lock (_lock)
        {
            return _sharedBundle ??= BundleOnceAsync();
        }
    }

    private async Task<string> BundleOnceAsync()
    {
        var kit = new ImageTestKit(this);
        return await kit.BundleAsync(await kit.CustomizedInstanceAsync(), Scenario.Unique("shared-bundles"), "shared");
    }
}

[CollectionDefinition(Name)]
public sealed class ImageClusterCollection : ICollectionFixture<ImageClusterFixture>
{
    public const string Name = "image cluster";
}

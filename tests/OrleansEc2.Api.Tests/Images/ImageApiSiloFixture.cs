using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Images;

/// <summary>
/// A silo of the image tests' own: they register, share and make public images of the configured accounts, which
/// would change what DescribeImages answers in the other collections' tests (those expect only the public AMIs).
/// 1 MiB disks; bundle tasks write parts of <see cref="BundleKit.PartSize"/>, so a bundle has several.
/// </summary>
public sealed class ImageApiSiloFixture : ApiSiloFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Disk:DefaultSizeBytes"] = "1048576",
        ["BundleTasks:PartSizeBytes"] = BundleKit.PartSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

[CollectionDefinition(Name)]
public sealed class ImageApiSiloCollection : ICollectionFixture<ImageApiSiloFixture>
{
    public const string Name = "image-api-silo";
}

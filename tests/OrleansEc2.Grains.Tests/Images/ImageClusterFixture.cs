namespace OrleansEc2.Grains.Tests.Images;

/// <summary>
/// A cluster of the image tests' own: they register, share and make public images of the configured accounts, which
/// would change what DescribeImages answers in the other collections' tests (those expect only the public AMIs).
/// </summary>
public sealed class ImageClusterFixture : ClusterFixture;

[CollectionDefinition(Name)]
public sealed class ImageClusterCollection : ICollectionFixture<ImageClusterFixture>
{
    public const string Name = "image cluster";
}

using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Images;

/// <summary>
/// A silo of the image tests' own: they register, share and make public images of the configured accounts, which
/// would change what DescribeImages answers in the other collections' tests (those expect only the public AMIs).
/// </summary>
public sealed class ImageApiSiloFixture : ApiSiloFixture;

[CollectionDefinition(Name)]
public sealed class ImageApiSiloCollection : ICollectionFixture<ImageApiSiloFixture>
{
    public const string Name = "image-api-silo";
}

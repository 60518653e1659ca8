using Microsoft.Extensions.Hosting;
using OrleansEc2.Grains.Blobs;

namespace OrleansEc2.Grains.Tests.Blobs;

[Collection(ClusterCollection.Name)]
public sealed class BlobStoreHostingTests(ClusterFixture fixture)
{
    [Fact]
    public async Task TheSilosBlobStore_IsTheFileStoreUnderTheDataDirectory()
    {
        var store = fixture.GetSiloService<IBlobStore>();

        var blob = await store.PutAsync(new MemoryStream(TestBytes.Random(100, seed: 601)));

        store.Should().BeSameAs(fixture.GetSiloService<FileBlobStore>());
        File.Exists(Path.Combine(fixture.DataDirectory, "blobs", blob.Hash[..2], blob.Hash[2..4], blob.Hash)).Should().BeTrue();
        File.Exists(Path.Combine(fixture.DataDirectory, "blobs", "references.db")).Should().BeTrue();
    }

    [Fact]
    public void TheSilo_RunsPeriodicGarbageCollection()
    {
        var hosted = fixture.GetSiloService<IEnumerable<IHostedService>>();

        hosted.OfType<BlobGarbageCollectionService>().Should().ContainSingle();
    }
}

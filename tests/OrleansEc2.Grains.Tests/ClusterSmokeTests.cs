namespace OrleansEc2.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ClusterSmokeTests(ClusterFixture fixture)
{
    [Fact]
    public void Cluster_UsesTheFakeSimulationClock()
    {
        var clock = fixture.GetSiloService<ISimulationClock>();

        clock.IsSimulated.Should().BeTrue();
        clock.UtcNow.Should().Be(fixture.Time.GetUtcNow());
    }
}

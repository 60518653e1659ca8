using OrleansEc2.Client;
using OrleansEc2.Testing;

namespace OrleansEc2.Silo.Tests;

public sealed class InProcessSiloFixture : IAsyncLifetime
{
    private InProcessSilo? _silo;

    public InProcessSilo Silo => _silo ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _silo = await InProcessSilo.StartAsync();

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }
}

/// <summary>The .NET client over Orleans: connecting, and the account-and-region entry point.</summary>
public sealed class Ec2SimClientTests(InProcessSiloFixture fixture) : IClassFixture<InProcessSiloFixture>
{
    [Fact]
    public async Task ConnectAsync_ReachesTheSiloThroughItsGateway()
    {
        await using var client = await fixture.Silo.ConnectClientAsync();

        var history = await client.Grains.GetGrain<ISiloHistoryGrain>(0).GetHistoryAsync();

        history.Starts.Should().Be(1);
        client.Options.GatewayPort.Should().Be(fixture.Silo.GatewayPort);
    }

    [Fact]
    public async Task ConnectAsync_ToAPortNoSiloListensOn_FailsOnceTheTimeoutIsOver()
    {
        var options = new Ec2SimClientOptions { GatewayPort = SiloPorts.Free().Gateway, ConnectTimeout = TimeSpan.FromSeconds(1) };

        var connect = () => Ec2SimClient.ConnectAsync(options);

        var failure = await connect.Should().ThrowAsync<Ec2SimConnectionException>();
        failure.Which.Message.Should().Contain($"gateway port {options.GatewayPort}");
    }

    [Fact]
    public async Task ForAccount_IsBoundToThatAccountAndRegion()
    {
        await using var client = await fixture.Silo.ConnectClientAsync();

        var alice = client.ForAccount("111122223333", "us-east-1");

        alice.AccountId.Should().Be("111122223333");
        alice.Region.Should().Be("us-east-1");
        alice.Key.Should().Be("111122223333/us-east-1");
        alice.Client.Should().BeSameAs(client);
    }

    [Theory]
    [InlineData("12345", "us-east-1")]
    [InlineData("11112222333a", "us-east-1")]
    [InlineData("111122223333", " ")]
    public async Task ForAccount_WithABadAccountOrRegion_FailsWithArgumentException(string accountId, string region)
    {
        await using var client = await fixture.Silo.ConnectClientAsync();

        var forAccount = () => client.ForAccount(accountId, region);

        forAccount.Should().Throw<ArgumentException>();
    }
}

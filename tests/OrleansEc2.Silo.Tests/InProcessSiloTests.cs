using System.Net;
using System.Net.Http.Json;
using OrleansEc2.Grains.Configuration;
using Microsoft.Extensions.Options;
using OrleansEc2.Testing;

namespace OrleansEc2.Silo.Tests;

/// <summary>The same silo composition hosted in the test process.</summary>
public sealed class InProcessSiloTests
{
    [Fact]
    public async Task InProcessSilo_ServesHealth_AndTakesTheTestSettings()
    {
        await using var silo = await InProcessSilo.StartAsync([new("Durations:TerminatedRetention", "00:00:42")]);
        using var http = silo.CreateHttpClient();

        var health = await http.GetFromJsonAsync<SiloHealth>(SiloHost.HealthPath);

        health!.Status.Should().Be("up");
        health.DataDirectory.Should().Be(silo.DataDirectory);
        var options = silo.GetRequiredService<IOptions<SimulatorOptions>>().Value;
        options.DataDirectory.Should().Be(silo.DataDirectory);
        options.Durations.Boot.Should().Be(TimeSpan.Zero);
        options.Durations.TerminatedRetention.Should().Be(TimeSpan.FromSeconds(42));
        options.Accounts.Select(a => a.AccountId).Should().Equal("111122223333", "444455556666");
    }

    [Fact]
    public async Task InProcessSilo_KeepsGrainStateInItsDatabase_AndAcceptsGatewayClients()
    {
        string dataDirectory;
        await using (var silo = await InProcessSilo.StartAsync())
        {
            dataDirectory = silo.DataDirectory;
            (await silo.Grains.GetGrain<ISiloHistoryGrain>(0).GetHistoryAsync()).Starts.Should().Be(1);
            await using var client = await silo.ConnectClientAsync();
            (await client.Grains.GetGrain<ISiloHistoryGrain>(0).GetHistoryAsync()).Running.Should().BeTrue();
            File.Exists(silo.DatabasePath).Should().BeTrue();
        }

        Directory.Exists(dataDirectory).Should().BeFalse();
    }
}

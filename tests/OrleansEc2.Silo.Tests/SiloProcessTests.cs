using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using OrleansEc2.Silo.Storage;
using OrleansEc2.Testing;

namespace OrleansEc2.Silo.Tests;

/// <summary>One silo process, shared by the tests that only look at it.</summary>
public sealed class RunningSiloFixture : IAsyncLifetime
{
    private SiloProcess? _silo;

    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _silo = await SiloProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }
}

/// <summary>The built silo, run as a process the way <c>dotnet run --project src/OrleansEc2.Silo</c> runs it.</summary>
public sealed class SiloProcessTests(RunningSiloFixture fixture) : IClassFixture<RunningSiloFixture>
{
    [Fact]
    public async Task Health_AnswersUp_WithTheDataDirectoryAndDatabase()
    {
        using var http = fixture.Silo.CreateHttpClient();

        using var response = await http.GetAsync(SiloHost.HealthPath);
        var health = await response.Content.ReadFromJsonAsync<SiloHealth>();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        health.Should().NotBeNull();
        health!.Status.Should().Be("up");
        health.Version.Should().Be(SiloHost.Version);
        health.DataDirectory.Should().Be(fixture.Silo.DataDirectory);
        health.Database.Should().Be(fixture.Silo.DatabasePath);
        health.GatewayPort.Should().Be(fixture.Silo.GatewayPort);
        health.Start.Should().Be(1);
        File.Exists(fixture.Silo.DatabasePath).Should().BeTrue();
    }

    [Fact]
    public async Task Dashboard_IsServedUnderSlashDashboard()
    {
        using var http = fixture.Silo.CreateHttpClient();

        using var response = await http.GetAsync("/dashboard/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync()).Should().Contain("<html", Exactly.Once());
    }

    [Fact]
    public async Task Database_HasTheCurrentSchemaVersion()
    {
        using var database = new SqliteDatabase(fixture.Silo.DatabasePath);

        database.ReadSchemaVersion().Should().Be(SqliteSchema.LatestVersion);
    }

    [Fact]
    public async Task OrleansClient_ConnectsThroughTheGateway_AndCallsGrains()
    {
        await using var client = await fixture.Silo.ConnectClientAsync();

        var history = await client.Grains.GetGrain<ISiloHistoryGrain>(0).GetHistoryAsync();

        history.Starts.Should().Be(1);
        history.Running.Should().BeTrue();
    }

    [Fact]
    public async Task Sigterm_StopsTheSiloCleanly_WithExitCode0()
    {
        await using var silo = await SiloProcess.StartAsync();

        var stopping = Stopwatch.StartNew();
        var exitCode = await silo.StopAsync(TimeSpan.FromSeconds(20));

        exitCode.Should().Be(0, silo.Output);
        stopping.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        await silo.RestartAsync();
        var health = await GetHealthAsync(silo);
        health.Start.Should().Be(2);
        health.PreviousStopClean.Should().BeTrue();
    }

    [Fact]
    public async Task Sigkill_ThenRestart_FindsTheStateWrittenBefore_AndReportsTheUncleanStop()
    {
        await using var silo = await SiloProcess.StartAsync();
        BucketInfo created;
        await using (var client = await silo.ConnectClientAsync())
        {
            created = await client.Grains.GetGrain<IBucketGrain>("sigkill-bucket").CreateAsync("111122223333", "eu-west-1");
        }

        await silo.KillAsync();
        await silo.RestartAsync();

        var health = await GetHealthAsync(silo);
        health.Start.Should().Be(2);
        health.PreviousStopClean.Should().BeFalse();
        await using var after = await silo.ConnectClientAsync();
        (await after.Grains.GetGrain<IBucketGrain>("sigkill-bucket").FindAsync()).Should().Be(created);
        var history = await after.Grains.GetGrain<ISiloHistoryGrain>(0).GetHistoryAsync();
        history.Starts.Should().Be(2);
        history.LastStoppedAt.Should().BeNull();
    }

    [Fact]
    public async Task BadSetting_StopsTheSiloAtOnce_WithExitCode1AndTheReason()
    {
        var start = () => SiloProcess.StartAsync([new("Storage:Synchronous", "Sometimes")]);

        var failure = await start.Should().ThrowAsync<SiloStartException>();
        failure.Which.Message.Should().Contain("exited with code 1").And.Contain("bad configuration");
    }

    private static async Task<SiloHealth> GetHealthAsync(SiloProcess silo)
    {
        using var http = silo.CreateHttpClient();
        return (await http.GetFromJsonAsync<SiloHealth>(SiloHost.HealthPath))!;
    }
}

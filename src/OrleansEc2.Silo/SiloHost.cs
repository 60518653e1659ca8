using System.Reflection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using OrleansEc2.Api;
using OrleansEc2.Grains.Configuration;
using OrleansEc2.Grains.Hosting;
using OrleansEc2.Silo.Storage;

namespace OrleansEc2.Silo;

/// <summary>
/// The silo as one process: Orleans (localhost clustering, grain state and reminders in SQLite under the data
/// directory, the dashboard) and ASP.NET Core on the same host (the EC2 Query API, S3, <c>/_sim/</c>, the dashboard
/// at <c>/dashboard</c>). <c>Program.cs</c> runs it; tests build the very same application in-process.
/// </summary>
public static class SiloHost
{
    public const string DefaultUrls = "http://127.0.0.1:8773";

    public const string HealthPath = "/_sim/health";

    public const string DashboardPath = "/dashboard";

    /// <summary>The setting choosing when a commit is on disk: <c>Normal</c> (default) or <c>Full</c>; see <see cref="SqliteSynchronous"/>.</summary>
    public const string SynchronousKey = "Storage:Synchronous";

    /// <summary>The product version (the Silo assembly's informational version, without source revision).</summary>
    public static string Version { get; } =
        (typeof(SiloHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];

    /// <summary>
    /// Builds the silo application. Settings come from appsettings.json (the working directory's when it has one,
    /// else the copy next to the silo's assembly), then environment variables, then <paramref name="args"/>
    /// (<c>--Orleans:GatewayPort=30001</c>). <paramref name="configure"/> runs before anything is composed, so what
    /// it adds to the configuration (a test's overrides) or to the services (a fake clock) wins.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = FindContentRoot(),
        });
        configure?.Invoke(builder);

        var configuration = builder.Configuration;
        var orleans = configuration.GetSection(OrleansSettings.Section).Get<OrleansSettings>() ?? new OrleansSettings();

        // Relative to the working directory, as documented; pinned to a full path so every reader agrees.
        var dataDirectory = Path.GetFullPath(configuration[nameof(SimulatorOptions.DataDirectory)] is { Length: > 0 } configured
            ? configured
            : new SimulatorOptions().DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        configuration.AddInMemoryCollection([new(nameof(SimulatorOptions.DataDirectory), dataDirectory)]);
        if (string.IsNullOrWhiteSpace(configuration["Urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        var databasePath = Path.Combine(dataDirectory, SqliteDatabase.FileName);
        var synchronous = configuration.GetValue(SynchronousKey, SqliteSynchronous.Normal);
        builder.Services.AddSingleton(new SiloLocation(dataDirectory, databasePath, orleans));
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, null, orleans.ServiceId, orleans.ClusterId);
            silo.AddOrleansEc2Grains(configuration);
            silo.UseSqlite(databasePath, synchronous).AddSqliteGrainStorage(GrainStorage.Name);
            silo.AddDashboard();
        });

        // Registered after the silo, so it starts once the silo is up and stops before it.
        builder.Services.AddSingleton<SiloHistoryRecorder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SiloHistoryRecorder>());
        builder.Services.AddOrleansEc2Api(configuration);
        WatchdogStartupFilter.Apply(builder.Services);

        var app = builder.Build();
        app.MapGet(HealthPath, GetHealth);
        app.MapOrleansDashboard(routePrefix: DashboardPath);
        app.MapOrleansEc2Api();
        app.Lifetime.ApplicationStarted.Register(() => LogStarted(app));
        return app;
    }

    /// <summary>Runs the silo until Ctrl+C or SIGTERM. Returns the process exit code: 0 after a clean stop, 1 when it could not start.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or FormatException)
        {
            await Console.Error.WriteLineAsync($"OrleansEc2 silo: bad configuration: {e.Message}");
            return 1;
        }

        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (!app.Lifetime.ApplicationStarted.IsCancellationRequested)
        {
            app.Logger.LogCritical(e, "The silo could not start: {Message}", e.Message);
            return 1;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>
    /// The directory settings are read from: the working directory when it holds appsettings.json (a run from the
    /// repository root), else the silo's own directory, where the build puts a copy of the repository's file.
    /// </summary>
    public static string FindContentRoot()
    {
        var workingDirectory = Directory.GetCurrentDirectory();
        return File.Exists(Path.Combine(workingDirectory, "appsettings.json")) ? workingDirectory : AppContext.BaseDirectory;
    }

    private static IResult GetHealth(IHostApplicationLifetime lifetime, SiloLocation location, SiloHistoryRecorder history)
    {
        var status = lifetime.ApplicationStopping.IsCancellationRequested ? "stopping"
            : lifetime.ApplicationStarted.IsCancellationRequested ? "up"
            : "starting";
        var run = history.CurrentRun;
        var body = new SiloHealth(
            status,
            Version,
            location.DataDirectory,
            location.DatabasePath,
            location.Orleans.ServiceId,
            location.Orleans.GatewayPort,
            run?.StartNumber,
            run?.PreviousStopWasClean);
        return status == "up" ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static void LogStarted(WebApplication app)
    {
        var location = app.Services.GetRequiredService<SiloLocation>();
        var simulator = app.Services.GetRequiredService<IOptions<SimulatorOptions>>().Value;
        var urls = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var logger = app.Logger;
        logger.LogInformation("OrleansEc2 silo {Version} is up", Version);
        logger.LogInformation("Data directory: {DataDirectory} (database {Database})", location.DataDirectory, location.DatabasePath);
        foreach (var url in urls)
        {
            logger.LogInformation("EC2 Query API and S3 on {Url}, dashboard at {Url}{Dashboard}", url, url.TrimEnd('/'), DashboardPath);
        }

        logger.LogInformation(
            "Orleans gateway on port {GatewayPort} (ServiceId {ServiceId}, ClusterId {ClusterId})",
            location.Orleans.GatewayPort, location.Orleans.ServiceId, location.Orleans.ClusterId);
        foreach (var account in simulator.Accounts)
        {
            logger.LogInformation("Account {AccountId} ({Name}): access key {AccessKeyId}", account.AccountId, account.Name, account.AccessKeyId);
        }
    }
}

/// <summary>Where this silo keeps its data and how Orleans clients reach it.</summary>
public sealed record SiloLocation(string DataDirectory, string DatabasePath, OrleansSettings Orleans);

/// <summary>
/// What <c>GET /_sim/health</c> answers: 200 once the silo is up, 503 while it starts or stops. <c>Start</c> counts the
/// silo's starts on this data directory; <c>PreviousStopClean</c> is false when the run before was killed or crashed.
/// </summary>
public sealed record SiloHealth(
    string Status,
    string Version,
    string DataDirectory,
    string Database,
    string ServiceId,
    int GatewayPort,
    int? Start,
    bool? PreviousStopClean);

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansEc2.Grains.BundleTasks;
using OrleansEc2.Grains.Configuration;
using OrleansEc2.Grains.Migrations;
using OrleansEc2.Grains.Regions;

namespace OrleansEc2.Grains.Hosting;

/// <summary>How a silo (the real one or a test cluster's) gets the simulator's grains and services.</summary>
public static class GrainsSiloBuilderExtensions
{
    /// <summary>
    /// Registers the simulator's options (bound from the configuration root), the simulation clock, the blob store and
    /// the other silo-local services the grains need. Storage providers are the host's business. A clock registered
    /// before this call (a test's fake) wins over the configured one.
    /// </summary>
    public static ISiloBuilder AddOrleansEc2Grains(this ISiloBuilder silo, IConfiguration configuration)
    {
        var services = silo.Services;
        services.AddOptions<SimulatorOptions>().Bind(configuration);
        services.AddSingleton<RegionCatalog>();
        services.TryAddSingleton<ISimulationClock>(sp => CreateClock(sp.GetRequiredService<IOptions<SimulatorOptions>>().Value.Clock));
        services.AddFileBlobStore(configuration);
        services.AddOptions<BundleTaskOptions>().Bind(configuration.GetSection(BundleTaskOptions.SectionName));
        services.AddSingleton(sp => BundleWriterSlots.From(sp.GetRequiredService<IOptions<BundleTaskOptions>>().Value));
        silo.AddStartupTask<BundleTaskResumer>();
        services.AddOptions<MigrationOptions>().Bind(configuration.GetSection(MigrationOptions.SectionName));
        silo.AddStartupTask<MigrationResumer>();

        // One per silo process, shared by the front door and the workflow grains (the same container).
        services.TryAddSingleton<IFaultInjector, FaultInjector>();
        return silo;
    }

    private static SimulationClock CreateClock(ClockOptions options) => options.Mode.ToLowerInvariant() switch
    {
        "system" => SimulationClock.System(),
        "simulated" => SimulationClock.Simulated(options.Start ?? DateTimeOffset.UtcNow),
        _ => throw new OptionsValidationException(
            nameof(ClockOptions),
            typeof(ClockOptions),
            [$"Clock:Mode must be 'System' or 'Simulated', not '{options.Mode}'."]),
    };
}

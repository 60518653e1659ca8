using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansEc2.Grains.Configuration;

namespace OrleansEc2.Grains.Hosting;

/// <summary>How a silo (the real one or a test cluster's) gets the simulator's grains and services.</summary>
public static class GrainsSiloBuilderExtensions
{
    /// <summary>
    /// Registers the simulator's options (bound from the configuration root), the simulation clock, the blob store and
    /// the other silo-local services the grains need. Storage providers are the host's business.
    /// </summary>
    public static ISiloBuilder AddOrleansEc2Grains(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.AddOptions<SimulatorOptions>().Bind(configuration);
        return silo;
    }
}

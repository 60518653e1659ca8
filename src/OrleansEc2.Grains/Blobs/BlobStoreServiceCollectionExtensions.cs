using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansEc2.Grains.Blobs;
using OrleansEc2.Grains.Configuration;

// In the DI namespace, as .NET's own Add* extensions are, so the silo's registration needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the file blob store as the silo's <see cref="IBlobStore"/>, with its periodic garbage collection.</summary>
public static class BlobStoreServiceCollectionExtensions
{
    public static IServiceCollection AddFileBlobStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BlobStoreOptions>().Bind(configuration.GetSection(BlobStoreOptions.SectionName));
        services.TryAddSingleton(sp =>
        {
            var simulator = sp.GetRequiredService<IOptions<SimulatorOptions>>().Value;
            var options = sp.GetRequiredService<IOptions<BlobStoreOptions>>().Value;
            var directory = options.Directory ?? Path.Combine(simulator.DataDirectory, "blobs");

            // The store's clock is real time: its grace period guards real writers, whatever the simulation clock does.
            return new FileBlobStore(directory, options.GracePeriod, TimeProvider.System, sp.GetRequiredService<ILogger<FileBlobStore>>());
        });
        services.TryAddSingleton<OrleansEc2.IBlobStore>(sp => sp.GetRequiredService<FileBlobStore>());
        services.AddHostedService<BlobGarbageCollectionService>();
        return services;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.Ec2;
using OrleansEc2.Api.FrontDoor;
using OrleansEc2.Api.S3;
using OrleansEc2.Api.Sim;
using OrleansEc2.Api.View;

namespace OrleansEc2.Api;

/// <summary>How a host mounts the HTTP front door (EC2 Query API, S3 REST API, /_sim/).</summary>
public static class ApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the front door's services. Needs <see cref="IGrainFactory"/> and <see cref="ISimulationClock"/> from
    /// the silo.
    /// </summary>
    public static IServiceCollection AddOrleansEc2Api(this IServiceCollection services, IConfiguration configuration)
    {
        var accountIds = configuration.GetSection("Accounts").GetChildren()
            .Select(a => a["AccountId"])
            .OfType<string>()
            .Where(id => id.Length > 0)
            .ToArray();
        services.AddSingleton(new ConfiguredAccounts(accountIds));
        services.TryAddSingleton<IAccessKeySource, GrainAccessKeySource>();

        // Signatures are checked against the system clock whatever the simulation clock says: clients sign with real time.
        services.AddSingleton(sp => new SigV4Verifier(sp.GetRequiredService<IAccessKeySource>(), TimeProvider.System));
        services.AddSingleton<ConfiguredRegions>();
        services.AddSingleton<Ec2Authenticator>();
        services.AddSingleton<Ec2Services>();
        services.AddSingleton<Ec2QueryEndpoint>();
        services.AddSingleton<SimEndpoint>();
        services.AddSingleton<WebView>();
        services.AddS3RestApi();
        services.AddSingleton<FrontDoorEndpoint>();
        return services;
    }

    /// <summary>
    /// Maps the front door: <c>/_sim/…</c> (except what the host maps itself, such as <c>/_sim/health</c>, which
    /// routing prefers as the more specific route) and everything else (<c>/</c> for EC2, <c>/{bucket}/{key}</c> for S3).
    /// </summary>
    public static IEndpointRouteBuilder MapOrleansEc2Api(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var sim = services.GetRequiredService<SimEndpoint>();
        var frontDoor = services.GetRequiredService<FrontDoorEndpoint>();
        var view = services.GetRequiredService<WebView>();
        endpoints.MapGet(WebView.PagePath, view.PageAsync).WithDisplayName("OrleansEc2 live view");
        endpoints.MapGet(WebView.StatePath, view.StateAsync).WithDisplayName("OrleansEc2 live view state");
        endpoints.Map("/_sim/{**path}", sim.HandleAsync).WithDisplayName("OrleansEc2 simulator API");
        endpoints.Map("/{**path}", frontDoor.HandleAsync).WithDisplayName("OrleansEc2 EC2 and S3 APIs");
        return endpoints;
    }
}

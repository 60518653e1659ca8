using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansEc2.Api;

/// <summary>How a host mounts the HTTP front door (EC2 Query API, S3 REST API, /_sim/).</summary>
public static class ApiServiceCollectionExtensions
{
    /// <summary>Registers the front door's services.</summary>
    public static IServiceCollection AddOrleansEc2Api(this IServiceCollection services, IConfiguration configuration)
    {
        // Filled in by the HTTP front door work.
        return services;
    }

    /// <summary>Maps the front door's endpoints on the application.</summary>
    public static IEndpointRouteBuilder MapOrleansEc2Api(this IEndpointRouteBuilder endpoints)
    {
        // Filled in by the HTTP front door work.
        return endpoints;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansEc2.Api.FrontDoor;

namespace OrleansEc2.Api.S3;

/// <summary>Registers the S3 REST API as the front door's <see cref="IS3RequestHandler"/>.</summary>
public static class S3ServiceCollectionExtensions
{
    /// <summary>
    /// Needs <see cref="IGrainFactory"/> and <see cref="IBlobStore"/> from the silo, and the front door's SigV4 verifier
    /// and configured regions. A handler registered before this call is kept.
    /// </summary>
    public static IServiceCollection AddS3RestApi(this IServiceCollection services)
    {
        services.TryAddSingleton<S3Authenticator>();
        services.TryAddSingleton<S3Operations>();
        services.TryAddSingleton<IS3RequestHandler, S3RequestHandler>();
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansEc2.Grains.Hosting;

/// <summary>Names the host registers providers under, and how grain state is serialized.</summary>
public static class GrainStorage
{
    /// <summary>The grain storage provider every persistent grain state uses.</summary>
    public const string Name = "ec2";

    /// <summary>
    /// Stores grain state with Orleans' own serializer instead of the providers' default Json.NET: the state classes are
    /// <c>[GenerateSerializer]</c> with <c>[Id]</c>s, which is what keeps them readable across versions, and Json.NET
    /// cannot rebuild immutable collections or positional records.
    /// </summary>
    public static IServiceCollection UseOrleansGrainStorageSerializer<TOptions>(this IServiceCollection services, string name = Name)
        where TOptions : class, IStorageProviderSerializerOptions
    {
        services.AddOptions<TOptions>(name)
            .PostConfigure<Serializer>((options, serializer) => options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        return services;
    }
}

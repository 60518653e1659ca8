using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.BundleTasks;

/// <summary>
/// The API silo for bundle tasks: 2 MiB disks in 256 KiB parts, and every bundle phase lasting at least
/// <see cref="PhaseMinimum"/> on the simulated clock, so a test sees each state until it advances the clock.
/// </summary>
public sealed class BundleApiSiloFixture : ApiSiloFixture
{
    public static readonly TimeSpan PhaseMinimum = TimeSpan.FromSeconds(10);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Disk:DefaultSizeBytes"] = (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["BundleTasks:PartSizeBytes"] = (256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Durations:BundlePhaseMinimum"] = PhaseMinimum.ToString(),
    };
}

[CollectionDefinition(Name)]
public sealed class BundleApiSiloCollection : ICollectionFixture<BundleApiSiloFixture>
{
    public const string Name = "bundle-api-silo";
}

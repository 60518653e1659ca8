using System.Collections.Immutable;

namespace OrleansEc2.Api.FrontDoor;

/// <summary>
/// The configured regions, read once from the <see cref="IRegionDirectoryGrain"/> (regions come from configuration and
/// do not change while the silo runs), with their zones as full names (<c>us-east-1a</c>).
/// </summary>
public sealed class ConfiguredRegions(IGrainFactory grains)
{
    // A reference, so a reader on another thread sees either nothing or the whole list.
    private Loaded? _loaded;

    public async ValueTask<ImmutableArray<RegionInfo>> GetRegionsAsync()
    {
        if (_loaded is { } loaded)
        {
            return loaded.Regions;
        }

        var regions = await grains.GetGrain<IRegionDirectoryGrain>(0).GetRegionsAsync();
        var normalized = regions
            .Select(r => r with { AvailabilityZones = [.. r.AvailabilityZones.Select(z => FullZoneName(r.RegionName, z))] })
            .ToImmutableArray();
        _loaded = new Loaded(normalized);
        return normalized;
    }

    public async ValueTask<RegionInfo?> FindAsync(string regionName)
    {
        foreach (var region in await GetRegionsAsync())
        {
            if (region.RegionName == regionName)
            {
                return region;
            }
        }

        return null;
    }

    private sealed record Loaded(ImmutableArray<RegionInfo> Regions);

    /// <summary>A zone as configured (a suffix <c>a</c> or a full name) as its full name.</summary>
    public static string FullZoneName(string region, string zone)
        => zone.StartsWith(region, StringComparison.Ordinal) ? zone : region + zone;

    /// <summary>The zone's id in AWS's style: <c>use1-az1</c> for the first zone of us-east-1.</summary>
    public static string ZoneId(string region, int zoneIndex)
    {
        var parts = region.Split('-');
        var abbreviation = parts.Length == 3
            ? parts[0] + DirectionAbbreviation(parts[1]) + parts[2]
            : region.Replace("-", "", StringComparison.Ordinal);
        return $"{abbreviation}-az{zoneIndex + 1}";
    }

    private static string DirectionAbbreviation(string direction) => direction switch
    {
        "east" => "e",
        "west" => "w",
        "north" => "n",
        "south" => "s",
        "central" => "c",
        "northeast" => "ne",
        "northwest" => "nw",
        "southeast" => "se",
        "southwest" => "sw",
        _ => direction.Length > 0 ? direction[..1] : "",
    };
}

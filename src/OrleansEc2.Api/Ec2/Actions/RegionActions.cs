using System.Collections.Immutable;
using OrleansEc2.Api.FrontDoor;

namespace OrleansEc2.Api.Ec2.Actions;

/// <summary>DescribeRegions and DescribeAvailabilityZones, from the configured regions.</summary>
internal static class RegionActions
{
    private static readonly HashSet<string> RegionFilters = ["region-name", "endpoint", "opt-in-status"];

    private static readonly HashSet<string> ZoneFilters =
        ["zone-name", "zone-id", "region-name", "state", "zone-type", "group-name", "opt-in-status", "message"];

    public static IEnumerable<Ec2Action> All()
    {
        yield return new Ec2Action(
            "DescribeRegions",
            new ParameterSchema([.. ParameterSchema.Filters, "RegionName.N", "AllRegions"]),
            DescribeRegionsAsync);
        yield return new Ec2Action(
            "DescribeAvailabilityZones",
            new ParameterSchema([.. ParameterSchema.Filters, "ZoneName.N", "ZoneId.N", "AllAvailabilityZones"]),
            DescribeAvailabilityZonesAsync);
    }

    public static string Endpoint(string region) => $"ec2.{region}.amazonaws.com";

    private static async Task<Ec2Body> DescribeRegionsAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var names = p.GetList("RegionName");
        p.GetBool("AllRegions");
        var filters = p.GetFilters(RegionFilters.Contains);
        var regions = await context.Services.Regions.GetRegionsAsync();
        foreach (var name in names)
        {
            if (!regions.Any(r => r.RegionName == name))
            {
                throw QueryParameters.Invalid($"Invalid region: {name}");
            }
        }

        context.ThrowIfDryRun();
        var xml = new Ec2XmlWriter().Start("regionInfo");
        foreach (var region in regions)
        {
            if (!names.IsEmpty && !names.Contains(region.RegionName))
            {
                continue;
            }

            var endpoint = Endpoint(region.RegionName);
            var matches = filters.All(f => f.Name switch
            {
                "region-name" => Ec2Wildcard.MatchesAny(f.Values, region.RegionName),
                "endpoint" => Ec2Wildcard.MatchesAny(f.Values, endpoint),
                _ => Ec2Wildcard.MatchesAny(f.Values, "opt-in-not-required"),
            });
            if (!matches)
            {
                continue;
            }

            xml.Start("item")
                .Element("regionName", region.RegionName)
                .Element("regionEndpoint", endpoint)
                .Element("optInStatus", "opt-in-not-required")
                .End("item");
        }

        return Ec2Body.From(xml.End("regionInfo"));
    }

    private static async Task<Ec2Body> DescribeAvailabilityZonesAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var names = p.GetList("ZoneName");
        var ids = p.GetList("ZoneId");
        p.GetBool("AllAvailabilityZones");
        var filters = p.GetFilters(ZoneFilters.Contains);
        var region = await context.Services.Regions.FindAsync(context.Caller.Region)
            ?? throw new Ec2Exception(Ec2ErrorCodes.InvalidRegion, $"The region '{context.Caller.Region}' is not configured.");
        var zones = region.AvailabilityZones
            .Select((name, index) => (Name: name, Id: ConfiguredRegions.ZoneId(region.RegionName, index)))
            .ToImmutableArray();
        foreach (var name in names)
        {
            if (!zones.Any(z => z.Name == name))
            {
                throw QueryParameters.Invalid($"Invalid availability zone: [{name}]");
            }
        }

        foreach (var id in ids)
        {
            if (!zones.Any(z => z.Id == id))
            {
                throw QueryParameters.Invalid($"Invalid availability zone ID: [{id}]");
            }
        }

        context.ThrowIfDryRun();
        var xml = new Ec2XmlWriter().Start("availabilityZoneInfo");
        foreach (var zone in zones)
        {
            if ((!names.IsEmpty || !ids.IsEmpty) && !names.Contains(zone.Name) && !ids.Contains(zone.Id))
            {
                continue;
            }

            var matches = filters.All(f => f.Name switch
            {
                "zone-name" => Ec2Wildcard.MatchesAny(f.Values, zone.Name),
                "zone-id" => Ec2Wildcard.MatchesAny(f.Values, zone.Id),
                "region-name" => Ec2Wildcard.MatchesAny(f.Values, region.RegionName),
                "state" => Ec2Wildcard.MatchesAny(f.Values, "available"),
                "zone-type" => Ec2Wildcard.MatchesAny(f.Values, "availability-zone"),
                "group-name" => Ec2Wildcard.MatchesAny(f.Values, region.RegionName),
                "opt-in-status" => Ec2Wildcard.MatchesAny(f.Values, "opt-in-not-required"),
                _ => false,
            });
            if (!matches)
            {
                continue;
            }

            xml.Start("item")
                .Element("zoneName", zone.Name)
                .Element("zoneState", "available")
                .Element("regionName", region.RegionName)
                .Empty("messageSet")
                .Element("zoneId", zone.Id)
                .Element("zoneType", "availability-zone")
                .Element("optInStatus", "opt-in-not-required")
                .Element("groupName", region.RegionName)
                .Element("networkBorderGroup", region.RegionName)
                .End("item");
        }

        return Ec2Body.From(xml.End("availabilityZoneInfo"));
    }
}

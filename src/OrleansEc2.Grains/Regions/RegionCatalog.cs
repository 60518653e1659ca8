using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansEc2.Grains.Configuration;

namespace OrleansEc2.Grains.Regions;

/// <summary>A public AMI seeded from configuration, in one region.</summary>
public sealed record PublicImage(ImageDescription Description, PublicImageOptions Options, long DiskSizeBytes);

/// <summary>
/// The configured regions and their public AMIs, computed once from <see cref="SimulatorOptions"/>. A public AMI's id is
/// derived from its region and name, so it is the same on every start and different in every region, as on EC2.
/// </summary>
public sealed class RegionCatalog
{
    /// <summary>The account that owns the public AMIs (alias <c>amazon</c>).</summary>
    public const string AmazonOwnerId = "137112412989";

    public const string AmazonOwnerAlias = "amazon";

    private static readonly DateTimeOffset PublicImageCreationDate = new(2008, 10, 23, 0, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<string, RegionInfo> _regions;
    private readonly Dictionary<string, PublicImage> _publicImages;

    public RegionCatalog(IOptions<SimulatorOptions> options)
    {
        var settings = options.Value;
        Regions = [.. settings.Regions.Select(ToRegionInfo)];
        _regions = Regions.ToDictionary(r => r.RegionName, StringComparer.Ordinal);
        _publicImages = [];
        foreach (var region in Regions)
        {
            foreach (var image in settings.PublicImages)
            {
                var id = PublicImageId(region.RegionName, image.Name);
                var description = new ImageDescription(
                    id,
                    region.RegionName,
                    AmazonOwnerId,
                    AmazonOwnerAlias,
                    image.Name,
                    image.Description,
                    image.Architecture,
                    image.Platform,
                    ImageState.Available,
                    $"{PublicBucket(image.Platform)}/{image.Name}.manifest.xml",
                    IsPublic: true,
                    PublicImageCreationDate,
                    StateReason: null,
                    Tags: []);
                _publicImages[id] = new PublicImage(description, image, image.DiskSizeBytes ?? settings.Disk.DefaultSizeBytes);
            }
        }
    }

    public ImmutableArray<RegionInfo> Regions { get; }

    public RegionInfo? FindRegion(string name) => _regions.GetValueOrDefault(name);

    /// <summary>The region named <paramref name="region"/>, or <c>InvalidRegion</c>.</summary>
    public RegionInfo GetRegion(string region) => FindRegion(region)
        ?? throw new Ec2Exception(Ec2ErrorCodes.InvalidRegion, $"The region '{region}' does not exist.");

    public PublicImage? FindPublicImage(string imageId) => _publicImages.GetValueOrDefault(imageId);

    public IEnumerable<PublicImage> PublicImagesIn(string region) => _publicImages.Values.Where(i => i.Description.Region == region);

    private static RegionInfo ToRegionInfo(RegionOptions region)
    {
        var zones = region.AvailabilityZones.Count == 0 ? ["a", "b", "c"] : region.AvailabilityZones;
        return new RegionInfo(
            region.Name,
            string.IsNullOrEmpty(region.LegacyLocation) ? region.Name : region.LegacyLocation,
            [.. zones.Select(z => z.StartsWith(region.Name, StringComparison.Ordinal) ? z : region.Name + z)]);
    }

    private static string PublicImageId(string region, string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"public-ami/{region}/{name}"));
        return "ami-" + Convert.ToHexStringLower(hash)[..17];
    }

    private static string PublicBucket(Platform platform) => platform == Platform.Windows ? "ec2-public-windows-images" : "ec2-public-images";
}

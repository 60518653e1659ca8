using System.Collections.Immutable;

namespace OrleansEc2.Client;

/// <summary>
/// AMIs as an account works with them in a region (what <c>ec2-register</c>, <c>ec2-describe-images</c>,
/// <c>ec2-deregister</c> and <c>ec2-modify-image-attribute</c> do): register a bundle's manifest, list and inspect
/// images, share them with other accounts or everyone, and deregister them. Errors are <see cref="Ec2Exception"/>s
/// with EC2's codes.
/// </summary>
public static class AccountRegionImages
{
    /// <summary>The caller these helpers act as.</summary>
    public static Caller Caller(this AccountRegionClient account) => new(account.AccountId, account.Region);

    /// <summary>An image grain by id (<c>InvalidAMIID.Malformed</c> for a malformed id).</summary>
    public static IImageGrain Image(this AccountRegionClient account, string imageId)
    {
        Ec2Ids.EnsureImageId(imageId);
        return account.Grains.GetGrain<IImageGrain>(imageId);
    }

    /// <summary>Registers the manifest at <paramref name="imageLocation"/> (<c>bucket/prefix.manifest.xml</c>) as a new AMI.</summary>
    public static Task<ImageDescription> RegisterImageAsync(
        this AccountRegionClient account,
        string imageLocation,
        string name,
        string? description = null,
        string? architecture = null)
        => account.Grains.GetGrain<IImageGrain>(Ec2Ids.NewImageId())
            .RegisterAsync(new RegisterImageRequest(account.Caller(), imageLocation, name, description, architecture));

    /// <summary>The images the account sees here (public, its own, shared with it), as DescribeImages selects them.</summary>
    public static Task<ImmutableArray<ImageDescription>> DescribeImagesAsync(
        this AccountRegionClient account,
        IEnumerable<string>? imageIds = null,
        IEnumerable<string>? owners = null,
        IEnumerable<string>? executableBy = null,
        IEnumerable<Ec2Filter>? filters = null)
        => account.Resources.DescribeImagesAsync(new ImageQuery(
            [.. imageIds ?? []],
            [.. owners ?? []],
            [.. executableBy ?? []],
            [.. filters ?? []]));

    /// <summary>One image as the account sees it (<c>InvalidAMIID.NotFound</c> when it cannot).</summary>
    public static Task<ImageDescription> DescribeImageAsync(this AccountRegionClient account, string imageId)
        => account.Image(imageId).DescribeAsync(account.Caller());

    public static Task DeregisterImageAsync(this AccountRegionClient account, string imageId)
        => account.Image(imageId).DeregisterAsync(account.Caller());

    /// <summary>Lets <paramref name="accountIds"/> launch the image (and see it in their DescribeImages).</summary>
    public static Task<ImageLaunchPermissions> ShareImageAsync(this AccountRegionClient account, string imageId, params string[] accountIds)
        => account.Image(imageId).ModifyLaunchPermissionAsync(account.Caller(), new LaunchPermissionModification([.. accountIds], false, [], false));

    /// <summary>Takes back the launch permission of <paramref name="accountIds"/>.</summary>
    public static Task<ImageLaunchPermissions> UnshareImageAsync(this AccountRegionClient account, string imageId, params string[] accountIds)
        => account.Image(imageId).ModifyLaunchPermissionAsync(account.Caller(), new LaunchPermissionModification([], false, [.. accountIds], false));

    /// <summary>Adds or removes the launch permission of the group <c>all</c>.</summary>
    public static Task<ImageLaunchPermissions> SetImagePublicAsync(this AccountRegionClient account, string imageId, bool isPublic)
        => account.Image(imageId).ModifyLaunchPermissionAsync(account.Caller(), new LaunchPermissionModification([], isPublic, [], !isPublic));

    /// <summary>Who may launch the image besides the account (the owner only may ask).</summary>
    public static async Task<ImageLaunchPermissions> DescribeLaunchPermissionsAsync(this AccountRegionClient account, string imageId)
        => (await account.Image(imageId).DescribeAttributesAsync(account.Caller(), ImageAttributeName.LaunchPermission)).LaunchPermissions!;

    /// <summary>Back to the owner alone (ResetImageAttribute of the launch permission).</summary>
    public static Task ResetLaunchPermissionsAsync(this AccountRegionClient account, string imageId)
        => account.Image(imageId).ResetLaunchPermissionAsync(account.Caller());
}

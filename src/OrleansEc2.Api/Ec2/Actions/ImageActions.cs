using System.Text.RegularExpressions;

namespace OrleansEc2.Api.Ec2.Actions;

/// <summary>DescribeImages: the public AMIs of the region and the caller's own (and those shared with it).</summary>
internal static partial class ImageActions
{
    private static readonly HashSet<string> ImageFilters =
    [
        "architecture", "description", "image-id", "image-type", "is-public", "name", "owner-alias", "owner-id",
        "platform", "root-device-type", "state", "tag-key", "tag-value", "manifest-location",
    ];

    public static IEnumerable<Ec2Action> All()
    {
        yield return new Ec2Action(
            "DescribeImages",
            new ParameterSchema([.. ParameterSchema.Filters, "ImageId.N", "Owner.N", "ExecutableBy.N", "IncludeDeprecated", "IncludeDisabled", "MaxResults", "NextToken"]),
            DescribeImagesAsync);
    }

    private static async Task<Ec2Body> DescribeImagesAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var ids = p.GetList("ImageId");
        foreach (var id in ids)
        {
            Ec2Ids.EnsureImageId(id);
        }

        var owners = p.GetList("Owner");
        foreach (var owner in owners)
        {
            if (owner is not ("self" or "amazon" or "aws-marketplace") && !AccountIdPattern().IsMatch(owner))
            {
                throw QueryParameters.Invalid($"Invalid value '{owner}' for Owner: expected 'self', 'amazon' or a 12-digit account id.");
            }
        }

        var executableBy = p.GetList("ExecutableBy");
        foreach (var who in executableBy)
        {
            if (who is not ("self" or "all") && !AccountIdPattern().IsMatch(who))
            {
                throw QueryParameters.Invalid($"Invalid value '{who}' for ExecutableBy: expected 'self', 'all' or a 12-digit account id.");
            }
        }

        p.GetBool("IncludeDeprecated");
        p.GetBool("IncludeDisabled");
        var filters = p.GetFilters(name => ImageFilters.Contains(name) || (name.StartsWith("tag:", StringComparison.Ordinal) && name.Length > 4));
        var maxResults = p.GetInt("MaxResults", 1, 1000);
        var nextToken = p.Get("NextToken") is { Length: > 0 } token ? token : null;
        context.ThrowIfDryRun();

        var images = (await context.AccountRegion.DescribeImagesAsync(new ImageQuery(ids, owners, executableBy, filters))).OrEmpty()
            .OrderBy(i => i.ImageId, StringComparer.Ordinal)
            .ToList();
        var (page, next) = OffsetPaging.Page(images, maxResults, nextToken, "DescribeImages\n" + context.Caller.AccountRegionKey + "\n" + p.CanonicalText("Action", "Version", "DryRun", "NextToken", "MaxResults"));
        var xml = new Ec2XmlWriter(2048).Start("imagesSet");
        foreach (var image in page)
        {
            xml.Start("item")
                .Element("imageId", image.ImageId)
                .Element("imageLocation", image.ImageLocation)
                .Element("imageState", image.State.ToEc2Name())
                .Element("imageOwnerId", image.OwnerId)
                .Element("creationDate", image.CreationDate)
                .Element("isPublic", image.IsPublic)
                .Empty("productCodes")
                .Element("architecture", image.Architecture)
                .Element("imageType", ImageDescription.ImageType);
            if (image.Platform == Platform.Windows)
            {
                xml.Element("platform", "windows");
            }

            xml.Element("platformDetails", Ec2Shapes.PlatformDetails(image.Platform))
                .Element("usageOperation", Ec2Shapes.UsageOperation(image.Platform))
                .Element("imageOwnerAlias", image.OwnerAlias)
                .Element("name", image.Name)
                .Element("description", image.Description)
                .Element("rootDeviceType", ImageDescription.RootDeviceType)
                .Empty("blockDeviceMapping")
                .Element("virtualizationType", image.Platform == Platform.Windows ? "hvm" : "paravirtual")
                .Element("hypervisor", "xen");
            if (image.StateReason is not null)
            {
                xml.Start("stateReason").Element("code", image.StateReasonCode()).Element("message", image.StateReason).End("stateReason");
            }

            Ec2Shapes.TagSet(xml, image.Tags);
            xml.End("item");
        }

        return Ec2Body.From(xml.End("imagesSet").Element("nextToken", next));
    }

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();
}

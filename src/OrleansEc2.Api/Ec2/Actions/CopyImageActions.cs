namespace OrleansEc2.Api.Ec2.Actions;

/// <summary>
/// CopyImage, called in the destination region, for an instance-store image the caller owns: its bundle is migrated
/// into the caller's <c>amis-for-{account}-in-{region}</c> bucket there and registered as the new image, which is
/// pending until then (failed, with the reason, if the copy fails). A repeated ClientToken answers the same image.
/// </summary>
internal static class CopyImageActions
{
    private const int MaxClientTokenLength = 64;

    public static IEnumerable<Ec2Action> All()
    {
        yield return new Ec2Action(
            "CopyImage",
            new ParameterSchema("SourceRegion", "SourceImageId", "Name", "Description", "ClientToken", "Encrypted"),
            CopyImageAsync);
    }

    private static async Task<Ec2Body> CopyImageAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var sourceRegion = p.Require("SourceRegion");
        var sourceImageId = p.Require("SourceImageId");
        var name = p.Require("Name");
        var description = p.Get("Description");
        var clientToken = p.Get("ClientToken") is { Length: > 0 } token ? token : null;
        Ec2Ids.EnsureImageId(sourceImageId);
        if (clientToken is not null && (clientToken.Length > MaxClientTokenLength || !clientToken.All(c => c is >= ' ' and <= '~')))
        {
            throw QueryParameters.Invalid($"Value for parameter ClientToken is invalid: at most {MaxClientTokenLength} printable ASCII characters.");
        }

        if (!TextRules.IsXmlSafe(name) || (description is not null && !TextRules.IsXmlSafe(description)))
        {
            throw QueryParameters.Invalid("The name and description of an image may not contain control characters.");
        }

        if (p.GetBool("Encrypted"))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.UnsupportedOperation,
                "Encrypted copies are of EBS snapshots: an instance-store image's copy is its bundle, re-sealed for the destination region.");
        }

        context.ThrowIfDryRun();

        var (imageId, migrationId) = CopyImageIds.For(context.Caller, clientToken);
        var copy = await context.Grains.GetGrain<IMigrationGrain>(migrationId).StartCopyImageAsync(
            new CopyImageRequest(context.Caller, sourceRegion, sourceImageId, name, description, imageId));
        return Ec2Body.From(new Ec2XmlWriter(128).Element("imageId", copy.ImageId));
    }
}

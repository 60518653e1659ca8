using OrleansEc2.Grains.Images;
using OrleansEc2.Grains.Regions;

namespace OrleansEc2.Grains.Migrations;

/// <summary>
/// CopyImage as a migration: checks the source image (the caller's own, available, with a bundle) and the new image's
/// name, and asks for its bundle to go, signed with the account's own credentials, into the caller's
/// <c>amis-for-{account}-in-{region}</c> bucket of the destination region, under the new image's id.
/// </summary>
internal static class CopyImagePlan
{
    public static string DestinationBucket(string accountId, string region) => $"amis-for-{accountId}-in-{region}";

    public static async Task<MigrateImageRequest> MakeAsync(IGrainFactory grains, RegionCatalog regions, CopyImageRequest request)
    {
        var caller = request.Caller;
        if (string.IsNullOrEmpty(request.SourceRegion))
        {
            throw new Ec2Exception(Ec2ErrorCodes.MissingParameter, "The request must contain the parameter SourceRegion.");
        }

        if (regions.FindRegion(request.SourceRegion) is null)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidRegion, $"Invalid region: {request.SourceRegion} (SourceRegion) is not a region of this simulator.");
        }

        regions.GetRegion(caller.Region);
        Ec2Ids.EnsureImageId(request.SourceImageId);
        ImageRules.ValidateName(request.Name);
        ImageRules.ValidateDescription(request.Description);

        var source = await grains.GetGrain<IImageGrain>(request.SourceImageId).DescribeAsync(new Caller(caller.AccountId, request.SourceRegion));
        if (source.OwnerId != caller.AccountId)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.UnsupportedOperation,
                $"The image {request.SourceImageId} belongs to {source.OwnerAlias ?? source.OwnerId}: the simulator copies only images you own (another's bundle is sealed to its owner's certificate).");
        }

        if (source.State != ImageState.Available)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidAmiIdUnavailable,
                $"The image {request.SourceImageId} is {source.State.ToEc2Name()}: only an available image can be copied.");
        }

        var location = ImageRules.ParseLocation(source.ImageLocation);
        var credentials = await grains.GetGrain<IAccountGrain>(caller.AccountId).GetSigningCredentialsAsync();
        return new MigrateImageRequest(
            caller.AccountId,
            credentials.CertificatePem,
            credentials.PrivateKeyPem,
            location.Bucket,
            location.Key,
            DestinationBucket(caller.AccountId, caller.Region),
            caller.Region,
            request.ImageId + "/",
            new MigrationImageRegistration(
                request.ImageId,
                request.Name,
                string.IsNullOrEmpty(request.Description) ? null : request.Description,
                source.Architecture,
                source.Platform,
                request.SourceImageId,
                request.SourceRegion));
    }
}

using OrleansEc2.Bundling.Disks;
using OrleansEc2.Grains.Hosting;
using OrleansEc2.Grains.Regions;

namespace OrleansEc2.Grains.Images;

/// <summary>
/// One AMI. A public AMI comes from configuration; its disk is the deterministic synthetic disk of its seed, generated
/// on first launch and kept as a blob, so every launch after the first copies bytes instead of generating them.
/// </summary>
public sealed class ImageGrain(
    [PersistentState("image", GrainStorage.Name)] IPersistentState<ImageGrainState> state,
    IBlobStore blobs,
    RegionCatalog catalog) : Grain, IImageGrain
{
    private string ImageId => this.GetPrimaryKeyString();

    public Task<ImageDescription> DescribeAsync(Caller caller) => Task.FromResult(Visible(caller).Description);

    public async Task<LaunchDisk> ResolveLaunchDiskAsync(Caller caller)
    {
        var image = Visible(caller);
        if (state.State.LaunchDisk is { } disk && blobs.Exists(disk.BlobHash))
        {
            return disk;
        }

        var path = blobs.NewTemporaryPath();
        try
        {
            await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                SyntheticDisk.Write(output, new SyntheticDiskSpec(
                    image.DiskSizeBytes,
                    image.Options.Seed,
                    image.Description.Platform == Platform.Windows ? DiskPlatform.Windows : DiskPlatform.Linux));
            }

            var blob = await blobs.CommitTemporaryFileAsync(path);
            await blobs.AddReferenceAsync(blob.Hash, "image:" + ImageId);
            state.State.LaunchDisk = new LaunchDisk(blob.Hash, blob.Length, image.Description.Platform, image.Description.Architecture);
            await state.WriteStateAsync();
            return state.State.LaunchDisk;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private PublicImage Visible(Caller caller)
    {
        var image = catalog.FindPublicImage(ImageId);
        if (image is null || image.Description.Region != caller.Region)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidAmiIdNotFound, $"The image id '[{ImageId}]' does not exist");
        }

        return image;
    }
}

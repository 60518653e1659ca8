using System.Collections.Immutable;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;
using OrleansEc2.Grains.Configuration;
using OrleansEc2.Grains.Hosting;
using OrleansEc2.Grains.Regions;

namespace OrleansEc2.Grains.Images;

/// <summary>
/// One AMI. A public AMI comes from configuration; its disk is the deterministic synthetic disk of its seed, generated
/// on first launch and kept as a blob. A registered AMI comes from a bundle's manifest in a bucket: registering only
/// reads and verifies the manifest; the first launch reads and verifies the parts and unbundles the disk once, and
/// every later launch copies that disk, as long as the bundle's objects are still the ones registered. A CopyImage's
/// image is reserved pending (its name claimed) while its migration copies the bundle, then registered from the copied
/// manifest (available), or failed with the reason; deregistering it while pending is how the copy is cancelled (the
/// migration looks at the image before it copies each part, and stops).
/// </summary>
/// <remarks>
/// Unbundling a big disk can take longer than a call's timeout, and concurrent launches must share one unbundle. So the
/// grain is reentrant, every call runs inside <see cref="_gate"/> (one at a time, as a non-reentrant grain would), and
/// the unbundle runs off the grain's turn as one task that every launch waiting for it awaits outside the gate.
/// </remarks>
[Reentrant]
public sealed class ImageGrain(
    [PersistentState("image", GrainStorage.Name)] IPersistentState<ImageGrainState> state,
    IBlobStore blobs,
    RegionCatalog catalog,
    IOptions<SimulatorOptions> options,
    IOptions<ImageLaunchOptions> launchOptions,
    ISimulationClock clock,
    ILogger<ImageGrain> logger) : Grain, IImageGrain
{
    /// <summary>The code of EC2's 503 answer (the service is busy: retry), which clients retry by themselves.</summary>
    public const string UnavailableCode = "Unavailable";

    private readonly SemaphoreSlim _gate = new(1, 1);

    private Task<LaunchDisk>? _unbundling;

    private string ImageId => this.GetPrimaryKeyString();

    private string DiskHolder => "image:" + ImageId;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Description is null)
        {
            return;
        }

        try
        {
            // Repairs the indexes if the silo stopped between persisting a change and publishing it.
            await PublishAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not publish image {ImageId} to the account indexes", ImageId);
        }
    }

    public Task<ImageDescription> DescribeAsync(Caller caller) => GatedAsync(() => Task.FromResult(
        state.State.Description is null ? PublicImage(caller).Description : Visible(caller)));

    public async Task<LaunchDisk> ResolveLaunchDiskAsync(Caller caller)
    {
        Task<LaunchDisk> unbundling;
        await _gate.WaitAsync();
        try
        {
            if (state.State.Description is null)
            {
                return await ResolvePublicDiskAsync(PublicImage(caller));
            }

            var image = Visible(caller);
            if (image.State != ImageState.Available)
            {
                throw NotLaunchable(image);
            }

            await EnsureBundleUnchangedAsync(image);
            if (state.State.LaunchDisk is { } disk && blobs.Exists(disk.BlobHash))
            {
                return disk;
            }

            unbundling = _unbundling ??= UnbundleAsync();
        }
        finally
        {
            _gate.Release();
        }

        try
        {
            return await unbundling.WaitAsync(launchOptions.Value.FirstLaunchWait);
        }
        catch (TimeoutException) when (!unbundling.IsCompleted)
        {
            var bundle = state.State.Bundle!;
            throw new Ec2Exception(
                UnavailableCode,
                $"The image {ImageId} is being unbundled for its first launch ({bundle.ImageSize / (1024 * 1024)} MiB from {bundle.Parts.Length} part(s)): retry in a few seconds.");
        }
    }

    public Task<ImageDescription> RegisterAsync(RegisterImageRequest request) => GatedAsync(async () =>
    {
        var caller = request.Caller;
        var requestHash = Hash(request);
        if (state.State.Description is { } registered)
        {
            if (registered.OwnerId == caller.AccountId && state.State.RegistrationHash == requestHash)
            {
                return registered;
            }

            throw new InvalidOperationException($"Image {ImageId} is already registered.");
        }

        if (catalog.FindPublicImage(ImageId) is not null)
        {
            throw new InvalidOperationException($"Image {ImageId} is a public image of the configuration.");
        }

        ImageRules.ValidateName(request.Name);
        ImageRules.ValidateDescription(request.Description);
        ImageRules.ValidateArchitecture(request.Architecture);
        var location = ImageRules.ParseLocation(request.ImageLocation);
        catalog.GetRegion(caller.Region);

        var started = Stopwatch.GetTimestamp();
        var checkedBundle = await new ManifestCheck(GrainFactory, blobs, catalog).CheckAsync(caller, location);
        var architecture = request.Architecture ?? checkedBundle.Manifest.Architecture ?? "i386";
        if (!ImageRules.IsArchitecture(architecture))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidManifest,
                $"The manifest {location} is not valid: its architecture '{architecture}' is neither i386 nor x86_64; give the Architecture parameter.");
        }

        var description = new ImageDescription(
            ImageId,
            caller.Region,
            caller.AccountId,
            OwnerAlias: null,
            request.Name,
            string.IsNullOrEmpty(request.Description) ? null : request.Description,
            architecture,
            checkedBundle.Platform,
            ImageState.Available,
            location.ToString(),
            IsPublic: false,
            clock.UtcNow,
            StateReason: null,
            Tags: []);

        // Persisted before the name is claimed: a crash in between leaves an image nobody knows, never a claimed name
        // that no image holds.
        state.State.Description = description;
        state.State.Bundle = checkedBundle.Bundle;
        state.State.RegistrationHash = requestHash;
        await state.WriteStateAsync();
        try
        {
            await Index(caller.AccountId).RegisterImageAsync(description);
        }
        catch (Ec2Exception)
        {
            await state.ClearStateAsync();
            state.State = new ImageGrainState();
            throw;
        }

        logger.LogInformation(
            "Registered {ImageId} ({Name}) from {Location} for {Account} in {Region}: {Parts} part(s), {Platform}, checked in {Elapsed:F1} ms",
            ImageId,
            request.Name,
            location,
            caller.AccountId,
            caller.Region,
            checkedBundle.Bundle.Parts.Length,
            checkedBundle.Platform,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return description;
    });

    public Task DeregisterAsync(Caller caller) => GatedAsync(async () =>
    {
        var image = Owned(caller);
        var disk = state.State.LaunchDisk;
        await ChangeAsync(image with { State = ImageState.Deregistered }, state.State.LaunchPermissionUserIds, dropDisk: true);
        if (disk is not null)
        {
            await blobs.RemoveReferenceAsync(disk.BlobHash, DiskHolder);
        }

        if (image.State == ImageState.Pending)
        {
            logger.LogInformation("Deregistered {ImageId} while its copy was pending: migration {MigrationId} stops at its next part", ImageId, state.State.Pending!.MigrationId);
        }

        return true;
    });

    public Task<ImageAttributes> DescribeAttributesAsync(Caller caller, ImageAttributeName attribute) => GatedAsync(() =>
    {
        if (state.State.Description is null)
        {
            var image = PublicImage(caller).Description;
            if (attribute == ImageAttributeName.LaunchPermission)
            {
                throw NotAuthorized();
            }

            return Task.FromResult(new ImageAttributes(ImageId, image.Description, null, null, [], [], null));
        }

        var registered = Visible(caller);
        if (registered.State == ImageState.Deregistered)
        {
            throw Unavailable();
        }

        var isOwner = registered.OwnerId == caller.AccountId;
        if (attribute == ImageAttributeName.LaunchPermission && !isOwner)
        {
            throw NotAuthorized();
        }

        // A copy that is pending or failed has no registered bundle yet: the manifest being copied says the same.
        var launchPermissions = isOwner ? LaunchPermissions() : null;
        if (state.State.Bundle is not { } bundle)
        {
            var pending = state.State.Pending!;
            return Task.FromResult(new ImageAttributes(
                ImageId, registered.Description, pending.KernelId, pending.RamdiskId, pending.ProductCodes, pending.BlockDeviceMappings, launchPermissions));
        }

        return Task.FromResult(new ImageAttributes(
            ImageId,
            registered.Description,
            bundle.KernelId,
            bundle.RamdiskId,
            bundle.ProductCodes,
            bundle.BlockDeviceMappings,
            launchPermissions));
    });

    public Task<ImageLaunchPermissions> ModifyLaunchPermissionAsync(Caller caller, LaunchPermissionModification modification) => GatedAsync(async () =>
    {
        var image = Changeable(caller);
        var add = modification.AddUserIds.IsDefault ? [] : modification.AddUserIds;
        var remove = modification.RemoveUserIds.IsDefault ? [] : modification.RemoveUserIds;
        foreach (var userId in add.Concat(remove))
        {
            if (!ImageRules.IsAccountId(userId))
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.InvalidAmiAttributeItemValue,
                    $"Invalid attribute item value ({userId}) for userId item type: a user id is a 12-digit account id.");
            }
        }

        // The owner may always launch its image: naming it changes nothing.
        var users = state.State.LaunchPermissionUserIds
            .Concat(add.Where(u => u != image.OwnerId))
            .Except(remove)
            .Distinct()
            .ToList();
        var isPublic = (image.IsPublic || modification.AddGroupAll) && !modification.RemoveGroupAll;
        if (isPublic != image.IsPublic || !users.SequenceEqual(state.State.LaunchPermissionUserIds))
        {
            await ChangeAsync(image with { IsPublic = isPublic }, users, dropDisk: false);
        }

        return LaunchPermissions();
    });

    public Task<ImageDescription> ModifyDescriptionAsync(Caller caller, string description) => GatedAsync(async () =>
    {
        var image = Changeable(caller);
        ImageRules.ValidateDescription(description);
        var changed = image with { Description = description.Length == 0 ? null : description };
        if (changed != image)
        {
            await ChangeAsync(changed, state.State.LaunchPermissionUserIds, dropDisk: false);
        }

        return changed;
    });

    public Task ResetLaunchPermissionAsync(Caller caller) => GatedAsync(async () =>
    {
        var image = Changeable(caller);
        if (image.IsPublic || state.State.LaunchPermissionUserIds.Count > 0)
        {
            await ChangeAsync(image with { IsPublic = false }, [], dropDisk: false);
        }

        return true;
    });

    public Task<ImageLaunchCache> DescribeLaunchCacheAsync(Caller caller) => GatedAsync(() =>
    {
        if (state.State.Description is null)
        {
            PublicImage(caller);
        }
        else
        {
            Visible(caller);
        }

        return Task.FromResult(new ImageLaunchCache(ImageId, state.State.LaunchDisk, state.State.Unbundles));
    });

    public Task<ImageDescription> ReservePendingAsync(PendingImage pending) => GatedAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(pending);
        if (state.State.Description is { } existing)
        {
            if (state.State.Pending is { } reserved && IsSameReservation(reserved, pending))
            {
                return existing;
            }

            throw new InvalidOperationException($"Image {ImageId} already exists: a copy reserves a fresh image id.");
        }

        if (catalog.FindPublicImage(ImageId) is not null)
        {
            throw new InvalidOperationException($"Image {ImageId} is a public image of the configuration.");
        }

        ImageRules.ValidateName(pending.Name);
        ImageRules.ValidateDescription(pending.Description);
        ImageRules.ValidateArchitecture(pending.Architecture);
        ImageRules.ParseLocation(pending.ImageLocation);
        catalog.GetRegion(pending.Owner.Region);
        var description = new ImageDescription(
            ImageId,
            pending.Owner.Region,
            pending.Owner.AccountId,
            OwnerAlias: null,
            pending.Name,
            string.IsNullOrEmpty(pending.Description) ? null : pending.Description,
            pending.Architecture,
            pending.Platform,
            ImageState.Pending,
            pending.ImageLocation,
            IsPublic: false,
            pending.CreationDate,
            StateReason: null,
            Tags: []);

        // As RegisterAsync: persisted before the name is claimed, cleared again when the name is taken.
        state.State.Description = description;
        state.State.Pending = pending;
        await state.WriteStateAsync();
        try
        {
            await Index(pending.Owner.AccountId).RegisterImageAsync(description);
        }
        catch (Ec2Exception)
        {
            await state.ClearStateAsync();
            state.State = new ImageGrainState();
            throw;
        }

        logger.LogInformation(
            "Reserved {ImageId} ({Name}) for {Account} in {Region}: pending until migration {MigrationId} has copied {Location}",
            ImageId,
            pending.Name,
            pending.Owner.AccountId,
            pending.Owner.Region,
            pending.MigrationId,
            pending.ImageLocation);
        return description;
    });

    public Task<ImageDescription> CompletePendingAsync() => GatedAsync(async () =>
    {
        var image = state.State.Description;
        if (image is null || state.State.Pending is not { } pending)
        {
            throw new InvalidOperationException($"Image {ImageId} is no CopyImage's image: there is no pending copy to complete.");
        }

        switch (image.State)
        {
            case ImageState.Available:
                return image;
            case ImageState.Deregistered:
                throw new Ec2Exception(
                    Ec2ErrorCodes.InvalidAmiIdUnavailable,
                    $"The AMI ID '{ImageId}' was deregistered while its copy was pending: the copy is cancelled.");
            case ImageState.Failed:
                throw new Ec2Exception(
                    Ec2ErrorCodes.InvalidAmiIdUnavailable,
                    $"The AMI ID '{ImageId}' is failed ({image.StateReason}): its copy cannot complete.");
        }

        var started = Stopwatch.GetTimestamp();
        var location = ImageRules.ParseLocation(pending.ImageLocation);
        var checkedBundle = await new ManifestCheck(GrainFactory, blobs, catalog).CheckAsync(pending.Owner, location);
        state.State.Bundle = checkedBundle.Bundle;
        var available = image with { State = ImageState.Available, Platform = checkedBundle.Platform, StateReason = null };
        await ChangeAsync(available, state.State.LaunchPermissionUserIds, dropDisk: false);
        logger.LogInformation(
            "Registered the copy {ImageId} ({Name}) from {Location} for {Account} in {Region}: {Parts} part(s), {Platform}, checked in {Elapsed:F1} ms",
            ImageId,
            available.Name,
            location,
            available.OwnerId,
            available.Region,
            checkedBundle.Bundle.Parts.Length,
            checkedBundle.Platform,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return available;
    });

    public Task<ImageDescription> FailPendingAsync(string reason) => GatedAsync(async () =>
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var image = state.State.Description;
        if (image is null || state.State.Pending is null)
        {
            throw new InvalidOperationException($"Image {ImageId} is no CopyImage's image: there is no pending copy to fail.");
        }

        if (image.State != ImageState.Pending)
        {
            return image;
        }

        var failed = image with { State = ImageState.Failed, StateReason = reason };
        await ChangeAsync(failed, state.State.LaunchPermissionUserIds, dropDisk: false);
        logger.LogInformation("The copy {ImageId} failed: {Reason}", ImageId, reason);
        return failed;
    });

    public Task WithdrawPendingAsync() => GatedAsync(async () =>
    {
        if (state.State.Description is not { State: ImageState.Pending } image || state.State.Pending is null)
        {
            return false;
        }

        // The index first: a crash in between leaves the state, which publishes the image again on activation, and
        // the withdrawal is tried again by the migration undoing its start.
        await Index(image.OwnerId).RemoveImageAsync(ImageId);
        await state.ClearStateAsync();
        state.State = new ImageGrainState();
        logger.LogInformation("Withdrew the pending copy {ImageId}: its CopyImage was not accepted", ImageId);
        return true;
    });

    private async Task<T> GatedAsync<T>(Func<Task<T>> action)
    {
        await _gate.WaitAsync();
        try
        {
            return await action();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<LaunchDisk> ResolvePublicDiskAsync(PublicImage image)
    {
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
            await blobs.AddReferenceAsync(blob.Hash, DiskHolder);
            state.State.LaunchDisk = new LaunchDisk(blob.Hash, blob.Length, image.Description.Platform, image.Description.Architecture);
            await state.WriteStateAsync();
            return state.State.LaunchDisk;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// The one unbundle of this activation's launches: started inside the gate, it reads and writes the disk on the
    /// thread pool and comes back to the grain (inside the gate) only to record the result.
    /// </summary>
    private async Task<LaunchDisk> UnbundleAsync()
    {
        // Returns the task to the caller before anything else, so that it is stored before it can complete.
        await Task.Yield();
        try
        {
            var image = state.State.Description!;
            var bundle = state.State.Bundle!;
            var ec2Key = await GrainFactory.GetGrain<IRegionGrain>(image.Region).GetEc2PrivateKeyPemAsync();
            var started = Stopwatch.GetTimestamp();
            UnbundledDisk unbundled;
            try
            {
                unbundled = await Task.Run(() => BundleUnpacker.UnbundleAsync(blobs, bundle, ec2Key, image.Region, DiskHolder));
            }
            catch (Exception e) when (e is BundleException or DiskException or FileNotFoundException)
            {
                throw LaunchFailure(bundle, e);
            }

            await _gate.WaitAsync();
            try
            {
                if (state.State.Description is not { State: ImageState.Available } current)
                {
                    await blobs.RemoveReferenceAsync(unbundled.Blob.Hash, DiskHolder);
                    throw Unavailable();
                }

                var previous = state.State.LaunchDisk;
                state.State.LaunchDisk = new LaunchDisk(unbundled.Blob.Hash, unbundled.Blob.Length, unbundled.Platform, current.Architecture);
                state.State.Unbundles++;
                await state.WriteStateAsync();
                if (previous is not null && previous.BlobHash != unbundled.Blob.Hash)
                {
                    await blobs.RemoveReferenceAsync(previous.BlobHash, DiskHolder);
                }

                logger.LogInformation(
                    "Unbundled {ImageId} from {Location}: {Bytes} bytes in {Elapsed:F0} ms (unbundle #{Count})",
                    ImageId,
                    current.ImageLocation,
                    unbundled.Blob.Length,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    state.State.Unbundles);
                return state.State.LaunchDisk;
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            _unbundling = null;
        }
    }

    /// <summary>Refuses a launch when the manifest or a part is no longer the object that was registered.</summary>
    private async Task EnsureBundleUnchangedAsync(ImageDescription image)
    {
        var bundle = state.State.Bundle!;
        var bucket = GrainFactory.GetGrain<IBucketGrain>(bundle.Bucket);
        var objects = new[] { bundle.Manifest }.Concat(bundle.Parts).ToList();
        var current = await Task.WhenAll(objects.Select(async o =>
        {
            try
            {
                return await bucket.GetObjectAsync(image.OwnerId, o.Key);
            }
            catch (Ec2Exception)
            {
                return null;
            }
        }));

        for (var i = 0; i < objects.Count; i++)
        {
            if (current[i]?.Blob.Hash != objects[i].BlobHash)
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.InvalidManifest,
                    $"The manifest or a part of {ImageId} changed in {bundle.Bucket}/{objects[i].Key} since it was registered"
                    + (current[i] is null ? " (it is no longer there)" : "")
                    + ": register the image again.");
            }
        }
    }

    /// <summary>Persists a change of a registered image and publishes it to every index that lists it or must.</summary>
    private async Task ChangeAsync(ImageDescription changed, List<string> users, bool dropDisk)
    {
        // Whoever listed the image before stays in PublishedTo until the change is published, so that a crash in
        // between still withdraws it on the next activation.
        state.State.Description = changed;
        state.State.LaunchPermissionUserIds = users;
        state.State.PublishedTo = [.. state.State.PublishedTo.Union(Audience())];
        if (dropDisk)
        {
            state.State.LaunchDisk = null;
        }

        await state.WriteStateAsync();
        await PublishAsync();
    }

    /// <summary>
    /// Pushes the description to the owner's index and to every account that may launch the image (all configured
    /// accounts when it is public), and withdraws it from those that no longer may.
    /// </summary>
    private async Task PublishAsync()
    {
        var image = state.State.Description!;
        ImmutableArray<string> users = [.. state.State.LaunchPermissionUserIds];
        var audience = Audience();
        await Index(image.OwnerId).PublishImageAsync(image, users);
        foreach (var account in audience)
        {
            await Index(account).PublishImageAsync(image, users);
        }

        var withdrawn = state.State.PublishedTo.Except(audience).ToList();
        foreach (var account in withdrawn)
        {
            await Index(account).RemoveImageAsync(ImageId);
        }

        if (withdrawn.Count > 0 || audience.Except(state.State.PublishedTo).Any())
        {
            state.State.PublishedTo = audience;
            await state.WriteStateAsync();
        }
    }

    /// <summary>The accounts other than the owner whose index should list the image now.</summary>
    private List<string> Audience()
    {
        var image = state.State.Description!;
        if (image.State == ImageState.Deregistered)
        {
            return [];
        }

        var accounts = image.IsPublic
            ? options.Value.Accounts.Select(a => a.AccountId).Concat(state.State.LaunchPermissionUserIds)
            : state.State.LaunchPermissionUserIds;
        return [.. accounts.Where(a => a != image.OwnerId).Distinct()];
    }

    private ImageLaunchPermissions LaunchPermissions()
        => new([.. state.State.LaunchPermissionUserIds], state.State.Description!.IsPublic);

    private IAccountRegionGrain Index(string accountId)
        => GrainFactory.GetGrain<IAccountRegionGrain>(AccountRegionKeys.Format(accountId, state.State.Description!.Region));

    /// <summary>A registered image <paramref name="caller"/> may see: its own, a public one, or one shared with it, in its region.</summary>
    private ImageDescription Visible(Caller caller)
    {
        var image = state.State.Description!;
        if (image.Region != caller.Region
            || (image.OwnerId != caller.AccountId && !image.IsPublic && !state.State.LaunchPermissionUserIds.Contains(caller.AccountId)))
        {
            throw NotFound();
        }

        return image;
    }

    /// <summary>An image <paramref name="caller"/> owns and may change: <c>AuthFailure</c> for one it only sees.</summary>
    private ImageDescription Owned(Caller caller)
    {
        if (state.State.Description is null)
        {
            PublicImage(caller);
            throw NotAuthorized();
        }

        var image = Visible(caller);
        if (image.OwnerId != caller.AccountId)
        {
            throw NotAuthorized();
        }

        if (image.State == ImageState.Deregistered)
        {
            throw Unavailable();
        }

        return image;
    }

    /// <summary>An image <paramref name="caller"/> owns and may change now: not while it is a pending or failed copy.</summary>
    private ImageDescription Changeable(Caller caller)
    {
        var image = Owned(caller);
        if (image.State != ImageState.Available)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidAmiIdUnavailable,
                $"The AMI ID '{ImageId}' is currently {image.State.ToEc2Name()} and may not be used for this operation");
        }

        return image;
    }

    private PublicImage PublicImage(Caller caller)
    {
        var image = catalog.FindPublicImage(ImageId);
        if (image is null || image.Description.Region != caller.Region)
        {
            throw NotFound();
        }

        return image;
    }

    private Ec2Exception LaunchFailure(RegisteredBundle bundle, Exception e) => e switch
    {
        // The part's blob went away: the object was overwritten or deleted after the check, and the blob collected.
        FileNotFoundException or BundleException { Error: BundleError.PartMissing } => new Ec2Exception(
            Ec2ErrorCodes.InvalidManifest,
            $"The manifest or a part of {ImageId} changed in {bundle.Bucket}/{bundle.Manifest.Key} since it was registered: register the image again."),
        _ => new Ec2Exception(
            Ec2ErrorCodes.InvalidManifest,
            $"{ImageId} cannot be launched: {e.Message} The bundle {bundle.Bucket}/{bundle.Manifest.Key} is damaged: bundle the instance and register the image again."),
    };

    private Ec2Exception NotFound() => new(Ec2ErrorCodes.InvalidAmiIdNotFound, $"The image id '[{ImageId}]' does not exist");

    private Ec2Exception NotAuthorized() => new(Ec2ErrorCodes.AuthFailure, $"Not authorized for image:{ImageId}");

    private Ec2Exception Unavailable() => new(Ec2ErrorCodes.InvalidAmiIdUnavailable, $"The image id '[{ImageId}]' is no longer available: it was deregistered");

    /// <summary>Why an image that is not available cannot be run (EC2's words for a pending one).</summary>
    private Ec2Exception NotLaunchable(ImageDescription image) => image.State switch
    {
        ImageState.Pending => new(Ec2ErrorCodes.InvalidAmiIdUnavailable, $"AMI '{ImageId}' is pending, and cannot be run: its copy is not finished"),
        ImageState.Failed => new(Ec2ErrorCodes.InvalidAmiIdUnavailable, $"AMI '{ImageId}' is failed, and cannot be run: {image.StateReason}"),
        _ => Unavailable(),
    };

    private static bool IsSameReservation(PendingImage a, PendingImage b)
        => a.Owner == b.Owner && a.Name == b.Name && a.Description == b.Description && a.Architecture == b.Architecture
            && a.Platform == b.Platform && a.ImageLocation == b.ImageLocation && a.MigrationId == b.MigrationId;

    private static string Hash(RegisterImageRequest request)
    {
        var text = string.Join("\n", request.Caller.AccountId, request.Caller.Region, request.ImageLocation, request.Name, request.Description, request.Architecture);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

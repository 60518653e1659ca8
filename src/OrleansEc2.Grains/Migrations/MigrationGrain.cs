using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansEc2.Bundling;
using OrleansEc2.Grains.Hosting;
using OrleansEc2.Grains.Regions;

namespace OrleansEc2.Grains.Migrations;

/// <summary>
/// One migration: ec2-migrate-image as a durable state machine.
/// <code>
/// pending ─► copying-parts (n/N) ─► writing-manifest ─► complete
///  (a different bundle's   (each part: the same blob   (the re-sealed manifest,
///   manifest at the         under the destination key)   unless the same bundle's is there)
///   destination removed)
/// any unfinished state ─► failed (code + message)
/// </code>
/// A CopyImage's migration reserves its image (pending) when it is accepted, registers it once the manifest is written
/// (available), and fails it with the reason when the copy fails. Deregistering the pending image cancels the copy: the
/// migration looks at the image before each part it copies, fails with <c>Client.Cancelled</c>, and a failed copy's
/// objects are removed from the destination (its folder there is the new image's own).
/// Everything that can be refused is checked, and the manifest re-sealed, before the migration is accepted; the work
/// then runs in a loop on the grain's scheduler, so Describe is answered while it runs. Every step is persisted before
/// the next; an unfinished migration resumes from its persisted step whenever the grain activates (the start-up scan
/// and a one-minute reminder make sure it does after a crash), and each step can be run again.
/// </summary>
public sealed partial class MigrationGrain(
    [PersistentState("migration", GrainStorage.Name)] IPersistentState<MigrationRecord> state,
    IBlobStore blobs,
    ISimulationClock clock,
    IOptions<MigrationOptions> options,
    RegionCatalog regions,
    IFaultInjector faults,
    ILogger<MigrationGrain> logger) : Grain, IMigrationGrain, IRemindable
{
    private const string ReminderName = "resume";

    /// <summary>A manifest of 10,000 parts is under 2 MB; anything much larger is not a manifest.</summary>
    private const int MaxManifestBytes = 8 << 20;

    private const string DefaultManifestContentType = "text/xml";

    /// <summary>What ec2-migrate-bundle writes the copied parts and manifest with by default (its <c>--acl</c>): EC2's AMI-reading account may read them.</summary>
    private const string MigratedAcl = ObjectCannedAcls.AwsExecRead;

    /// <summary>Orleans' smallest reminder period.</summary>
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private readonly WorkLoop _work = new();

    private IReadOnlyList<MigrationPart>? _parts;

    // Whether this activation has made sure the CopyImage's image is reserved on its image grain (see EnsureReservedAsync).
    private bool _reserved;

    // What Describe answers: the description as last persisted, so that nobody sees a step a crash could still undo.
    // It is set in the same turn that goes on to the next step, so that, once a step shows, its work has begun.
    // (After a restart mid-tidy-up, it may show a finished state whose tidy-up is still being redone.)
    private MigrationDescription? _persisted;

    private string MigrationId => this.GetPrimaryKeyString();

    /// <summary>How this migration is named as the holder of the re-sealed manifest's blob.</summary>
    private string Holder => "migration:" + MigrationId;

    private MigrationRecord Record => state.State;

    private MigrationDescription Current => Record.Description!;

    private IBucketGrain SourceBucket => GrainFactory.GetGrain<IBucketGrain>(Current.SourceBucket);

    private IBucketGrain DestinationBucket => GrainFactory.GetGrain<IBucketGrain>(Current.DestinationBucket);

    /// <summary>The image a CopyImage makes, as its owner asks for it.</summary>
    private Caller ImageOwner => new(Current.AccountId, Current.DestinationRegion);

    private IMigrationRegistryGrain Registry(string accountId) => GrainFactory.GetGrain<IMigrationRegistryGrain>(accountId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _persisted = Record.Description;
        EnsureRunning();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The persisted step is where the next activation resumes; the copy in flight is dropped, not failed.
        if (!await _work.StopAsync(cancellationToken))
        {
            LogDeactivatedWhileRunning(logger, MigrationId);
        }
    }

    public async Task<MigrationDescription> StartAsync(MigrateImageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var requestHash = HashOf(request);
        if (Record.Description is { } existing)
        {
            if (Record.Accepted && existing.AccountId == request.AccountId && Record.RequestHash == requestHash)
            {
                return _persisted ?? existing;
            }

            throw new Ec2Exception(
                Ec2ErrorCodes.IdempotentParameterMismatch,
                $"The migration id '{MigrationId}' was already used for another migration.");
        }

        var plan = await MigrationPlan.MakeAsync(GrainFactory, blobs, request, MaxManifestBytes);

        // Listed first, so that whatever a crash leaves behind from here on is found and undone by the start-up scan.
        await Registry(request.AccountId).AddAsync(MigrationId);
        BlobInfo manifest;
        await using (var text = new MemoryStream(Encoding.UTF8.GetBytes(plan.ResealedManifestXml), writable: false))
        {
            manifest = await blobs.PutAsync(text);
        }

        await blobs.AddReferenceAsync(manifest.Hash, Holder);
        var now = clock.UtcNow;
        state.State = new MigrationRecord
        {
            Description = new MigrationDescription(
                MigrationId,
                request.AccountId,
                request.SourceBucket,
                plan.SourceRegion,
                request.ManifestKey,
                request.DestinationBucket,
                plan.DestinationRegion,
                plan.DestinationManifestKey,
                MigrationState.Pending,
                PartsCopied: 0,
                PartCount: plan.Parts.Count,
                StartTime: now,
                UpdateTime: now,
                Error: null,
                ImageId: request.Registration?.ImageId),
            RequestHash = requestHash,
            CertificatePem = request.CertificatePem,
            ResealedManifest = manifest,
            ManifestContentType = plan.ManifestContentType,
            SourceFolder = plan.SourceFolder,
            DestinationFolder = plan.DestinationFolder,
            Registration = request.Registration,
        };
        try
        {
            await state.WriteStateAsync();
            await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
            if (request.Registration is { } registration)
            {
                // Claims the name (InvalidAMIName.Duplicate otherwise) and shows the copy as pending.
                await ImageOf(registration).ReservePendingAsync(PendingImageOf(registration, Manifest.Parse(plan.ResealedManifestXml)));
                _reserved = true;
            }

            if (!plan.DestinationBucketExists)
            {
                await CreateDestinationBucketAsync(request.AccountId, plan.DestinationRegion);
            }
        }
        catch
        {
            await UndoStartAsync();
            throw;
        }

        Record.Accepted = true;
        await state.WriteStateAsync();
        _persisted = Current;
        LogAccepted(logger, MigrationId, request.SourceBucket, request.ManifestKey, plan.SourceRegion, request.DestinationBucket, plan.DestinationRegion, plan.Parts.Count);
        EnsureRunning();
        return Current;
    }

    public async Task<MigrationDescription> StartCopyImageAsync(CopyImageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (MigrationId != CopyImageIds.MigrationIdOf(request.ImageId))
        {
            throw new ArgumentException($"The copy {request.ImageId} is made by migration {CopyImageIds.MigrationIdOf(request.ImageId)}, not {MigrationId}.", nameof(request));
        }

        return await StartAsync(await CopyImagePlan.MakeAsync(GrainFactory, regions, request));
    }

    public Task<MigrationDescription> DescribeAsync(string accountId)
    {
        if (_persisted is not { } description || !Record.Accepted || description.AccountId != accountId)
        {
            throw new Ec2Exception(MigrationErrorCodes.InvalidMigrationIdNotFound, $"The migration ID '{MigrationId}' does not exist");
        }

        return Task.FromResult(description);
    }

    public Task<bool> ResumeAsync()
    {
        EnsureRunning();
        return Task.FromResult(HasWork);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!HasWork)
        {
            await UnregisterReminderAsync();
            return;
        }

        EnsureRunning();
    }

    private bool HasWork => Record.Description is not null && !(Record.Accepted && Current.State.IsFinished() && Record.TidiedUp);

    private async Task CreateDestinationBucketAsync(string accountId, string region)
    {
        var bucket = DestinationBucket;
        try
        {
            await bucket.CreateAsync(accountId, region);
        }
        catch (Ec2Exception e) when (e.Code is Ec2ErrorCodes.BucketAlreadyExists or Ec2ErrorCodes.BucketAlreadyOwnedByYou)
        {
            // Created by someone else since the check: usable only if it is the caller's, there.
            if (await bucket.FindAsync() is not { } found)
            {
                throw;
            }

            MigrationPlan.EnsureUsableDestination(found, accountId, region);
        }
    }

    private async Task UndoStartAsync()
    {
        // What the record holds goes before the record, so that a failure part way leaves the record for the reminder
        // (or the start-up scan) to undo again.
        var record = Record;
        var accountId = record.Description!.AccountId;
        try
        {
            if (record.Registration is { } registration)
            {
                await ImageOf(registration).WithdrawPendingAsync();
            }

            await blobs.RemoveReferenceAsync(record.ResealedManifest!.Hash, Holder);
            await state.ClearStateAsync();
            state.State = new MigrationRecord();
            await UnregisterReminderAsync();
            await Registry(accountId).RemoveAsync(MigrationId);
        }
        catch (Exception e)
        {
            LogUndoFailed(logger, e, MigrationId);
        }
    }

    /// <summary>Starts the loop if the migration has work to do and none is running.</summary>
    private void EnsureRunning() => _work.EnsureRunning(HasWork, RunAsync);

    private async Task RunAsync()
    {
        var stopping = _work.Stopping;
        try
        {
            if (!Record.Accepted)
            {
                // StartAsync was interrupted by a crash before it answered: nobody knows this migration.
                LogUndoingInterruptedStart(logger, MigrationId);
                await UndoStartAsync();
                return;
            }

            while (!Current.State.IsFinished() && !stopping.IsCancellationRequested)
            {
                try
                {
                    await RunStepAsync(stopping);
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    var error = ErrorOf(e);
                    LogStepFailed(logger, e, MigrationId, Current.State.ToSimName(), error.Code);
                    await PersistAsync(Current with { State = MigrationState.Failed, Error = error, UpdateTime = clock.UtcNow });
                }
            }

            if (Current.State.IsFinished() && !Record.TidiedUp)
            {
                await TidyUpAsync();
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Deactivating: the next activation resumes from the persisted step.
        }
        catch (Exception e)
        {
            // Persisting failed: the reminder tries again from the last persisted step.
            LogLoopFailed(logger, e, MigrationId);
        }
    }

    private Task RunStepAsync(CancellationToken cancellationToken) => Current.State switch
    {
        MigrationState.Pending => BeginCopyingAsync(cancellationToken),
        MigrationState.CopyingParts => ResumeCopyingAsync(cancellationToken),
        MigrationState.WritingManifest => WriteManifestAsync(),
        _ => throw new InvalidOperationException($"Migration {MigrationId} is {Current.State.ToSimName()}: nothing to run."),
    };

    /// <summary>
    /// A manifest of another bundle under the destination key would list parts that are about to be replaced: it goes
    /// before any part is copied, so that a manifest in the destination always describes a complete bundle. Then the
    /// copy begins.
    /// </summary>
    private async Task BeginCopyingAsync(CancellationToken cancellationToken)
    {
        await ThrowIfCancelledAsync();
        if (await FindObjectAsync(DestinationBucket, Current.DestinationManifestKey) is { } existing && !await IsThisBundleAsync(existing))
        {
            LogRemovingStaleManifest(logger, MigrationId, Current.DestinationBucket, Current.DestinationManifestKey);
            await DestinationBucket.DeleteObjectAsync(Current.AccountId, Current.DestinationManifestKey);
        }

        var parts = await PartsAsync();
        var first = parts.Count > 0 ? await PrepareCopyAsync(parts[0]) : null;
        await TransitionAsync(MigrationState.CopyingParts);
        await CopyPartsAsync(first, cancellationToken);
    }

    private async Task ResumeCopyingAsync(CancellationToken cancellationToken)
    {
        var parts = await PartsAsync();
        var next = Current.PartsCopied < parts.Count ? await PrepareCopyAsync(parts[Current.PartsCopied]) : null;
        await CopyPartsAsync(next, cancellationToken);
    }

    /// <summary>Copies the parts from the count persisted on; <paramref name="next"/> is the first of them, already looked at.</summary>
    private async Task CopyPartsAsync(PartCopy? next, CancellationToken cancellationToken)
    {
        // A fault injected through /_sim/faults fails the step as it starts, down the same path as any failure.
        faults.ThrowIfFired(Current.AccountId, FaultTargets.Migration(MigrationState.CopyingParts), MigrationId);
        var parts = await PartsAsync();
        var count = parts.Count;
        for (var index = Current.PartsCopied; index < count; index++)
        {
            var copy = next!;
            if (copy.Source is not null)
            {
                await CopyPartAsync(copy.Part, copy.Source, cancellationToken);
            }

            // The next part is looked at before this one's count is persisted, so that once a count shows, the next
            // copy's delay is already running on the simulation clock (an advance of the clock is never missed).
            ExceptionDispatchInfo? failure = null;
            try
            {
                next = index + 1 < count ? await PrepareCopyAsync(parts[index + 1]) : null;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // This part is copied all the same: counted, then the next part's problem fails the migration.
                failure = ExceptionDispatchInfo.Capture(e);
            }

            await PersistAsync(Current with { PartsCopied = index + 1, UpdateTime = clock.UtcNow });
            failure?.Throw();
        }

        await TransitionAsync(MigrationState.WritingManifest);
    }

    /// <summary>The parts to copy, as the re-sealed manifest lists them (read once per activation).</summary>
    private async Task<IReadOnlyList<MigrationPart>> PartsAsync()
        => _parts ??= MigrationPlan.PartsOf(Manifest.Parse(await ReadTextAsync(Record.ResealedManifest!)), Record.SourceFolder, Record.DestinationFolder);

    /// <summary>The part's source object, or null in <see cref="PartCopy.Source"/> when the destination already has the same blob.</summary>
    private async Task<PartCopy> PrepareCopyAsync(MigrationPart part)
    {
        var source = await SourceBucket.GetObjectAsync(Current.AccountId, part.SourceKey);
        if (await FindObjectAsync(DestinationBucket, part.DestinationKey) is { } existing && existing.Blob.Hash == source.Blob.Hash)
        {
            // Already there (a resumed or repeated migration): rewriting it would only change its date.
            return new PartCopy(part, null);
        }

        return new PartCopy(part, source);
    }

    /// <summary>The same blob under the destination key, with the source object's metadata: a server-side copy, no bytes moved.</summary>
    private async Task CopyPartAsync(MigrationPart part, S3ObjectInfo source, CancellationToken cancellationToken)
    {
        if (options.Value.PartCopyDelay is var delay && delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, clock.Time, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // After the delay rather than before it: the delay must begin in the turn that persisted the previous count.
        await ThrowIfCancelledAsync();
        await DestinationBucket.PutObjectAsync(
            Current.AccountId,
            new PutObjectRequest(part.DestinationKey, source.Blob, source.ContentType, source.UserMetadata, source.Checksum, CannedAcl: MigratedAcl));
    }

    private sealed record PartCopy(MigrationPart Part, S3ObjectInfo? Source);

    private async Task WriteManifestAsync()
    {
        faults.ThrowIfFired(Current.AccountId, FaultTargets.Migration(MigrationState.WritingManifest), MigrationId);
        await ThrowIfCancelledAsync();
        if (await FindObjectAsync(DestinationBucket, Current.DestinationManifestKey) is { } existing && await IsThisBundleAsync(existing))
        {
            // Re-sealing uses fresh RSA padding, so a rewrite would change the manifest's bytes and ETag for nothing.
            LogManifestAlreadyThere(logger, MigrationId, Current.DestinationBucket, Current.DestinationManifestKey);
        }
        else
        {
            await DestinationBucket.PutObjectAsync(
                Current.AccountId,
                new PutObjectRequest(Current.DestinationManifestKey, Record.ResealedManifest!, Record.ManifestContentType, ImmutableDictionary<string, string>.Empty, null, CannedAcl: MigratedAcl));
        }

        if (Record.Registration is { } registration)
        {
            // Idempotent: after a crash here, completing again answers the same available image.
            try
            {
                await ImageOf(registration).CompletePendingAsync();
            }
            catch (Ec2Exception e) when (e.Code == Ec2ErrorCodes.InvalidAmiIdUnavailable)
            {
                // Deregistered since the check above: the copy is cancelled all the same.
                await ThrowIfCancelledAsync();
                throw;
            }

            LogRegistered(logger, MigrationId, registration.ImageId, registration.SourceImageId, registration.SourceRegion, Current.DestinationRegion);
        }

        await TransitionAsync(MigrationState.Complete);
        LogComplete(logger, MigrationId, Current.DestinationManifestLocation);
    }

    /// <summary>
    /// Whether a manifest at the destination is this very bundle migrated already: signed by the user, its image key
    /// sealed for the destination region and equal to ours, and the same image and parts.
    /// </summary>
    private async Task<bool> IsThisBundleAsync(S3ObjectInfo existing)
    {
        var ours = Record.ResealedManifest!;
        if (existing.Blob.Hash == ours.Hash)
        {
            return true;
        }

        if (existing.Size > MaxManifestBytes)
        {
            return false;
        }

        Manifest theirs;
        Manifest mine;
        try
        {
            theirs = Manifest.Parse(await ReadTextAsync(existing.Blob));
            mine = Manifest.Parse(await ReadTextAsync(ours));
        }
        catch (BundleException)
        {
            return false;
        }

        if (theirs.Name != mine.Name || theirs.User != mine.User || theirs.Digest != mine.Digest || theirs.Size != mine.Size
            || theirs.BundledSize != mine.BundledSize || theirs.UserEncryptedKey != mine.UserEncryptedKey
            || theirs.UserEncryptedIv != mine.UserEncryptedIv || !theirs.Parts.SequenceEqual(mine.Parts))
        {
            return false;
        }

        using var certificate = PemKeys.ParseCertificate(Record.CertificatePem);
        using var regionKey = PemKeys.ParsePrivateKey(await GrainFactory.GetGrain<IRegionGrain>(Current.DestinationRegion).GetEc2PrivateKeyPemAsync());
        try
        {
            ManifestVerifier.VerifySignature(theirs, certificate);
            var theirKey = ManifestVerifier.UnsealForRegion(theirs, regionKey, Current.DestinationRegion);
            var myKey = ManifestVerifier.UnsealForRegion(mine, regionKey, Current.DestinationRegion);
            return theirKey.Key.SequenceEqual(myKey.Key) && theirKey.Iv.SequenceEqual(myKey.Iv);
        }
        catch (BundleException)
        {
            return false;
        }
    }

    private IImageGrain ImageOf(MigrationImageRegistration registration) => GrainFactory.GetGrain<IImageGrain>(registration.ImageId);

    /// <summary>The CopyImage's image as it is reserved: pending, at the destination manifest's location, with what the manifest says.</summary>
    private PendingImage PendingImageOf(MigrationImageRegistration registration, Manifest manifest) => new(
        ImageOwner,
        registration.Name,
        registration.Description,
        registration.Architecture,
        registration.Platform,
        Current.DestinationManifestLocation,
        MigrationId,
        Current.StartTime,
        manifest.KernelId,
        manifest.RamdiskId,
        [.. manifest.ProductCodes],
        [.. manifest.BlockDeviceMappings.Select(m => new ImageBlockDeviceMapping(m.Virtual, m.Device))]);

    /// <summary>
    /// A CopyImage whose image was deregistered while pending is cancelled: it stops here with <c>Client.Cancelled</c>,
    /// and its tidy-up removes what it copied.
    /// </summary>
    private async Task ThrowIfCancelledAsync()
    {
        if (Record.Registration is not { } registration)
        {
            return;
        }

        await EnsureReservedAsync(registration);
        var image = await ImageOf(registration).DescribeAsync(ImageOwner);
        if (image.State == ImageState.Deregistered)
        {
            LogCancelled(logger, MigrationId, registration.ImageId, Current.PartsCopied, Current.PartCount);
            throw new Ec2Exception(
                Ec2ErrorCodes.Cancelled,
                $"The image {registration.ImageId} was deregistered while its copy was pending: the copy stopped after {Current.PartsCopied} of {Current.PartCount} part(s).");
        }
    }

    /// <summary>
    /// Reserves the image again, once per activation, before the migration first looks at it: a CopyImage accepted
    /// before images were reserved on their grain (its pending image only in the index) resumes onto its image grain, so
    /// that it completes or fails there. The same reservation again changes nothing, deregistered or not.
    /// </summary>
    private async Task EnsureReservedAsync(MigrationImageRegistration registration)
    {
        if (_reserved)
        {
            return;
        }

        var manifest = Manifest.Parse(await ReadTextAsync(Record.ResealedManifest!));
        await ImageOf(registration).ReservePendingAsync(PendingImageOf(registration, manifest));
        _reserved = true;
    }

    /// <summary>
    /// A failed CopyImage's objects in the destination: its folder there is the new image's own, so nothing in it is of
    /// use any more. The manifest goes first, so that a crash part way never leaves a manifest of missing parts.
    /// </summary>
    private async Task RemoveCopiedObjectsAsync()
    {
        IReadOnlyList<MigrationPart> parts;
        try
        {
            parts = await PartsAsync();
        }
        catch (Exception e) when (e is BundleException or FileNotFoundException)
        {
            // The failure was the re-sealed manifest itself: no part was copied.
            parts = [];
        }

        try
        {
            await DestinationBucket.DeleteObjectAsync(Current.AccountId, Current.DestinationManifestKey);
            foreach (var chunk in parts.Select(p => p.DestinationKey).Chunk(1000))
            {
                await DestinationBucket.DeleteObjectsAsync(Current.AccountId, [.. chunk]);
            }
        }
        catch (Ec2Exception e) when (e.Code == Ec2ErrorCodes.NoSuchBucket)
        {
            // The destination bucket is gone, and what the copy had put in it with it.
        }

        LogRemovedCopiedObjects(logger, MigrationId, Current.DestinationBucket, Record.DestinationFolder, parts.Count);
    }

    private async Task<string> ReadTextAsync(BlobInfo blob)
    {
        await using var stream = blobs.OpenRead(blob.Hash);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private async Task TransitionAsync(MigrationState next)
    {
        LogTransition(logger, MigrationId, Current.State.ToSimName(), next.ToSimName());
        await PersistAsync(Current with { State = next, UpdateTime = clock.UtcNow });
    }

    private async Task PersistAsync(MigrationDescription next)
    {
        Record.Description = next;
        await state.WriteStateAsync();

        // A finished migration shows as such once it has let go of everything, so that whoever sees it finished sees
        // it out of the registry too.
        if (!next.State.IsFinished() || Record.TidiedUp)
        {
            _persisted = next;
        }
    }

    /// <summary>A finished migration lets go of the re-sealed manifest's blob (the destination object holds it now), its registry entry and reminder.</summary>
    private async Task TidyUpAsync()
    {
        if (Current.State == MigrationState.Failed && Record.Registration is { } registration)
        {
            var error = Current.Error!;
            await RemoveCopiedObjectsAsync();
            await EnsureReservedAsync(registration);
            await ImageOf(registration).FailPendingAsync($"{error.Code}: {error.Message}");
        }

        if (Record.ResealedManifest is { } manifest)
        {
            await blobs.RemoveReferenceAsync(manifest.Hash, Holder);
        }

        await Registry(Current.AccountId).RemoveAsync(MigrationId);
        await UnregisterReminderAsync();
        Record.TidiedUp = true;
        await PersistAsync(Current);
    }

    private async Task UnregisterReminderAsync()
    {
        try
        {
            if (await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception e)
        {
            // A reminder left behind finds nothing to do and unregisters itself on its next tick.
            LogReminderNotUnregistered(logger, e, MigrationId);
        }
    }

    private async Task<S3ObjectInfo?> FindObjectAsync(IBucketGrain bucket, string key)
    {
        try
        {
            return await bucket.GetObjectAsync(Current.AccountId, key);
        }
        catch (Ec2Exception e) when (e.Code == Ec2ErrorCodes.NoSuchKey)
        {
            return null;
        }
    }

    private static MigrationError ErrorOf(Exception e) => e switch
    {
        Ec2Exception ec2 => new MigrationError(ec2.Code, ec2.Message),
        BundleException bundle => new MigrationError(Ec2ErrorCodes.InvalidManifest, bundle.Message),
        FileNotFoundException => new MigrationError(Ec2ErrorCodes.InternalError, "The bytes of an object to copy are missing from the blob store."),
        _ => new MigrationError(Ec2ErrorCodes.InternalError, e.Message),
    };

    private static string HashOf(MigrateImageRequest request)
    {
        var text = string.Join('\n', request.AccountId, request.CertificatePem, request.PrivateKeyPem, request.SourceBucket, request.ManifestKey,
            request.DestinationBucket, request.Location, request.DestinationKeyPrefix ?? "\0", request.Registration?.ToString() ?? "\0");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Migration {MigrationId} accepted: {SourceBucket}/{ManifestKey} ({SourceRegion}) to {DestinationBucket} ({DestinationRegion}), {PartCount} part(s)")]
    private static partial void LogAccepted(ILogger logger, string migrationId, string sourceBucket, string manifestKey, string sourceRegion, string destinationBucket, string destinationRegion, int partCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migration {MigrationId}: {From} -> {To}")]
    private static partial void LogTransition(ILogger logger, string migrationId, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migration {MigrationId}: registered {ImageId}, the copy of {SourceImageId} ({SourceRegion}), in {Region}")]
    private static partial void LogRegistered(ILogger logger, string migrationId, string imageId, string sourceImageId, string sourceRegion, string region);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migration {MigrationId}: {ImageId} was deregistered while pending; the copy stops after {PartsCopied}/{PartCount} part(s)")]
    private static partial void LogCancelled(ILogger logger, string migrationId, string imageId, int partsCopied, int partCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migration {MigrationId}: removed the failed copy's manifest and {PartCount} part(s) from {Bucket}/{Folder}")]
    private static partial void LogRemovedCopiedObjects(ILogger logger, string migrationId, string bucket, string folder, int partCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migration {MigrationId} complete: {ManifestLocation}")]
    private static partial void LogComplete(ILogger logger, string migrationId, string manifestLocation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migration {MigrationId}: removing {Bucket}/{Key}, the manifest of another bundle, before copying parts")]
    private static partial void LogRemovingStaleManifest(ILogger logger, string migrationId, string bucket, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migration {MigrationId}: {Bucket}/{Key} is already this bundle's manifest for the region; left as it is")]
    private static partial void LogManifestAlreadyThere(ILogger logger, string migrationId, string bucket, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Migration {MigrationId} failed while {State}: {Code}")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string migrationId, string state, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Migration {MigrationId}: the work loop stopped; the reminder resumes it")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, string migrationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Migration {MigrationId}: undoing a start a crash interrupted")]
    private static partial void LogUndoingInterruptedStart(ILogger logger, string migrationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Migration {MigrationId}: could not undo its start; it is tried again")]
    private static partial void LogUndoFailed(ILogger logger, Exception exception, string migrationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Migration {MigrationId} deactivated while copying; it resumes on its next activation")]
    private static partial void LogDeactivatedWhileRunning(ILogger logger, string migrationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Migration {MigrationId}: could not unregister its reminder")]
    private static partial void LogReminderNotUnregistered(ILogger logger, Exception exception, string migrationId);
}

using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;
using OrleansEc2.Grains.Configuration;
using OrleansEc2.Grains.Hosting;

namespace OrleansEc2.Grains.BundleTasks;

/// <summary>
/// One bundle task: ec2-bundle-instance's workflow as a durable state machine.
/// <code>
/// pending ─► waiting-for-shutdown ─► bundling ─► storing ─► complete
///   (stop the instance)  (snapshot)   (sysprep, bundle    (parts as objects, the manifest last;
///                                      into blobs)          the instance restarted)
/// any unfinished state ─► failed (an error; or CancelBundleTask: cancelling ─► failed with Client.Cancelled)
/// </code>
/// The work runs in a loop on the grain's scheduler, not inside a request, so Describe and Cancel are answered while
/// it runs; compression runs on the thread pool. Every transition is persisted and pushed to the account-region index
/// before the next phase begins. An unfinished task resumes from its persisted phase whenever the grain activates
/// (the start-up scan and a one-minute reminder make sure it does after a crash); each phase can be run again.
/// </summary>
public sealed partial class BundleTaskGrain(
    [PersistentState("bundleTask", GrainStorage.Name)] IPersistentState<BundleTaskRecord> state,
    IBlobStore blobs,
    ISimulationClock clock,
    IOptions<SimulatorOptions> options,
    IOptions<BundleTaskOptions> bundleOptions,
    BundleWriterSlots writerSlots,
    IFaultInjector faults,
    ILogger<BundleTaskGrain> logger) : Grain, IBundleTaskGrain, IRemindable
{
    private const string ReminderName = "resume";

    /// <summary>The share of the progress bundling takes (0 → 70 %); storing takes the rest.</summary>
    private const int BundlingShare = 70;

    /// <summary>The bundle writer's limit: the prefix names the tar entry and every part file.</summary>
    private const int MaxPrefixLength = 200;

    private const string PartContentType = "application/octet-stream";
    private const string ManifestContentType = "text/xml";

    /// <summary>Orleans' smallest reminder period.</summary>
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    /// <summary>How often progress alone is persisted while bundling (a part written is persisted at once).</summary>
    private static readonly TimeSpan ProgressPersistInterval = TimeSpan.FromSeconds(1);

    // Writes of the state come from the loop and from requests (Cancel) interleaved at awaits: one at a time, or the
    // second would fail on a stale ETag.
    private readonly SemaphoreSlim _persistGate = new(1, 1);

    private readonly WorkLoop _work = new();

    private CancellationTokenSource? _phase;
    private string BundleId => this.GetPrimaryKeyString();

    /// <summary>How this task is named as the holder of the blobs it keeps alive (the snapshot, parts, manifest).</summary>
    private string Holder => "bundle:" + BundleId;

    private BundleTaskRecord Record => state.State;

    private BundleTaskDescription Current => Record.Description!;

    private string ManifestKey => PartNames.ManifestFor(Current.Prefix);

    private IInstanceGrain Instance => GrainFactory.GetGrain<IInstanceGrain>(Current.InstanceId);

    private IBucketGrain Bucket => GrainFactory.GetGrain<IBucketGrain>(Current.Bucket);

    private IAccountRegionGrain Index => GrainFactory.GetGrain<IAccountRegionGrain>(AccountRegionKeys.Format(Current.AccountId, Current.Region));

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        EnsureRunning();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The persisted phase is where the next activation resumes; the work in flight is dropped, not failed.
        if (!await _work.StopAsync(cancellationToken))
        {
            LogDeactivatedWhileRunning(logger, BundleId);
        }
    }

    public async Task<BundleTaskDescription> StartAsync(BundleInstanceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Record.Description is { } existing)
        {
            if (Record.Accepted && existing.AccountId == request.Caller.AccountId && existing.InstanceId == request.InstanceId
                && existing.Bucket == request.Bucket && existing.Prefix == request.Prefix)
            {
                return existing;
            }

            throw new InvalidOperationException($"Bundle task {BundleId} was already started for another request.");
        }

        var (_, bucket) = await CheckRequestAsync(request);

        // Recorded (unaccepted) before the instance is marked, with a reminder, so that a crash in between is undone
        // rather than leaving an instance marked as bundled by a task nobody knows.
        var now = clock.UtcNow;
        state.State = new BundleTaskRecord
        {
            Description = new BundleTaskDescription(
                BundleId,
                request.Caller.AccountId,
                request.Caller.Region,
                request.InstanceId,
                request.Bucket,
                request.Prefix,
                BundleTaskState.Pending,
                now,
                now,
                Progress: 0,
                Error: null),
            PhaseStartedAt = now,
        };
        try
        {
            await state.WriteStateAsync();
            await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
            await Instance.BeginBundleAsync(request.Caller.AccountId, BundleId);
            if (bucket is null)
            {
                await CreateBucketAsync(request.Caller);
            }
        }
        catch
        {
            await UndoStartAsync();
            throw;
        }

        Record.Accepted = true;
        await PersistAsync();
        LogAccepted(logger, BundleId, request.InstanceId, request.Bucket, request.Prefix);
        EnsureRunning();
        return Current;
    }

    public async Task CheckStartAsync(BundleInstanceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CheckRequestAsync(request);
    }

    public Task<BundleTaskDescription> DescribeAsync(string accountId)
    {
        EnsureOwner(accountId);
        return Task.FromResult(Current);
    }

    public async Task<BundleTaskDescription> CancelAsync(string accountId)
    {
        EnsureOwner(accountId);
        var current = Current;
        if (current.State.IsFinished())
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.IncorrectState,
                $"The bundle task '{BundleId}' is {current.State.ToEc2Name()}: only a task that has not finished can be cancelled.");
        }

        if (current.State == BundleTaskState.Cancelling)
        {
            return current;
        }

        // A task already failing keeps its own error; it still shows as cancelling until it is cleaned up.
        Record.Failure ??= new BundleTaskError(Ec2ErrorCodes.Cancelled, "User cancelled the bundle task (CancelBundleTask).");
        Record.Description = current with { State = BundleTaskState.Cancelling, UpdateTime = clock.UtcNow };
        Record.PhaseStartedAt = Current.UpdateTime;
        await PersistAsync();
        LogCancelling(logger, BundleId, current.State.ToEc2Name());
        _phase?.Cancel();
        EnsureRunning();
        return Current;
    }

    public Task ResumeAsync()
    {
        EnsureRunning();
        return Task.CompletedTask;
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

    /// <summary>
    /// Every check of BundleInstance, changing nothing: names, the owner's key and upload policy, the instance (the
    /// caller's, here, Windows, not being bundled, running), and the bucket (missing, or the caller's in this region).
    /// Answers the instance and the bucket as found (null: to be created).
    /// </summary>
    private async Task<(InstanceDescription Instance, BucketInfo? Bucket)> CheckRequestAsync(BundleInstanceRequest request)
    {
        var caller = request.Caller;
        Ec2Ids.EnsureInstanceId(request.InstanceId);
        ValidateName("Storage.S3.Bucket", "bucket", request.Bucket);
        ValidateName("Storage.S3.Prefix", "prefix", request.Prefix);
        if (request.Prefix.Length > MaxPrefixLength)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterValue,
                $"The prefix (Storage.S3.Prefix) is {request.Prefix.Length} characters; at most {MaxPrefixLength} are allowed, so that the bundle's part names stay file names.");
        }

        if (string.IsNullOrEmpty(request.AccessKeyId))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, "Storage.S3.AWSAccessKeyId is required: the access key id of the bucket's owner.");
        }

        var key = await GrainFactory.GetGrain<IAccessKeyGrain>(request.AccessKeyId).FindAsync()
            ?? throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"The access key id '{request.AccessKeyId}' (Storage.S3.AWSAccessKeyId) does not exist.");
        if (key.AccountId != caller.AccountId)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterValue,
                $"The access key id '{request.AccessKeyId}' (Storage.S3.AWSAccessKeyId) is not your account's: the bundle is uploaded on behalf of the bucket's owner, which must be you.");
        }

        UploadPolicy.Verify(request.UploadPolicy, request.UploadPolicySignature, key.SecretAccessKey, request.Bucket, request.Prefix, clock.UtcNow);

        var instance = await GrainFactory.GetGrain<IInstanceGrain>(request.InstanceId).DescribeAsync(caller.AccountId);
        if (instance.Region != caller.Region)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidInstanceIdNotFound, $"The instance ID '{request.InstanceId}' does not exist");
        }

        if (instance.Platform != Platform.Windows)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.UnsupportedOperation,
                $"The instance '{request.InstanceId}' is not a Windows instance: BundleInstance bundles Windows instance-store instances only.");
        }

        var index = GrainFactory.GetGrain<IAccountRegionGrain>(caller.AccountRegionKey);
        var inProgress = await index.DescribeBundleTasksAsync(
            [],
            [
                new Ec2Filter("instance-id", [request.InstanceId]),
                new Ec2Filter("state", [.. Enum.GetValues<BundleTaskState>().Where(s => !s.IsFinished()).Select(s => s.ToEc2Name())]),
            ]);
        if (inProgress.FirstOrDefault(t => t.BundleId != BundleId) is { } other)
        {
            throw new Ec2Exception(Ec2ErrorCodes.BundlingInProgress, $"The instance '{request.InstanceId}' is already being bundled by {other.BundleId} ({other.State.ToEc2Name()}).");
        }

        if (instance.State != InstanceStateName.Running)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.IncorrectInstanceState,
                $"The instance '{request.InstanceId}' is not in the 'running' state: it is {instance.State.ToEc2Name()}.");
        }

        var bucket = await GrainFactory.GetGrain<IBucketGrain>(request.Bucket).FindAsync();
        if (bucket is not null)
        {
            EnsureUsableBucket(bucket, caller);
        }

        return (instance, bucket);
    }

    private static void EnsureUsableBucket(BucketInfo bucket, Caller caller)
    {
        if (bucket.OwnerId != caller.AccountId)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterValue,
                $"The bucket '{bucket.Name}' belongs to another account: bundle into a bucket you own, or a new one.");
        }

        if (bucket.Region != caller.Region)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterValue,
                $"The bucket '{bucket.Name}' is in {bucket.Region}, not in {caller.Region} where the instance is: a bundle is stored in the instance's region.");
        }
    }

    /// <summary>The legacy naming rule of BundleInstance's bucket and prefix (Eucalyptus' check).</summary>
    private static void ValidateName(string parameter, string what, string? value)
    {
        if (value is null || !LegacyName().IsMatch(value))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterValue,
                $"Invalid {what} '{value}' ({parameter}): it must be 3 to 255 letters, digits, dots, hyphens or underscores.");
        }
    }

    private async Task CreateBucketAsync(Caller caller)
    {
        var bucket = GrainFactory.GetGrain<IBucketGrain>(Current.Bucket);
        try
        {
            await bucket.CreateWithLegacyNameAsync(caller.AccountId, caller.Region);
        }
        catch (Ec2Exception e) when (e.Code is Ec2ErrorCodes.BucketAlreadyExists or Ec2ErrorCodes.BucketAlreadyOwnedByYou)
        {
            // Created by someone else since the check: it is usable only if it is the caller's, here.
            if (await bucket.FindAsync() is not { } found)
            {
                throw;
            }

            EnsureUsableBucket(found, caller);
        }
    }

    private async Task UndoStartAsync()
    {
        try
        {
            if (Record.Description is { } description)
            {
                await GrainFactory.GetGrain<IInstanceGrain>(description.InstanceId).EndBundleAsync(BundleId);
            }

            await state.ClearStateAsync();
            await UnregisterReminderAsync();
        }
        catch (Exception e)
        {
            // The reminder, if it survived, tries again.
            LogUndoFailed(logger, e, BundleId);
        }

        state.State = new BundleTaskRecord();
    }

    private void EnsureOwner(string accountId)
    {
        if (Record.Description is not { } description || !Record.Accepted || description.AccountId != accountId)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidBundleIdNotFound, $"The bundle ID '{BundleId}' does not exist");
        }
    }

    /// <summary>Starts the loop if the task has work to do and none is running.</summary>
    private void EnsureRunning() => _work.EnsureRunning(HasWork, RunAsync);

    private bool HasWork => Record.Description is not null && !(Record.Accepted && Current.State.IsFinished());

    private async Task RunAsync()
    {
        using var phase = CancellationTokenSource.CreateLinkedTokenSource(_work.Stopping);
        _phase = phase;
        try
        {
            if (!Record.Accepted)
            {
                // BundleInstance was interrupted by a crash before it answered: nobody knows this task.
                LogUndoingInterruptedStart(logger, BundleId);
                await UndoStartAsync();
                return;
            }

            while (!Current.State.IsFinished() && !_work.IsStopping)
            {
                var finishing = Record.Failure is not null;
                try
                {
                    if (finishing)
                    {
                        await FinishFailedAsync();
                    }
                    else
                    {
                        await RunPhaseAsync(phase.Token);
                    }
                }
                catch (Exception e) when (!finishing && !_work.IsStopping)
                {
                    if (Record.Failure is null)
                    {
                        Record.Failure = ErrorOf(e);
                        LogPhaseFailed(logger, e, BundleId, Current.State.ToEc2Name(), Record.Failure.Code);
                        await PersistAsync();
                    }
                }
            }
        }
        catch (Exception) when (_work.IsStopping)
        {
            // Deactivating: the next activation resumes from the persisted phase.
        }
        catch (Exception e)
        {
            LogLoopFailed(logger, e, BundleId);
        }
        finally
        {
            _phase = null;
        }
    }

    private Task RunPhaseAsync(CancellationToken cancellationToken)
    {
        // A fault injected through /_sim/faults fails the phase as it starts, down the same path as any failure.
        faults.ThrowIfFired(Current.AccountId, FaultTargets.BundleTask(Current.State), BundleId);
        return RunPhaseWorkAsync(cancellationToken);
    }

    private Task RunPhaseWorkAsync(CancellationToken cancellationToken) => Current.State switch
    {
        BundleTaskState.Pending => PendingAsync(cancellationToken),
        BundleTaskState.WaitingForShutdown => WaitForShutdownAsync(cancellationToken),
        BundleTaskState.Bundling => BundleAsync(cancellationToken),
        BundleTaskState.Storing => StoreAsync(cancellationToken),
        _ => throw new InvalidOperationException($"Bundle task {BundleId} is {Current.State.ToEc2Name()} with no failure to finish."),
    };

    private async Task PendingAsync(CancellationToken cancellationToken)
    {
        await WaitPhaseMinimumAsync(cancellationToken);
        await TransitionAsync(BundleTaskState.WaitingForShutdown, progress: 0);
    }

    /// <summary>Stops the instance, waits (on the simulation clock) until it is stopped, and snapshots its disk.</summary>
    private async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        var instance = Instance;
        var account = Current.AccountId;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var described = await instance.DescribeAsync(account);
            if (described.State == InstanceStateName.Stopped)
            {
                break;
            }

            if (described.State == InstanceStateName.Running)
            {
                // The first stop, or again if someone started the instance meanwhile.
                await instance.StopAsync(account, force: false);
            }
            else if (described.State is InstanceStateName.Stopping or InstanceStateName.Pending && described.Transition is { } transition)
            {
                await DelayUntilAsync(transition.CompletesAt, cancellationToken);
            }
            else
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.IncorrectInstanceState,
                    $"The instance '{described.InstanceId}' is {described.State.ToEc2Name()}: it was terminated before it could be bundled.");
            }
        }

        await WaitPhaseMinimumAsync(cancellationToken);
        var snapshot = await instance.SnapshotDiskAsync(account);

        // Held before it is recorded: the instance may change its disk once it runs again.
        await blobs.AddReferenceAsync(snapshot.Disk.BlobHash, Holder);
        if (Record.Snapshot is { } previous && previous.BlobHash != snapshot.Disk.BlobHash)
        {
            await blobs.RemoveReferenceAsync(previous.BlobHash, Holder);
        }

        Record.Snapshot = snapshot.Disk;
        await TransitionAsync(BundleTaskState.Bundling, progress: 0);
    }

    /// <summary>
    /// Sysprep → tar → SHA-1 → gzip → AES → parts, off the grain's turn; each part goes to the blob store as soon as it
    /// is produced and is recorded here, with progress from the image bytes consumed.
    /// </summary>
    private async Task BundleAsync(CancellationToken cancellationToken)
    {
        var snapshot = Record.Snapshot ?? throw new InvalidOperationException($"Bundle task {BundleId} is bundling without a snapshot.");

        // A resumed bundling starts over with a new key: the parts of an earlier attempt belong to no bundle.
        await ReleaseAsync([.. Record.Parts.Select(p => p.Blob.Hash), Record.Manifest?.Hash]);
        Record.Parts.Clear();
        Record.Manifest = null;
        Record.PartsStored = 0;

        var signing = await GrainFactory.GetGrain<IAccountGrain>(Current.AccountId).GetSigningCredentialsAsync();
        var ec2Certificate = await GrainFactory.GetGrain<IRegionGrain>(Current.Region).GetEc2CertificatePemAsync();
        var result = await WriteWithinSlotAsync(snapshot, signing, ec2Certificate, cancellationToken);
        if (result.Parts.Count != Record.Parts.Count || result.Parts.Where((p, i) => p.Digest != Record.Parts[i].Sha1).Any())
        {
            throw new InvalidOperationException($"Bundle task {BundleId}: the parts stored differ from the parts the manifest lists.");
        }

        await using (var manifest = new MemoryStream(Encoding.UTF8.GetBytes(result.ManifestXml), writable: false))
        {
            var blob = await blobs.PutAsync(manifest, cancellationToken);
            await blobs.AddReferenceAsync(blob.Hash, Holder);
            Record.Manifest = blob;
        }

        await WaitPhaseMinimumAsync(cancellationToken);
        await TransitionAsync(BundleTaskState.Storing, progress: BundlingShare);
    }

    /// <summary>
    /// Runs the bundle writer in one of the silo's writer slots (released as soon as it is done), recording each part
    /// and the progress as the writer reports them.
    /// </summary>
    private async Task<BundleResult> WriteWithinSlotAsync(LaunchDisk snapshot, SigningCredentials signing, string ec2Certificate, CancellationToken cancellationToken)
    {
        using var slot = await writerSlots.AcquireAsync(cancellationToken);
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = Channel.CreateUnbounded<BundleWriterEvent>(new UnboundedChannelOptions { SingleReader = true });
        var input = new BundleInput(snapshot, Current.Prefix, Current.AccountId, Holder, signing, ec2Certificate);
        var work = Task.Run(() => WriteBundleAsync(input, events.Writer, writing.Token), CancellationToken.None);

        ExceptionDispatchInfo? failure = null;
        var lastPersisted = Stopwatch.GetTimestamp();
        try
        {
            await foreach (var written in events.Reader.ReadAllAsync(CancellationToken.None))
            {
                if (written is PartWritten part)
                {
                    Record.Parts.Add(part.Part);
                    ThrowIfFailing();
                    await PersistAsync();
                    lastPersisted = Stopwatch.GetTimestamp();
                }
                else if (written is ImageConsumed consumed && consumed.Percent * BundlingShare / 100 > Current.Progress)
                {
                    ThrowIfFailing();
                    SetProgress(consumed.Percent * BundlingShare / 100);
                    if (Stopwatch.GetElapsedTime(lastPersisted) >= ProgressPersistInterval)
                    {
                        await PersistAsync();
                        lastPersisted = Stopwatch.GetTimestamp();
                    }
                }
            }
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
            writing.Cancel();
        }

        BundleResult? result = null;
        try
        {
            // The writer has stopped before anything else may touch its parts (a failure releases them).
            result = await work;
        }
        catch (Exception e)
        {
            failure ??= ExceptionDispatchInfo.Capture(e);
        }

        while (events.Reader.TryRead(out var late))
        {
            if (late is PartWritten part)
            {
                Record.Parts.Add(part.Part);
            }
        }

        failure?.Throw();
        return result!;
    }

    private sealed record BundleInput(LaunchDisk Snapshot, string Prefix, string AccountId, string Holder, SigningCredentials Signing, string Ec2CertificatePem);

    /// <summary>Runs on the thread pool: nothing here touches the grain's state, only the channel.</summary>
    private async Task<BundleResult> WriteBundleAsync(BundleInput input, ChannelWriter<BundleWriterEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            using var userCertificate = PemKeys.ParseCertificate(input.Signing.CertificatePem);
            using var userKey = PemKeys.ParsePrivateKey(input.Signing.PrivateKeyPem);
            using var ec2Certificate = PemKeys.ParseCertificate(input.Ec2CertificatePem);
            var settings = bundleOptions.Value;
            var writer = new BundleWriter(new BundleOptions
            {
                Prefix = input.Prefix,
                User = input.AccountId,
                UserCertificate = userCertificate,
                UserPrivateKey = userKey,
                Ec2Certificate = ec2Certificate,
                Architecture = input.Snapshot.Architecture,
                PartSize = settings.PartSizeBytes,
                CompressionLevel = settings.CompressionLevel,
                Clock = clock.Time,
            });
            await using var disk = blobs.OpenRead(input.Snapshot.BlobHash);
            await using var generalized = Sysprep.OpenGeneralized(disk, leaveOpen: true);
            return await writer.WriteAsync(generalized, new BlobPartSink(blobs, input.Holder, events), new ImageProgress(events), cancellationToken);
        }
        finally
        {
            events.TryComplete();
        }
    }

    /// <summary>Records each part as an object (resuming after the last one recorded), then the manifest, last.</summary>
    private async Task StoreAsync(CancellationToken cancellationToken)
    {
        var bucket = Bucket;
        var account = Current.AccountId;
        var parts = Record.Parts;
        for (var i = Record.PartsStored; i < parts.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var part = parts[i];
            await bucket.PutObjectAsync(account, new PutObjectRequest(part.FileName, part.Blob, PartContentType, ImmutableDictionary<string, string>.Empty, null, CannedAcl: ObjectCannedAcls.Ec2BundleRead));
            ThrowIfFailing();
            Record.PartsStored = i + 1;
            SetProgress(BundlingShare + ((100 - BundlingShare) * (i + 1) / (parts.Count + 1)));
            await PersistAsync();
        }

        await WaitPhaseMinimumAsync(cancellationToken);
        ThrowIfFailing();
        var manifest = Record.Manifest ?? throw new InvalidOperationException($"Bundle task {BundleId} is storing without a manifest.");
        await bucket.PutObjectAsync(account, new PutObjectRequest(ManifestKey, manifest, ManifestContentType, ImmutableDictionary<string, string>.Empty, null, CannedAcl: ObjectCannedAcls.Ec2BundleRead));

        await RestartInstanceAsync(_work.Stopping);
        await Instance.EndBundleAsync(BundleId);
        ThrowIfFailing();

        // The bucket's objects hold the parts and the manifest now; the snapshot is no longer needed.
        await ReleaseAsync(HeldBlobs());
        await TransitionAsync(BundleTaskState.Complete, progress: 100);
        await UnregisterReminderAsync();
        LogComplete(logger, BundleId, parts.Count, Current.Bucket, ManifestKey);
    }

    /// <summary>
    /// Ends a failing or cancelled task: removes the objects it wrote, restarts the instance, releases its blobs, then
    /// shows it failed. Safe to run again after a crash in the middle.
    /// </summary>
    private async Task FinishFailedAsync()
    {
        var failure = Record.Failure!;
        if (Record.StoringStarted)
        {
            await DeleteBundleObjectsAsync();
        }

        await RestartInstanceAsync(_work.Stopping);
        await Instance.EndBundleAsync(BundleId);
        await ReleaseAsync(HeldBlobs());
        var now = clock.UtcNow;
        Record.Description = Current with { State = BundleTaskState.Failed, UpdateTime = now, Error = failure };
        Record.PhaseStartedAt = now;
        ForgetBlobs();
        await PersistAsync();
        await UnregisterReminderAsync();
        LogFailed(logger, BundleId, failure.Code, failure.Message);
    }

    private async Task DeleteBundleObjectsAsync()
    {
        var bucket = Bucket;
        var keys = Record.Parts.Select(p => p.FileName).Append(ManifestKey).ToList();
        try
        {
            foreach (var chunk in keys.Chunk(1000))
            {
                await bucket.DeleteObjectsAsync(Current.AccountId, [.. chunk]);
            }
        }
        catch (Ec2Exception e) when (e.Code is Ec2ErrorCodes.NoSuchBucket or Ec2ErrorCodes.AccessDenied)
        {
            // The bucket went away meanwhile: nothing of the bundle is left in it.
        }
    }

    /// <summary>Starts the instance again if it is stopped (waiting for a stop in progress to end); a terminated one stays so.</summary>
    private async Task RestartInstanceAsync(CancellationToken cancellationToken)
    {
        var instance = Instance;
        var account = Current.AccountId;
        while (true)
        {
            var described = await instance.DescribeAsync(account);
            switch (described.State)
            {
                case InstanceStateName.Stopped:
                    await instance.StartAsync(account);
                    return;
                case InstanceStateName.Stopping when described.Transition is { } transition:
                    await DelayUntilAsync(transition.CompletesAt, cancellationToken);
                    break;
                case InstanceStateName.Pending or InstanceStateName.Running:
                    return;
                default:
                    LogInstanceNotRestarted(logger, BundleId, described.InstanceId, described.State.ToEc2Name());
                    return;
            }
        }
    }

    private async Task TransitionAsync(BundleTaskState next, int progress)
    {
        ThrowIfFailing();
        var now = clock.UtcNow;
        Record.Description = Current with { State = next, UpdateTime = now, Progress = progress };
        Record.PhaseStartedAt = now;
        if (next == BundleTaskState.Storing)
        {
            Record.StoringStarted = true;
        }

        if (next.IsFinished())
        {
            ForgetBlobs();
        }

        await PersistAsync();
        LogTransition(logger, BundleId, next.ToEc2Name(), progress);
    }

    private void SetProgress(int progress)
        => Record.Description = Current with { Progress = progress, UpdateTime = clock.UtcNow };

    /// <summary>A cancel or a failure came in while a phase was awaiting: the phase must not move the task on.</summary>
    private void ThrowIfFailing()
    {
        if (Record.Failure is not null)
        {
            throw new OperationCanceledException($"Bundle task {BundleId} is {(Current.State == BundleTaskState.Cancelling ? "being cancelled" : "failing")}.");
        }
    }

    private async Task PersistAsync()
    {
        await _persistGate.WaitAsync();
        try
        {
            await state.WriteStateAsync();
            if (Record.Accepted)
            {
                await Index.UpsertBundleTaskAsync(Current);
            }
        }
        finally
        {
            _persistGate.Release();
        }
    }

    /// <summary>Waits until the current phase has lasted the configured minimum (at most that long after a resume).</summary>
    private async Task WaitPhaseMinimumAsync(CancellationToken cancellationToken)
    {
        var minimum = options.Value.Durations.BundlePhaseMinimum;
        if (minimum <= TimeSpan.Zero)
        {
            return;
        }

        // A simulated clock restarts with the silo, behind the persisted times: never wait more than one minimum.
        var now = clock.UtcNow;
        var until = Record.PhaseStartedAt + minimum;
        await SleepUntilAsync(until - now > minimum ? now + minimum : until, cancellationToken);
    }

    /// <summary>Waits on the simulation clock until <paramref name="at"/>, a minute at most before looking again.</summary>
    private Task DelayUntilAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var latest = clock.UtcNow + TimeSpan.FromMinutes(1);
        return SleepUntilAsync(at < latest ? at : latest, cancellationToken);
    }

    private async Task SleepUntilAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var remaining = at - clock.UtcNow;
        if (remaining <= TimeSpan.Zero)
        {
            return;
        }

        using var sleeping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(remaining, clock.Time, sleeping.Token);

        // A timer is armed relative to the clock as it is when armed: if a simulated clock moved past the time between
        // the reading above and the arming, the timer would wait a second span. Look again once it is armed.
        if (at <= clock.UtcNow)
        {
            sleeping.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
            return;
        }

        await delay;
    }

    private IEnumerable<string?> HeldBlobs()
        => [Record.Snapshot?.BlobHash, .. Record.Parts.Select(p => p.Blob.Hash), Record.Manifest?.Hash];

    private void ForgetBlobs()
    {
        Record.Snapshot = null;
        Record.Parts = [];
        Record.Manifest = null;
    }

    private async Task ReleaseAsync(IEnumerable<string?> hashes)
    {
        foreach (var hash in hashes.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            await blobs.RemoveReferenceAsync(hash, Holder);
        }
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
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Its next tick finds the task finished and unregisters it then.
            LogReminderNotUnregistered(logger, e, BundleId);
        }
    }

    private static BundleTaskError ErrorOf(Exception e) => e switch
    {
        Ec2Exception ec2 => new BundleTaskError(ec2.Code, ec2.Message),
        BundleException or DiskException => new BundleTaskError(Ec2ErrorCodes.InternalError, "The instance's disk could not be bundled: " + e.Message),
        _ => new BundleTaskError(Ec2ErrorCodes.InternalError, "The bundle task failed: " + e.Message),
    };

    [GeneratedRegex(@"^[a-zA-Z0-9.\-_]{3,255}$")]
    private static partial Regex LegacyName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Bundle task {BundleId}: bundling {InstanceId} into {Bucket}/{Prefix}")]
    private static partial void LogAccepted(ILogger logger, string bundleId, string instanceId, string bucket, string prefix);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bundle task {BundleId}: {State} ({Progress}%)")]
    private static partial void LogTransition(ILogger logger, string bundleId, string state, int progress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bundle task {BundleId}: complete, {Parts} part(s) and {Bucket}/{Manifest}")]
    private static partial void LogComplete(ILogger logger, string bundleId, int parts, string bucket, string manifest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bundle task {BundleId}: cancelling (was {State})")]
    private static partial void LogCancelling(ILogger logger, string bundleId, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bundle task {BundleId}: failed while {State} ({Code})")]
    private static partial void LogPhaseFailed(ILogger logger, Exception exception, string bundleId, string state, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bundle task {BundleId}: failed, {Code}: {Message}")]
    private static partial void LogFailed(ILogger logger, string bundleId, string code, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bundle task {BundleId}: stopped with an error; the reminder resumes it")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, string bundleId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bundle task {BundleId}: could not undo an interrupted BundleInstance; the reminder tries again")]
    private static partial void LogUndoFailed(ILogger logger, Exception exception, string bundleId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bundle task {BundleId}: BundleInstance was interrupted before it answered; undoing it")]
    private static partial void LogUndoingInterruptedStart(ILogger logger, string bundleId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bundle task {BundleId}: deactivated while running; it resumes from its last phase")]
    private static partial void LogDeactivatedWhileRunning(ILogger logger, string bundleId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bundle task {BundleId}: could not unregister its reminder; the next tick does")]
    private static partial void LogReminderNotUnregistered(ILogger logger, Exception exception, string bundleId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bundle task {BundleId}: instance {InstanceId} is {State}, not restarted")]
    private static partial void LogInstanceNotRestarted(ILogger logger, string bundleId, string instanceId, string state);
}

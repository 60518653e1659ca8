using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansEc2.Bundling.Disks;
using OrleansEc2.Grains.Blobs;
using OrleansEc2.Grains.Configuration;
using OrleansEc2.Grains.Crypto;
using OrleansEc2.Grains.Hosting;

namespace OrleansEc2.Grains.Instances;

/// <summary>
/// One instance: EC2's state machine over the simulation clock, its machine identity and its disk. Transitions that
/// take time (boot, shutdown) are recorded as a target and a due time; whoever looks after that time sees them done,
/// so nothing here needs a timer.
/// </summary>
public sealed class InstanceGrain(
    [PersistentState("instance", GrainStorage.Name)] IPersistentState<InstanceState> state,
    IBlobStore blobs,
    IOptions<SimulatorOptions> options,
    ISimulationClock clock,
    ILogger<InstanceGrain> logger) : Grain, IInstanceGrain
{
    private string InstanceId => this.GetPrimaryKeyString();

    /// <summary>
    /// A disk is referenced before the state that names it is persisted (a launch, a guest write): after a crash between
    /// the two, the reference of a disk the state does not name is dropped here, so the blob can be collected.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var needed = state.State.Disk is { } disk ? new HashSet<BlobReference> { new(disk.BlobHash, DiskHolder) } : [];
        try
        {
            var dropped = await blobs.DropStaleReferencesAsync([DiskHolder], needed);
            if (dropped.Count > 0)
            {
                logger.LogInformation("Instance {InstanceId}: dropped {Count} disk reference(s) its state does not name (left by a crash)", InstanceId, dropped.Count);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Instance {InstanceId}: could not compare its disk references with its state", InstanceId);
        }
    }

    private string DiskHolder => "instance:" + InstanceId;

    private DurationOptions Durations => options.Value.Durations;

    public async Task<InstanceDescription> LaunchAsync(InstanceLaunchSpec spec)
    {
        if (state.State.Description is { } existing)
        {
            if (existing.ReservationId == spec.ReservationId && existing.AmiLaunchIndex == spec.AmiLaunchIndex)
            {
                return await CurrentAsync();
            }

            throw new InvalidOperationException($"Instance {InstanceId} was already launched in reservation {existing.ReservationId}.");
        }

        var now = clock.UtcNow;
        var identity = spec.Disk.Platform == Platform.Windows ? MachineIdentity.CreateRandom() : null;
        string? password = null;
        var generalized = false;
        var disk = await RewriteDiskAsync(spec.Disk, image =>
        {
            if (identity is not null)
            {
                // A disk without an identity was sysprepped (a public image, or a bundle): this is its mini-setup boot.
                generalized = image.Identity is null;
                image.SetIdentity(identity);
                if (image.AdministratorPassword is null)
                {
                    // First boot of a generalized image: Windows makes a new administrator password. An image bundled from
                    // a running instance already carries its password, and then there is nothing for GetPasswordData.
                    password = NewAdministratorPassword();
                    image.SetAdministratorPassword(password);
                }
            }
        });

        var ip = NewPrivateIp();
        state.State.Disk = disk;
        state.State.UserData = InstanceUserData.Normalize(spec.UserData);
        if (password is not null && spec.KeyPublicKeyPem is not null)
        {
            state.State.EncryptedPassword = KeyPairs.EncryptToBase64(spec.KeyPublicKeyPem, password);
            state.State.PasswordAvailableAt = now + Durations.Boot + Durations.PasswordAvailableAfterBoot;
        }

        state.State.ConsoleBoots = [new ConsoleBoot(now, now + Durations.Boot, generalized, SetsPassword: password is not null)];

        state.State.Description = new InstanceDescription(
            InstanceId,
            spec.AccountId,
            spec.Region,
            spec.AvailabilityZone,
            spec.ReservationId,
            spec.ImageId,
            spec.InstanceType,
            spec.KeyName,
            spec.Disk.Platform,
            InstanceStateName.Pending,
            new PendingTransition(InstanceStateName.Running, now + Durations.Boot),
            now,
            spec.AmiLaunchIndex,
            ip,
            PrivateDnsName(ip, spec.Region),
            identity?.ComputerName,
            identity?.MacAddress,
            identity?.Sid,
            spec.ClientToken,
            StateTransitionReason: null,
            TerminatedAt: null,
            Tags: [],
            SecurityGroups: spec.SecurityGroups.IsDefaultOrEmpty ? [ClassicSecurityGroups.Default(spec.AccountId, spec.Region)] : spec.SecurityGroups,
            KernelId: spec.KernelId,
            RamdiskId: spec.RamdiskId,
            MonitoringEnabled: spec.MonitoringEnabled,
            EbsOptimized: spec.EbsOptimized,
            DisableApiTermination: spec.DisableApiTermination,
            InstanceInitiatedShutdownBehavior: spec.InstanceInitiatedShutdownBehavior);
        await SaveAsync();
        return state.State.Description;
    }

    public async Task<InstanceDescription> DescribeAsync(string accountId)
    {
        EnsureOwner(accountId);
        return await CurrentAsync();
    }

    public async Task<InstanceStateChange> StartAsync(string accountId)
    {
        EnsureOwner(accountId);
        var current = await CurrentAsync();
        switch (current.State)
        {
            case InstanceStateName.Pending or InstanceStateName.Running:
                return new InstanceStateChange(InstanceId, current.State, current.State);
            case InstanceStateName.Stopped:
                RecordBoot(Durations.Boot);
                return await MoveAsync(current, InstanceStateName.Pending, new PendingTransition(InstanceStateName.Running, clock.UtcNow + Durations.Boot), reason: null);
            default:
                throw IncorrectState(current, "started");
        }
    }

    public async Task<InstanceStateChange> StopAsync(string accountId, bool force)
    {
        EnsureOwner(accountId);
        var current = await CurrentAsync();
        switch (current.State)
        {
            case InstanceStateName.Stopping or InstanceStateName.Stopped:
                return new InstanceStateChange(InstanceId, current.State, current.State);
            case InstanceStateName.Running:
                var shutdown = force ? TimeSpan.Zero : Durations.Shutdown;
                RecordShutdown(force ? ConsoleShutdown.PowerOff : ConsoleShutdown.Stop);
                return await MoveAsync(current, InstanceStateName.Stopping, new PendingTransition(InstanceStateName.Stopped, clock.UtcNow + shutdown), UserInitiated(force ? "User initiated (forced)" : "User initiated"));
            default:
                throw IncorrectState(current, "stopped");
        }
    }

    public async Task RebootAsync(string accountId)
    {
        EnsureOwner(accountId);
        var current = await CurrentAsync();
        if (current.State != InstanceStateName.Running)
        {
            throw IncorrectState(current, "rebooted");
        }

        // The instance stays running to EC2 throughout; only its console sees the guest go down and come back.
        RecordShutdown(ConsoleShutdown.Reboot);
        RecordBoot(Durations.Reboot);
        await state.WriteStateAsync();
    }

    public async Task<InstanceStateChange> TerminateAsync(string accountId)
    {
        EnsureOwner(accountId);
        var current = await CurrentAsync();
        if (current.State is InstanceStateName.ShuttingDown or InstanceStateName.Terminated)
        {
            return new InstanceStateChange(InstanceId, current.State, current.State);
        }

        if (current.DisableApiTermination)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.OperationNotPermitted,
                $"The instance '{InstanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.");
        }

        return await TerminateNowAsync(current, UserInitiated("User initiated"), ConsoleShutdown.Terminate);
    }

    public async Task<string?> DescribeUserDataAsync(string accountId)
    {
        EnsureOwner(accountId);
        await CurrentAsync();
        return state.State.UserData;
    }

    public async Task<InstanceDescription> ModifyAttributeAsync(string accountId, InstanceAttributeChange change)
    {
        EnsureOwner(accountId);
        var current = await CurrentAsync();
        var names = change.AttributeNames();
        if (names.Count != 1)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterCombination,
                names.Count == 0 ? "No attribute to modify was given." : $"Fields for multiple attribute types specified: {string.Join(", ", names)}");
        }

        if (current.State is InstanceStateName.ShuttingDown or InstanceStateName.Terminated)
        {
            throw IncorrectState(current, "modified");
        }

        var needsStopped = change.InstanceType is not null || change.KernelId is not null || change.RamdiskId is not null
            || change.UserData is not null || change.EbsOptimized is not null;
        if (needsStopped && current.State != InstanceStateName.Stopped)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.IncorrectInstanceState,
                $"The instance '{InstanceId}' is not in the 'stopped' state: its {names[0]} can only be changed while it is stopped (it is {current.State.ToEc2Name()}).");
        }

        if (change.UserData is not null)
        {
            state.State.UserData = InstanceUserData.Normalize(change.UserData);
            await state.WriteStateAsync();
            return current;
        }

        if (change.InstanceType is { } instanceType && !ReservationGrain.IsInstanceType(instanceType))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"Invalid value '{instanceType}' for InstanceType.");
        }

        if (change.KernelId is not null)
        {
            Ec2Ids.EnsureKernelId(change.KernelId);
        }

        if (change.RamdiskId is not null)
        {
            Ec2Ids.EnsureRamdiskId(change.RamdiskId);
        }

        state.State.Description = current with
        {
            InstanceType = change.InstanceType ?? current.InstanceType,
            KernelId = change.KernelId ?? current.KernelId,
            RamdiskId = change.RamdiskId ?? current.RamdiskId,
            EbsOptimized = change.EbsOptimized ?? current.EbsOptimized,
            DisableApiTermination = change.DisableApiTermination ?? current.DisableApiTermination,
            InstanceInitiatedShutdownBehavior = change.InstanceInitiatedShutdownBehavior ?? current.InstanceInitiatedShutdownBehavior,
        };
        await SaveAsync();
        return state.State.Description;
    }

    public async Task<InstanceStateChange> InitiateShutdownAsync(string accountId)
    {
        EnsureOwner(accountId);
        var current = await CurrentAsync();
        if (current.State != InstanceStateName.Running)
        {
            throw IncorrectState(current, "shut down from inside");
        }

        var reason = $"{ShutdownBehaviors.InstanceInitiatedReason} ({clock.UtcNow.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} GMT)";
        if (current.InstanceInitiatedShutdownBehavior == ShutdownBehavior.Terminate)
        {
            return await TerminateNowAsync(current, reason, ConsoleShutdown.Guest);
        }

        RecordShutdown(ConsoleShutdown.Guest);
        return await MoveAsync(current, InstanceStateName.Stopping, new PendingTransition(InstanceStateName.Stopped, clock.UtcNow + Durations.Shutdown), reason);
    }

    private async Task<InstanceStateChange> TerminateNowAsync(InstanceDescription current, string reason, ConsoleShutdown shutdown)
    {
        RecordShutdown(shutdown);
        var change = await MoveAsync(current, InstanceStateName.ShuttingDown, new PendingTransition(InstanceStateName.Terminated, clock.UtcNow + Durations.Shutdown), reason);

        // An instance-store disk does not outlive its instance (a bundle task's snapshot holds its own reference).
        if (state.State.Disk is { } disk)
        {
            state.State.Disk = null;
            await state.WriteStateAsync();
            await blobs.RemoveReferenceAsync(disk.BlobHash, DiskHolder);
        }

        return change;
    }

    public async Task<PasswordData> GetPasswordDataAsync(string accountId)
    {
        EnsureOwner(accountId);
        await CurrentAsync();
        var now = clock.UtcNow;
        var available = state.State.EncryptedPassword is not null && state.State.PasswordAvailableAt is { } at && now >= at;
        return new PasswordData(InstanceId, available ? state.State.PasswordAvailableAt!.Value : now, available ? state.State.EncryptedPassword! : "");
    }

    public async Task<ConsoleOutput> GetConsoleOutputAsync(string accountId)
    {
        EnsureOwner(accountId);
        await CurrentAsync();
        return InstanceConsole.Render(state.State, Boots, clock.UtcNow);
    }

    public Task WriteFileAsync(string accountId, string path, byte[] content)
        => ChangeDiskAsync(accountId, windowsOnly: false, image => image.WriteFile(path, content));

    public Task<byte[]> ReadFileAsync(string accountId, string path)
        => ReadDiskAsync(accountId, image => image.ReadFile(path));

    public Task DeleteFileAsync(string accountId, string path)
        => ChangeDiskAsync(accountId, windowsOnly: false, image => image.DeleteFile(path));

    public Task<ImmutableArray<GuestFile>> ListFilesAsync(string accountId)
        => ReadDiskAsync<ImmutableArray<GuestFile>>(accountId, image => [.. image.ListFiles().Select(f => new GuestFile(f.Path, f.Length, f.IsTemporary))]);

    public async Task<int> DiskCleanupAsync(string accountId)
    {
        var removed = 0;
        await ChangeDiskAsync(accountId, windowsOnly: true, image => removed = image.DiskCleanup());
        return removed;
    }

    public Task DefragmentAsync(string accountId)
        => ChangeDiskAsync(accountId, windowsOnly: true, image => image.Defragment());

    public Task ZeroFreeSpaceAsync(string accountId)
        => ChangeDiskAsync(accountId, windowsOnly: true, image => image.ZeroFreeSpace());

    public Task SetAdministratorPasswordAsync(string accountId, string password)
    {
        if (string.IsNullOrEmpty(password) || password.Length > 127)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, "The administrator password must be 1 to 127 characters.");
        }

        return ChangeDiskAsync(accountId, windowsOnly: true, image => image.SetAdministratorPassword(password));
    }

    public async Task<DiskSnapshot> SnapshotDiskAsync(string accountId)
    {
        EnsureOwner(accountId);
        var current = await CurrentAsync();
        if (current.State != InstanceStateName.Stopped || state.State.Disk is null)
        {
            throw new Ec2Exception(Ec2ErrorCodes.IncorrectInstanceState, $"The instance '{InstanceId}' is not in the 'stopped' state; its disk can only be snapshotted when stopped.");
        }

        return new DiskSnapshot(InstanceId, state.State.Disk, clock.UtcNow);
    }

    public async Task BeginBundleAsync(string accountId, string bundleId)
    {
        EnsureOwner(accountId);
        var current = await CurrentAsync();
        if (state.State.BundleId == bundleId)
        {
            return;
        }

        if (current.Platform != Platform.Windows)
        {
            throw new Ec2Exception(Ec2ErrorCodes.UnsupportedOperation, $"The instance '{InstanceId}' is not a Windows instance: BundleInstance bundles Windows instance-store instances only.");
        }

        if (state.State.BundleId is { } other)
        {
            throw new Ec2Exception(Ec2ErrorCodes.BundlingInProgress, $"The instance '{InstanceId}' is already being bundled by {other}.");
        }

        if (current.State != InstanceStateName.Running)
        {
            throw new Ec2Exception(Ec2ErrorCodes.IncorrectInstanceState, $"The instance '{InstanceId}' is not in the 'running' state: it is {current.State.ToEc2Name()}.");
        }

        state.State.BundleId = bundleId;
        await state.WriteStateAsync();
    }

    public async Task EndBundleAsync(string bundleId)
    {
        if (state.State.BundleId == bundleId)
        {
            state.State.BundleId = null;
            await state.WriteStateAsync();
        }
    }

    private ImmutableList<ConsoleBoot> Boots => InstanceConsole.BootsOf(state.State, Durations.Boot);

    /// <summary>A boot of the console log starting now, up after <paramref name="duration"/> (persisted with the move that caused it).</summary>
    private void RecordBoot(TimeSpan duration)
    {
        var now = clock.UtcNow;
        var boots = Boots.Add(new ConsoleBoot(now, now + duration, Generalized: false, SetsPassword: false));
        state.State.ConsoleBoots = boots.Count > InstanceConsole.MaxBoots ? boots.RemoveRange(0, boots.Count - InstanceConsole.MaxBoots) : boots;
    }

    /// <summary>The current boot goes down now, <paramref name="how"/> (a boot already going down keeps its first reason).</summary>
    private void RecordShutdown(ConsoleShutdown how)
    {
        var boots = Boots;
        if (boots.Count > 0 && boots[^1].ShutdownAt is null)
        {
            state.State.ConsoleBoots = boots.SetItem(boots.Count - 1, boots[^1] with { ShutdownAt = clock.UtcNow, Shutdown = how });
        }
    }

    /// <summary>The description as of now; a transition that came due is made permanent.</summary>
    private async Task<InstanceDescription> CurrentAsync()
    {
        var stored = state.State.Description!;
        var current = stored.At(clock.UtcNow);
        if (!ReferenceEquals(current, stored))
        {
            state.State.Description = current;
            await SaveAsync();
        }

        return current;
    }

    private async Task<InstanceStateChange> MoveAsync(InstanceDescription current, InstanceStateName next, PendingTransition? transition, string? reason)
    {
        state.State.Description = current with { State = next, Transition = transition, StateTransitionReason = reason ?? current.StateTransitionReason };
        await SaveAsync();
        return new InstanceStateChange(InstanceId, current.State, next);
    }

    private async Task SaveAsync()
    {
        await state.WriteStateAsync();
        var description = state.State.Description!;
        await GrainFactory.GetGrain<IAccountRegionGrain>(AccountRegionKeys.Format(description.AccountId, description.Region)).UpsertInstanceAsync(description);
    }

    private async Task ChangeDiskAsync(string accountId, bool windowsOnly, Action<DiskImage> change)
    {
        await RunningGuestAsync(accountId, windowsOnly);
        var before = state.State.Disk!;
        var after = await RewriteDiskAsync(before, change);
        if (after.BlobHash == before.BlobHash)
        {
            return;
        }

        state.State.Disk = after;
        await state.WriteStateAsync();
        await blobs.RemoveReferenceAsync(before.BlobHash, DiskHolder);
    }

    private async Task<T> ReadDiskAsync<T>(string accountId, Func<DiskImage, T> read)
    {
        await RunningGuestAsync(accountId, windowsOnly: false);
        await using var stream = blobs.OpenRead(state.State.Disk!.BlobHash);
        return GuestCall(() => read(DiskImage.Open(stream)));
    }

    private async Task RunningGuestAsync(string accountId, bool windowsOnly)
    {
        EnsureOwner(accountId);
        var current = await CurrentAsync();
        if (current.State != InstanceStateName.Running || state.State.Disk is null)
        {
            throw new Ec2Exception(Ec2ErrorCodes.IncorrectInstanceState, $"The instance '{InstanceId}' is not in the 'running' state.");
        }

        if (windowsOnly && current.Platform != Platform.Windows)
        {
            throw new Ec2Exception(Ec2ErrorCodes.UnsupportedOperation, $"The instance '{InstanceId}' is not a Windows instance.");
        }
    }

    /// <summary>Copies a disk blob to a temporary file, applies <paramref name="change"/>, and stores the result as a new blob this instance refers to.</summary>
    private async Task<LaunchDisk> RewriteDiskAsync(LaunchDisk source, Action<DiskImage> change)
    {
        var path = blobs.NewTemporaryPath();
        try
        {
            await using (var input = blobs.OpenRead(source.BlobHash))
            await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                await input.CopyToAsync(output);
                GuestCall(() =>
                {
                    change(DiskImage.Open(output));
                    return true;
                });
            }

            var blob = await blobs.CommitTemporaryFileAsync(path);

            // The new disk is referenced before any state points at it, so a crash here can only leak it.
            await blobs.AddReferenceAsync(blob.Hash, DiskHolder);
            return source with { BlobHash = blob.Hash, Length = blob.Length };
        }
        finally
        {
            File.Delete(path);
        }
    }

    private T GuestCall<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (DiskException e) when (GuestErrorCode(e.Error) is { } code)
        {
            throw new Ec2Exception(code, $"{InstanceId}: {e.Message}");
        }
    }

    /// <summary>The error a guest's mistake gives; a damaged disk is the simulator's own fault and stays an internal error.</summary>
    private static string? GuestErrorCode(DiskError error) => error switch
    {
        DiskError.FileNotFound => Ec2ErrorCodes.GuestFileNotFound,
        DiskError.DiskFull or DiskError.FileTableFull => Ec2ErrorCodes.GuestDiskFull,
        DiskError.InvalidPath or DiskError.InvalidPassword => Ec2ErrorCodes.InvalidParameterValue,
        DiskError.WrongPlatform => Ec2ErrorCodes.UnsupportedOperation,
        _ => null,
    };

    private void EnsureOwner(string accountId)
    {
        if (state.State.Description is not { } description || description.AccountId != accountId)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidInstanceIdNotFound, $"The instance ID '{InstanceId}' does not exist");
        }
    }

    private Ec2Exception IncorrectState(InstanceDescription current, string verb)
        => new(Ec2ErrorCodes.IncorrectInstanceState, $"The instance '{InstanceId}' is not in a state from which it can be {verb}: it is {current.State.ToEc2Name()}.");

    private string UserInitiated(string what)
        => $"{what} ({clock.UtcNow.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} GMT)";

    private static string NewAdministratorPassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", lower = "abcdefghijkmnopqrstuvwxyz", digits = "23456789", symbols = "!$%&()*+-.;=?@";
        const string all = upper + lower + digits + symbols;
        var chars = new char[12];
        chars[0] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[1] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        chars[3] = symbols[RandomNumberGenerator.GetInt32(symbols.Length)];
        for (var i = 4; i < chars.Length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }

        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }

    private static string NewPrivateIp()
        => string.Create(CultureInfo.InvariantCulture, $"10.{RandomNumberGenerator.GetInt32(256)}.{RandomNumberGenerator.GetInt32(256)}.{RandomNumberGenerator.GetInt32(1, 255)}");

    private static string PrivateDnsName(string ip, string region)
        => "ip-" + ip.Replace('.', '-') + (region == "us-east-1" ? ".ec2.internal" : $".{region}.compute.internal");
}

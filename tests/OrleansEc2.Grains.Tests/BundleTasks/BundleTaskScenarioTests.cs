using System.Security.Cryptography;
using System.Text;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;
using OrleansEc2.Grains.Blobs;
using static OrleansEc2.Grains.Tests.BundleTasks.BundleKit;

namespace OrleansEc2.Grains.Tests.BundleTasks;

/// <summary>ec2-bundle-instance of a changed Windows instance, watched state by state on the fake clock.</summary>
[Collection(TimedBundleClusterCollection.Name)]
public sealed class BundleTaskScenarioTests(TimedBundleClusterFixture fixture)
{
    private const string NotesPath = @"C:\Users\Administrator\Desktop\notes.txt";
    private const string PagePath = @"C:\inetpub\wwwroot\index.html";
    private const string Password = "Bundl3d!Passw0rd";

    [Fact]
    public async Task BundleInstance_OfAChangedWindowsInstance_GoesThroughEveryStateAndStoresAVerifiableSyspreppedBundle()
    {
        var grains = fixture.Grains;
        var blobs = fixture.GetSiloService<FileBlobStore>();
        var instance = await Scenario.RunOneAsync(grains);
        fixture.Time.Advance(TimedBundleClusterFixture.Boot);
        var before = await instance.DescribeAsync(Alice);
        var notes = Encoding.UTF8.GetBytes("Bundled on the simulator.\r\n");
        var page = Encoding.UTF8.GetBytes("<html><body>hello from the bundled instance</body></html>");
        await instance.WriteFileAsync(Alice, NotesPath, notes);
        await instance.WriteFileAsync(Alice, PagePath, page);
        await instance.SetAdministratorPasswordAsync(Alice, Password);
        await instance.ZeroFreeSpaceAsync(Alice);
        var bucket = NewBucketName();
        const string prefix = "winami";
        var task = NewTask(grains);

        var started = await task.StartAsync(Request(before.InstanceId, bucket, prefix, fixture.Time.GetUtcNow()));
        var seen = new List<BundleTaskDescription> { started };
        while (!seen[^1].State.IsFinished())
        {
            var last = seen[^1];

            // The shutdown is timed from the stop request: let it be made before the clock moves. Bundling and storing
            // do their work, then wait out the phase minimum: see the progress they made first.
            if (last.State == BundleTaskState.WaitingForShutdown)
            {
                await WaitForInstanceAsync(instance, InstanceStateName.Stopping);
            }
            else if (last.State == BundleTaskState.Bundling)
            {
                seen.Add(await WaitForAsync(task, t => t.Progress == 70));
            }
            else if (last.State == BundleTaskState.Storing)
            {
                seen.Add(await WaitForAsync(task, t => t.Progress > 70));
            }

            fixture.Time.Advance(TimedBundleClusterFixture.PhaseMinimum);
            seen.Add(await WaitForAsync(task, t => t.State != last.State));
        }

        seen.Select(t => t.State).Distinct().Should().Equal(
            BundleTaskState.Pending, BundleTaskState.WaitingForShutdown, BundleTaskState.Bundling, BundleTaskState.Storing, BundleTaskState.Complete);
        seen.Select(t => t.Progress).Should().BeInAscendingOrder();
        seen.Where(t => t.State == BundleTaskState.Storing).Select(t => t.Progress).Should().Contain(p => p > 70).And.OnlyContain(p => p < 100);
        var complete = seen[^1];
        complete.Should().BeEquivalentTo(started with { State = BundleTaskState.Complete, Progress = 100, UpdateTime = complete.UpdateTime });
        complete.UpdateTime.Should().Be(started.StartTime + (4 * TimedBundleClusterFixture.PhaseMinimum));
        (await Scenario.Index(grains).DescribeBundleTasksAsync([started.BundleId], [])).Should().Equal(complete);

        var (manifest, parts, keys) = await ReadBundleAsync(grains, blobs, bucket, prefix);
        manifest.Parts.Count.Should().BeGreaterThan(1, "256 KiB parts of a 2 MiB disk");
        manifest.Parts.Select(p => p.FileName).Should().Equal(Enumerable.Range(0, manifest.Parts.Count).Select(i => $"{prefix}.part.{i:D2}"));
        keys.Should().BeEquivalentTo([.. manifest.Parts.Select(p => p.FileName), $"{prefix}.manifest.xml"]);
        (await ListAsync(grains, bucket, prefix)).Should().OnlyContain(
            o => o.CannedAcl == ObjectCannedAcls.Ec2BundleRead, "EC2 stores each part and the manifest as the upload policy requires it: ec2-bundle-read");
        manifest.User.Should().Be(Alice);
        var image = await VerifyAndUnbundleAsync(grains, manifest, parts);

        fixture.Time.Advance(TimedBundleClusterFixture.Boot);
        var after = await WaitForInstanceAsync(instance, InstanceStateName.Running);
        (after.ComputerName, after.MacAddress, after.Sid).Should().Be((before.ComputerName, before.MacAddress, before.Sid));
        (await instance.ReadFileAsync(Alice, NotesPath)).Should().Equal(notes);

        var bundled = DiskImage.Open(new MemoryStream(image, writable: false));
        bundled.Identity.Should().BeNull("sysprep strips the computer name, MAC address and SID");
        bundled.AdministratorPassword.Should().Be(Password);
        bundled.ReadFile(NotesPath).Should().Equal(notes);
        bundled.ReadFile(PagePath).Should().Equal(page);

        await instance.StopAsync(Alice, force: false);
        fixture.Time.Advance(TimedBundleClusterFixture.Shutdown);
        var disk = (await instance.SnapshotDiskAsync(Alice)).Disk;
        Sha256(image).Should().Be(Sha256(await GeneralizedAsync(blobs, disk.BlobHash)), "the bundle is the stopped disk as sysprep leaves it");
        await using (var original = blobs.OpenRead(disk.BlobHash))
        {
            DiskImage.Open(original).Identity!.ComputerName.Should().Be(before.ComputerName, "the instance's own disk keeps its identity");
        }

        // The task let go of every blob it held: the bucket's objects and the instance hold them now.
        (await blobs.GetHoldersAsync(disk.BlobHash)).Should().Equal($"instance:{before.InstanceId}");
        foreach (var key in keys)
        {
            var stored = await grains.GetGrain<IBucketGrain>(bucket).GetObjectAsync(Alice, key);
            (await blobs.GetHoldersAsync(stored.Blob.Hash)).Should().Equal($"object:{bucket}/{key}");
        }
    }

    [Fact]
    public async Task BundleInstance_WhileAnotherTaskBundlesTheInstance_FailsWithBundlingInProgress()
    {
        var grains = fixture.Grains;
        var instance = await Scenario.RunOneAsync(grains);
        fixture.Time.Advance(TimedBundleClusterFixture.Boot);
        var id = (await instance.DescribeAsync(Alice)).InstanceId;
        var bucket = NewBucketName();
        var first = NewTask(grains);
        await first.StartAsync(Request(id, bucket, "first", fixture.Time.GetUtcNow()));

        var second = NewTask(grains);
        await ThrowsAsync(() => second.StartAsync(Request(id, bucket, "second", fixture.Time.GetUtcNow())), Ec2ErrorCodes.BundlingInProgress);
        await ThrowsAsync(() => second.CheckStartAsync(Request(id, bucket, "second", fixture.Time.GetUtcNow())), Ec2ErrorCodes.BundlingInProgress);

        await first.CancelAsync(Alice);
        (await WaitUntilFinishedAsync(first)).Error!.Code.Should().Be(Ec2ErrorCodes.Cancelled);
        (await instance.DescribeAsync(Alice)).State.Should().Be(InstanceStateName.Running);
        await ThrowsAsync(() => second.DescribeAsync(Alice), Ec2ErrorCodes.InvalidBundleIdNotFound);
    }

    [Fact]
    public async Task CancelBundleTask_WhileStoring_RemovesTheStoredPartsAndRestartsTheInstance()
    {
        var grains = fixture.Grains;
        var blobs = fixture.GetSiloService<FileBlobStore>();
        var instance = await Scenario.RunOneAsync(grains);
        fixture.Time.Advance(TimedBundleClusterFixture.Boot);
        var id = (await instance.DescribeAsync(Alice)).InstanceId;
        var bucket = NewBucketName();
        var task = NewTask(grains);
        await task.StartAsync(Request(id, bucket, "cancelled", fixture.Time.GetUtcNow()));
        await AdvanceUntilAsync(task, BundleTaskState.Storing);
        await WaitForAsync(task, t => t.Progress > 70);
        var stored = await ListAsync(grains, bucket, "cancelled");
        stored.Should().NotBeEmpty().And.OnlyContain(o => o.Key.StartsWith("cancelled.part.", StringComparison.Ordinal), "the manifest comes last");

        var cancelling = await task.CancelAsync(Alice);
        var failed = await WaitUntilFinishedAsync(task);

        cancelling.State.Should().Be(BundleTaskState.Cancelling);
        failed.State.Should().Be(BundleTaskState.Failed);
        failed.Error.Should().Be(new BundleTaskError(Ec2ErrorCodes.Cancelled, "User cancelled the bundle task (CancelBundleTask)."));
        (await ListAsync(grains, bucket, "cancelled")).Should().BeEmpty();
        foreach (var part in stored)
        {
            (await blobs.GetHoldersAsync(part.Blob.Hash)).Should().BeEmpty();
        }

        fixture.Time.Advance(TimedBundleClusterFixture.Boot);
        await WaitForInstanceAsync(instance, InstanceStateName.Running);
        await ThrowsAsync(() => task.CancelAsync(Alice), Ec2ErrorCodes.IncorrectState);
        (await Scenario.Index(grains).DescribeBundleTasksAsync([], [new Ec2Filter("error-code", [Ec2ErrorCodes.Cancelled]), new Ec2Filter("instance-id", [id])]))
            .Should().Equal(failed);
    }

    [Fact]
    public async Task CancelBundleTask_WhileWaitingForShutdown_StartsTheInstanceOnceItHasStopped()
    {
        var grains = fixture.Grains;
        var instance = await Scenario.RunOneAsync(grains);
        fixture.Time.Advance(TimedBundleClusterFixture.Boot);
        var id = (await instance.DescribeAsync(Alice)).InstanceId;
        var task = NewTask(grains);
        await task.StartAsync(Request(id, NewBucketName(), "stopping", fixture.Time.GetUtcNow()));
        await AdvanceUntilAsync(task, BundleTaskState.WaitingForShutdown);
        await WaitForInstanceAsync(instance, InstanceStateName.Stopping);

        await task.CancelAsync(Alice);
        fixture.Time.Advance(TimedBundleClusterFixture.Shutdown);
        var failed = await WaitUntilFinishedAsync(task);
        fixture.Time.Advance(TimedBundleClusterFixture.Boot);

        failed.Error!.Code.Should().Be(Ec2ErrorCodes.Cancelled);
        await WaitForInstanceAsync(instance, InstanceStateName.Running);
    }

    [Fact]
    public async Task BundleTask_WhoseBucketIsDeletedBeforeStoring_FailsWithNoSuchBucketAndRestartsTheInstance()
    {
        var grains = fixture.Grains;
        var blobs = fixture.GetSiloService<FileBlobStore>();
        var instance = await Scenario.RunOneAsync(grains);
        fixture.Time.Advance(TimedBundleClusterFixture.Boot);
        var id = (await instance.DescribeAsync(Alice)).InstanceId;
        var bucket = NewBucketName();
        var task = NewTask(grains);
        await task.StartAsync(Request(id, bucket, "orphan", fixture.Time.GetUtcNow()));
        await AdvanceUntilAsync(task, BundleTaskState.Bundling);
        await WaitForAsync(task, t => t.Progress == 70);
        var disk = (await instance.SnapshotDiskAsync(Alice)).Disk;

        await grains.GetGrain<IBucketGrain>(bucket).DeleteAsync(Alice);
        fixture.Time.Advance(TimedBundleClusterFixture.PhaseMinimum);
        var failed = await WaitUntilFinishedAsync(task);

        failed.State.Should().Be(BundleTaskState.Failed);
        failed.Error!.Code.Should().Be(Ec2ErrorCodes.NoSuchBucket);
        failed.Progress.Should().Be(70, "a failed task keeps the progress it had");
        fixture.Time.Advance(TimedBundleClusterFixture.Boot);
        await WaitForInstanceAsync(instance, InstanceStateName.Running);
        (await blobs.GetHoldersAsync(disk.BlobHash)).Should().Equal($"instance:{id}");
    }

    [Fact]
    public async Task BundleTask_WhoseInstanceIsTerminatedBeforeItStops_FailsWithIncorrectInstanceState()
    {
        var grains = fixture.Grains;
        var instance = await Scenario.RunOneAsync(grains);
        fixture.Time.Advance(TimedBundleClusterFixture.Boot);
        var id = (await instance.DescribeAsync(Alice)).InstanceId;
        var task = NewTask(grains);
        await task.StartAsync(Request(id, NewBucketName(), "gone", fixture.Time.GetUtcNow()));

        await instance.TerminateAsync(Alice);
        fixture.Time.Advance(TimedBundleClusterFixture.PhaseMinimum);
        var failed = await WaitUntilFinishedAsync(task);

        failed.Error!.Code.Should().Be(Ec2ErrorCodes.IncorrectInstanceState);
        failed.Error.Message.Should().Be($"The instance '{id}' is terminated: it was terminated before it could be bundled.");
        (await Scenario.Index(grains).DescribeBundleTasksAsync([failed.BundleId], [])).Should().Equal(failed);
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Advances the clock a phase at a time until the task is in <paramref name="state"/>.</summary>
    private async Task AdvanceUntilAsync(IBundleTaskGrain task, BundleTaskState state)
    {
        var current = await task.DescribeAsync(Alice);
        while (current.State != state)
        {
            var last = current.State;
            if (last == BundleTaskState.WaitingForShutdown)
            {
                await WaitForInstanceAsync(fixture.Grains.GetGrain<IInstanceGrain>(current.InstanceId), InstanceStateName.Stopping);
            }

            fixture.Time.Advance(TimedBundleClusterFixture.PhaseMinimum);
            current = await WaitForAsync(task, t => t.State != last);
        }
    }
}

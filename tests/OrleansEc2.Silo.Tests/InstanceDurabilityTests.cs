using System.Text;
using Microsoft.Data.Sqlite;
using OrleansEc2.Testing;

namespace OrleansEc2.Silo.Tests;

/// <summary>Instances in the real silo process, on SQLite, across a SIGKILL.</summary>
public sealed class InstanceDurabilityTests
{
    private const string Alice = "111122223333";
    private static readonly Caller AliceUs = new(Alice, "us-east-1");

    [Fact]
    public async Task SigKill_ThenRestart_EveryInstanceHasItsStateIdentityAndDiskBytes()
    {
        await using var silo = await SiloProcess.StartAsync();
        List<InstanceDescription> before;
        Dictionary<string, string> disksBefore = [];
        var note = Encoding.UTF8.GetBytes("written before the crash\r\n");
        string stoppedId;
        await using (var client = await silo.ConnectClientAsync())
        {
            var grains = client.Grains;
            var index = grains.GetGrain<IAccountRegionGrain>(AliceUs.AccountRegionKey);
            var windows = (await index.DescribeImagesAsync(new ImageQuery([], ["amazon"], [], [new Ec2Filter("platform", ["windows"])])))[0];
            var reservation = await grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId())
                .RunInstancesAsync(new RunInstancesRequest(AliceUs, windows.ImageId, 3, 3, "m1.small", null, null, null, [new Tag("Name", "durable")]));
            var ids = reservation.Instances.Select(i => i.InstanceId).ToList();
            await grains.GetGrain<IInstanceGrain>(ids[1]).WriteFileAsync(Alice, @"C:\Users\Administrator\Desktop\note.txt", note);

            // Snapshot every disk (a snapshot needs the instance stopped), then leave one stopped.
            foreach (var id in ids)
            {
                var instance = grains.GetGrain<IInstanceGrain>(id);
                await instance.StopAsync(Alice, force: false);
                disksBefore[id] = (await instance.SnapshotDiskAsync(Alice)).Disk.BlobHash;
                if (id != ids[2])
                {
                    await instance.StartAsync(Alice);
                }
            }

            stoppedId = ids[2];
            before = [.. (await index.DescribeInstancesAsync(new InstanceQuery([.. ids], [], null, null))).Instances];
        }

        await silo.KillAsync();
        await silo.RestartAsync();

        await using var after = await silo.ConnectClientAsync();
        var afterIndex = after.Grains.GetGrain<IAccountRegionGrain>(AliceUs.AccountRegionKey);
        var described = (await afterIndex.DescribeInstancesAsync(new InstanceQuery([.. before.Select(i => i.InstanceId)], [], null, null))).Instances;
        described.Should().BeEquivalentTo(before);
        described.Single(i => i.InstanceId == stoppedId).State.Should().Be(InstanceStateName.Stopped);
        described.Where(i => i.InstanceId != stoppedId).Should().OnlyContain(i => i.State == InstanceStateName.Running);
        described.Should().OnlyContain(i => i.Tags.Single() == new Tag("Name", "durable"));

        var withNote = after.Grains.GetGrain<IInstanceGrain>(before[1].InstanceId);
        (await withNote.ReadFileAsync(Alice, @"C:\Users\Administrator\Desktop\note.txt")).Should().Equal(note);
        foreach (var instance in before)
        {
            var grain = after.Grains.GetGrain<IInstanceGrain>(instance.InstanceId);
            await grain.StopAsync(Alice, force: false);
            (await grain.SnapshotDiskAsync(Alice)).Disk.BlobHash.Should().Be(disksBefore[instance.InstanceId], $"{instance.InstanceId}'s disk bytes must survive the crash");
        }
    }

    [Fact]
    public async Task ReportsArrivingWhileTheIndexWaitsOnTheDatabase_AreSavedInOneMoreWrite_AndSurviveASigKill()
    {
        const int Count = 50;
        await using var silo = await SiloProcess.StartAsync();
        List<InstanceDescription> reported;
        int writesBefore, writesAfter;
        await using (var client = await silo.ConnectClientAsync())
        {
            var index = client.Grains.GetGrain<IAccountRegionGrain>(AliceUs.AccountRegionKey);
            var linux = (await index.DescribeImagesAsync(new ImageQuery([], ["amazon"], [], []))).First(i => i.Platform != Platform.Windows);
            var launched = await client.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId())
                .RunInstancesAsync(new RunInstancesRequest(AliceUs, linux.ImageId, 1, 1, "m1.small", null, null, null, []));
            var template = (await index.DescribeInstancesAsync(new InstanceQuery([launched.Instances[0].InstanceId], [], null, null))).Instances.Single();
            reported = [.. Enumerable.Range(0, Count).Select(i => template with { InstanceId = Ec2Ids.NewInstanceId(), AmiLaunchIndex = i + 1 })];
            writesBefore = IndexWrites(silo.DatabasePath, AliceUs.AccountRegionKey);

            Task[] reports;
            await using (var writer = new SqliteConnection($"Data Source={silo.DatabasePath}"))
            {
                // Another connection holds the database's write lock: the index's first write waits on it (SQLite's
                // busy timeout) while the other reports arrive. Reads go on meanwhile: once a listing shows every
                // report, all of them were taken in before anything was saved.
                await writer.OpenAsync();
                using var holding = writer.BeginTransaction(deferred: false);
                reports = [.. reported.Select(index.UpsertInstanceAsync)];
                var watch = System.Diagnostics.Stopwatch.StartNew();
                while ((await index.DescribeInstancesAsync(new InstanceQuery([], [], null, null))).Instances.Length < Count + 1)
                {
                    watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "every report should be taken in while the write waits");
                    await Task.Delay(10);
                }

                reports.Should().OnlyContain(t => !t.IsCompleted, "no report is answered before a write holding it is saved");
                holding.Rollback();
            }

            await Task.WhenAll(reports);
            writesAfter = IndexWrites(silo.DatabasePath, AliceUs.AccountRegionKey);
        }

        await silo.KillAsync();
        await silo.RestartAsync();

        await using var after = await silo.ConnectClientAsync();
        var described = (await after.Grains.GetGrain<IAccountRegionGrain>(AliceUs.AccountRegionKey)
            .DescribeInstancesAsync(new InstanceQuery([.. reported.Select(i => i.InstanceId)], [], null, null))).Instances;
        described.Should().BeEquivalentTo(reported);
        (writesAfter - writesBefore).Should().BeInRange(1, 2, $"the write that waited, then one for the rest of the {Count} reports");
    }

    /// <summary>How many times the account-region index's state was written (its storage version).</summary>
    private static int IndexWrites(string databasePath, string key)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Version FROM OrleansStorage WHERE GrainIdExtensionString = @Key;";
        command.Parameters.AddWithValue("@Key", key);
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Text;
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
}

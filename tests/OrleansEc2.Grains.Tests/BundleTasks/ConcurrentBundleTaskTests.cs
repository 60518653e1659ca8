using System.Diagnostics;
using static OrleansEc2.Grains.Tests.BundleTasks.BundleKit;

namespace OrleansEc2.Grains.Tests.BundleTasks;

[Collection(BundleClusterCollection.Name)]
public sealed class ConcurrentBundleTaskTests(BundleClusterFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Count = 10;
    private static readonly TimeSpan DescribeBound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task TenBundleTasksAtOnce_AllComplete_AndDescribeAnswersPromptlyWhileTheyRun()
    {
        var grains = fixture.Grains;
        var reservation = await Scenario.RunAsync(grains, count: Count);
        var bucket = NewBucketName();
        var now = fixture.Time.GetUtcNow();
        var tasks = reservation.Instances.Select(_ => NewTask(grains)).ToList();
        var started = await Task.WhenAll(tasks.Select((task, i) => task.StartAsync(Request(reservation.Instances[i].InstanceId, bucket, $"image{i}", now))));
        var ids = started.Select(t => t.BundleId).ToList();
        var index = Scenario.Index(grains);

        var slowest = TimeSpan.Zero;
        var describes = 0;
        var statesSeen = new HashSet<BundleTaskState>();
        var watch = Stopwatch.StartNew();
        IReadOnlyList<BundleTaskDescription> current;
        do
        {
            var call = Stopwatch.StartNew();
            current = await index.DescribeBundleTasksAsync([.. ids], []);
            await tasks[describes % Count].DescribeAsync(Alice);
            slowest = call.Elapsed > slowest ? call.Elapsed : slowest;
            describes++;
            statesSeen.UnionWith(current.Select(t => t.State));
            watch.Elapsed.Should().BeLessThan(Patience, "ten small bundles finish well within that");
            await Task.Delay(5);
        }
        while (current.Any(t => !t.State.IsFinished()));

        output.WriteLine($"{Count} tasks done in {watch.Elapsed.TotalMilliseconds:F0} ms; {describes} describe rounds, slowest {slowest.TotalMilliseconds:F1} ms");
        current.Should().HaveCount(Count).And.OnlyContain(t => t.State == BundleTaskState.Complete && t.Progress == 100);
        statesSeen.Should().Contain(BundleTaskState.Bundling, "the describes ran while the tasks worked");
        slowest.Should().BeLessThan(DescribeBound, $"{describes} describes while ten tasks bundled");
        var keys = (await ListAsync(grains, bucket, "image")).Select(o => o.Key).ToHashSet();
        keys.Should().Contain(Enumerable.Range(0, Count).Select(i => $"image{i}.manifest.xml"));
        foreach (var instance in reservation.Instances)
        {
            await WaitForInstanceAsync(grains.GetGrain<IInstanceGrain>(instance.InstanceId), InstanceStateName.Running);
        }
    }
}

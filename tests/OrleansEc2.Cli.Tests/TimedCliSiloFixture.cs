using Amazon.EC2;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansEc2.Grains.Hosting;
using OrleansEc2.Testing;

namespace OrleansEc2.Cli.Tests;

/// <summary>
/// A second silo for the CLI tests whose bundle phases take ten minutes each on a simulated clock that only the test
/// moves: a bundle task stays where it is until the test advances the clock, so waiting, progress and cancelling can be
/// watched. Instances still boot and stop at once.
/// </summary>
public sealed class TimedCliSiloFixture : IAsyncLifetime
{
    public static readonly TimeSpan Phase = TimeSpan.FromMinutes(10);

    private InProcessSilo? _silo;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public InProcessSilo Silo => _silo ?? throw new InvalidOperationException("The silo is not started.");

    public CliWorkspace Workspace()
    {
        var workspace = new CliWorkspace();
        workspace.Environment["EC2_URL"] = Silo.BaseUrl;
        workspace.Environment["AWS_ACCESS_KEY_ID"] = CliSiloFixture.AliceKey;
        workspace.Environment["AWS_SECRET_ACCESS_KEY"] = CliSiloFixture.AliceSecret;
        return workspace;
    }

    public AmazonEC2Client Ec2() =>
        new(new BasicAWSCredentials(CliSiloFixture.AliceKey, CliSiloFixture.AliceSecret), new AmazonEC2Config { ServiceURL = Silo.BaseUrl, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    public async Task<string> LaunchWindowsAsync()
    {
        using var ec2 = Ec2();
        var images = await ec2.DescribeImagesAsync(new Amazon.EC2.Model.DescribeImagesRequest { Owners = ["amazon"], Filters = [new Amazon.EC2.Model.Filter { Name = "platform", Values = ["windows"] }] });
        var launched = await ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = images.Images.Single().ImageId, MinCount = 1, MaxCount = 1 });
        return launched.Reservation.Instances.Single().InstanceId;
    }

    /// <summary>The bundle tasks of an instance (through the SDK), polled until <paramref name="until"/> holds.</summary>
    public async Task<Amazon.EC2.Model.BundleTask> WaitForBundleTaskAsync(string instanceId, Func<Amazon.EC2.Model.BundleTask, bool> until)
    {
        using var ec2 = Ec2();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var tasks = await ec2.DescribeBundleTasksAsync(
                new Amazon.EC2.Model.DescribeBundleTasksRequest { Filters = [new Amazon.EC2.Model.Filter { Name = "instance-id", Values = [instanceId] }] },
                timeout.Token);
            if (tasks.BundleTasks?.FirstOrDefault() is { } task && until(task))
            {
                return task;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    public async Task InitializeAsync()
    {
        _silo = await InProcessSilo.StartAsync(
            [new("Disk:DefaultSizeBytes", "1048576"), new("Durations:BundlePhaseMinimum", Phase.ToString())],
            builder => builder.Services.AddSingleton<ISimulationClock>(SimulationClock.Simulated(Time)));
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }
}

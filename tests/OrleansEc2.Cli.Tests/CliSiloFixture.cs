using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using OrleansEc2.Testing;

namespace OrleansEc2.Cli.Tests;

/// <summary>
/// One silo for the CLI tests (the host <c>Program.cs</c> runs, in-process: SQLite on a temporary directory, the front
/// door on a free loopback port, zero durations, 1 MiB public disks so bundles are quick), and workspaces whose
/// environment points <c>ec2sim</c> at it as alice.
/// </summary>
public sealed class CliSiloFixture : IAsyncLifetime
{
    public const string Alice = "111122223333";
    public const string AliceKey = "AKIAIOSFODNN7EXAMPLE";
    public const string AliceSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public const string BobKey = "AKIAI44QH8DHBEXAMPLE";
    public const string BobSecret = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";

    private InProcessSilo? _silo;

    public InProcessSilo Silo => _silo ?? throw new InvalidOperationException("The silo is not started.");

    public string Url => Silo.BaseUrl;

    /// <summary>A workspace whose <c>EC2_URL</c>, <c>AWS_ACCESS_KEY_ID</c> and <c>AWS_SECRET_ACCESS_KEY</c> are this silo and alice.</summary>
    public CliWorkspace Workspace()
    {
        var workspace = new CliWorkspace();
        workspace.Environment["EC2_URL"] = Url;
        workspace.Environment["AWS_ACCESS_KEY_ID"] = AliceKey;
        workspace.Environment["AWS_SECRET_ACCESS_KEY"] = AliceSecret;
        return workspace;
    }

    /// <summary>The AWS SDK's own EC2 client as alice, to check what a command did independently of it.</summary>
    public AmazonEC2Client Ec2(string region = "us-east-1") =>
        new(new BasicAWSCredentials(AliceKey, AliceSecret), new AmazonEC2Config { ServiceURL = Url, AuthenticationRegion = region, MaxErrorRetry = 0 });

    /// <summary>The AWS SDK's own S3 client as alice (path-style), to check what a command stored independently of it.</summary>
    public AmazonS3Client S3(string region = "us-east-1") =>
        new(new BasicAWSCredentials(AliceKey, AliceSecret), new AmazonS3Config { ServiceURL = Url, ForcePathStyle = true, AuthenticationRegion = region, MaxErrorRetry = 0 });

    /// <summary>The region's EC2 certificate (PEM), which a bundle must be sealed to for the region to register it.</summary>
    public Task<string> Ec2CertificatePemAsync(string region = "us-east-1") =>
        Silo.Grains.GetGrain<IRegionGrain>(region).GetEc2CertificatePemAsync();

    /// <summary>The public Windows Server 2003 AMI of the region.</summary>
    public async Task<string> WindowsImageAsync(string region = "us-east-1")
    {
        using var ec2 = Ec2(region);
        var images = await ec2.DescribeImagesAsync(new Amazon.EC2.Model.DescribeImagesRequest
        {
            Owners = ["amazon"],
            Filters = [new Amazon.EC2.Model.Filter { Name = "platform", Values = ["windows"] }],
        });
        return images.Images.Single().ImageId;
    }

    /// <summary>The public Fedora AMI of the region.</summary>
    public async Task<string> LinuxImageAsync(string region = "us-east-1")
    {
        using var ec2 = Ec2(region);
        var images = await ec2.DescribeImagesAsync(new Amazon.EC2.Model.DescribeImagesRequest { Owners = ["amazon"] });
        return images.Images.Single(i => i.Platform is null).ImageId;
    }

    /// <summary>A running Windows instance launched with <paramref name="keyName"/> (created when missing), through the SDK.</summary>
    public async Task<string> LaunchWindowsAsync(string? keyName = null)
    {
        using var ec2 = Ec2();
        var response = await ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest
        {
            ImageId = await WindowsImageAsync(),
            MinCount = 1,
            MaxCount = 1,
            KeyName = keyName,
        });
        return response.Reservation.Instances.Single().InstanceId;
    }

    public async Task InitializeAsync()
    {
        _silo = await InProcessSilo.StartAsync([new("Disk:DefaultSizeBytes", "1048576")]);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }
}

using OrleansEc2.Grains.Tests.Instances;

namespace OrleansEc2.Grains.Tests.Images;

/// <summary>The console of an instance of a bundled image: sysprep ran again, but no new password was made.</summary>
[Collection(ImageClusterCollection.Name)]
public sealed class BundledImageConsoleTests(ImageClusterFixture fixture)
{
    private readonly ImageTestKit _kit = new(fixture);

    [Fact]
    public async Task ABundledImagesInstance_ShowsTheSysprepLine_AndNoPasswordLines_EvenWithAKeyPair()
    {
        var keyName = Scenario.Unique("key");
        await Scenario.Index(fixture.Grains).CreateKeyPairAsync(keyName);
        var image = await _kit.RegisterAsync(await fixture.SharedBundleAsync());

        var launched = (await _kit.RunAsync(image.ImageId, keyName: keyName)).Instances[0];
        var output = await fixture.Grains.GetGrain<IInstanceGrain>(launched.InstanceId).GetConsoleOutputAsync(ClusterFixture.Alice);

        // Every duration is zero in this cluster: the whole boot is written at the launch's second.
        var t0 = launched.LaunchTime;
        output.Should().Be(new ConsoleOutput(
            launched.InstanceId,
            t0,
            ConsoleOutputTests.Line(t0, "Windows sysprep configuration complete.")
                + ConsoleOutputTests.Line(t0, "Message: Waiting for meta-data accessibility...")
                + ConsoleOutputTests.Line(t0, "Message: Meta-data is now available.")
                + ConsoleOutputTests.Line(t0, "AMI Origin Version: 1.07")
                + ConsoleOutputTests.Line(t0, "OS: Microsoft Windows NT 5.2.3790 Service Pack 2")
                + ConsoleOutputTests.Line(t0, "Language: en-US")
                + ConsoleOutputTests.Line(t0, "Computer Name: " + launched.ComputerName)
                + ConsoleOutputTests.Line(t0, "Message: Windows is Ready to use")));
    }
}

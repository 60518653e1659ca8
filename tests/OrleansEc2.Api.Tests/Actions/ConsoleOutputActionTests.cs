using System.Globalization;
using System.Net;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Actions;

/// <summary>GetConsoleOutput through the AWS SDK for .NET: the console as base64, EC2's errors, DryRun.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class ConsoleOutputActionTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task GetConsoleOutput_OfABootedWindowsInstanceWithAKeyPair_IsEc2ConfigsLinesThenThePasswordData()
    {
        using var ec2 = silo.Alices();
        var key = await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = Ec2Scenario.UniqueName("console") });
        var id = (await Ec2Scenario.RunAsync(ec2, keyName: key.KeyPair.KeyName)).Single().InstanceId;
        var computerName = (await silo.Grains.GetGrain<IInstanceGrain>(id).DescribeAsync(ApiSiloFixture.Alice)).ComputerName;
        var password = (await ec2.GetPasswordDataAsync(new GetPasswordDataRequest { InstanceId = id })).PasswordData;
        var t0 = silo.Time.GetUtcNow();

        var response = await ec2.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = id, Latest = true });

        // Boot and password take no time in this silo: every line is written at the launch's second.
        var stamp = t0.UtcDateTime.ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z: ";
        response.InstanceId.Should().Be(id);
        response.Timestamp.Should().Be(t0.UtcDateTime);
        Encoding.UTF8.GetString(Convert.FromBase64String(response.Output)).Should().Be(
            stamp + "Windows sysprep configuration complete.\n"
            + stamp + "Message: Waiting for meta-data accessibility...\n"
            + stamp + "Message: Meta-data is now available.\n"
            + stamp + "AMI Origin Version: 1.07\n"
            + stamp + "OS: Microsoft Windows NT 5.2.3790 Service Pack 2\n"
            + stamp + "Language: en-US\n"
            + stamp + "Computer Name: " + computerName + "\n"
            + stamp + "Message: Windows is Ready to use\n"
            + stamp + "Username: Administrator\n"
            + stamp + "Password: <Password>\n"
            + password + "\n</Password>\n");
    }

    [Fact]
    public async Task GetConsoleOutput_OfALinuxInstance_IsTheKernelsBoot()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2, imageName: Ec2Scenario.LinuxImageName)).Single().InstanceId;

        var response = await ec2.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = id });

        var lines = Encoding.UTF8.GetString(Convert.FromBase64String(response.Output)).Split('\n');
        lines[0].Should().StartWith("Linux version 2.6.21.7-2.fc8xen ");
        lines.Should().Contain("Booting paravirtualized kernel on Xen");
        lines[^2].Should().MatchRegex("^domU-12-31-39-[0-9A-F]{2}-[0-9A-F]{2}-[0-9A-F]{2} login:$");
    }

    [Fact]
    public async Task GetConsoleOutput_BadOrOthersIds_FailWithEc2sCodes()
    {
        using var alice = silo.Alices();
        using var bob = silo.Bobs();
        var id = (await Ec2Scenario.RunAsync(alice)).Single().InstanceId;

        var malformed = () => alice.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = "i-bad" });
        var missing = () => alice.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = "i-0123456789abcdef0" });
        var none = () => alice.GetConsoleOutputAsync(new GetConsoleOutputRequest());
        var bobs = () => bob.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = id });

        (await malformed.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidInstanceID.Malformed");
        (await missing.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidInstanceID.NotFound");
        (await none.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("MissingParameter");
        var error = (await bobs.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        error.ErrorCode.Should().Be("InvalidInstanceID.NotFound");
        error.Message.Should().Be($"The instance ID '{id}' does not exist");
    }

    [Fact]
    public async Task GetConsoleOutput_DryRun_AnswersDryRunOperationForTheOwner_AndUnauthorizedForAnotherAccount()
    {
        using var alice = silo.Alices();
        using var bob = silo.Bobs();
        var id = (await Ec2Scenario.RunAsync(alice)).Single().InstanceId;

        var own = () => alice.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = id, DryRun = true });
        var others = () => bob.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = id, DryRun = true });
        var missing = () => alice.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = "i-0123456789abcdef0", DryRun = true });

        var dry = (await own.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        dry.ErrorCode.Should().Be("DryRunOperation");
        dry.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await others.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("UnauthorizedOperation");
        (await missing.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidInstanceID.NotFound");
    }
}

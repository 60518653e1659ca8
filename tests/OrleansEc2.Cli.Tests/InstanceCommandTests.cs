using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.EC2.Model;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class InstanceCommandTests(CliSiloFixture silo)
{
    [Fact]
    public async Task RunInstances_PrintsTheReservationThenAnInstanceLineEach()
    {
        using var workspace = silo.Workspace();
        var ami = await silo.WindowsImageAsync();
        (await workspace.RunAsync("ec2-create-keypair", "run-key", "-f", "run-key.pem")).ExitCode.Should().Be(0);

        var run = await workspace.RunAsync("ec2-run-instances", ami, "-n", "2", "-k", "run-key", "-t", "m1.large", "-z", "us-east-1b");

        run.ExitCode.Should().Be(0);
        run.Error.Should().BeEmpty();
        run.OutLines.ShouldMatch(
            Tabs("RESERVATION", "{reservation}", CliSiloFixture.Alice),
            WindowsInstance(ami, "running", "run-key", "0", "m1.large", "us-east-1b"),
            WindowsInstance(ami, "running", "run-key", "1", "m1.large", "us-east-1b"));
    }

    [Fact]
    public async Task RunInstances_WithTags_PrintsATagLineUnderEachInstance_AndDescribeInstancesShowsThem()
    {
        using var workspace = silo.Workspace();
        var ami = await silo.WindowsImageAsync();

        var run = await workspace.RunAsync("run-instances", ami, "--tag", "Name=web", "--tag", "Env=cli-tags", "--wait");
        var id = run.OutLines[1].Split('\t')[1];
        var described = await workspace.RunAsync("ec2-describe-instances", "-F", "tag:Env=cli-tags");

        run.ExitCode.Should().Be(0);
        run.OutLines.ShouldMatch(
            Tabs("RESERVATION", "{reservation}", CliSiloFixture.Alice),
            WindowsInstance(ami, "running", "", "0", "m1.small", "us-east-1{any}"),
            Tabs("TAG", "instance", "{instance}", "Name", "web"),
            Tabs("TAG", "instance", "{instance}", "Env", "cli-tags"));
        described.OutLines.ShouldMatch(
            Tabs("RESERVATION", "{reservation}", CliSiloFixture.Alice),
            WindowsInstance(ami, "running", "", "0", "m1.small", "us-east-1{any}"),
            Tabs("TAG", "instance", id, "Env", "cli-tags"),
            Tabs("TAG", "instance", id, "Name", "web"));
    }

    [Fact]
    public async Task RunInstances_WithASecurityGroup_ExplainsThatThereAreNone()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-run-instances", "ami-0123456789abcdef0", "-g", "web");

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal(
            "ec2-run-instances: Invalid value for --group: 'web'. The simulator has no security groups (RunInstances refuses SecurityGroup parameters): "
            + "every instance is in the default group, so leave -g out or give '-g default'.",
            "Usage: ec2sim ec2-run-instances AMI [-n MIN[-MAX]] [-k KEYPAIR] [-t TYPE] [-z ZONE] [-g default] [--client-token TOKEN] [--tag KEY[=VALUE] ...] [--wait]",
            "Try 'ec2sim ec2-run-instances --help' for more information.");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("3-2")]
    [InlineData("two")]
    public async Task RunInstances_WithAnInvalidCount_IsAUsageError(string count)
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-run-instances", "ami-0123456789abcdef0", "-n", count);

        run.ExitCode.Should().Be(1);
        run.ErrorLines[0].Should().Be($"ec2-run-instances: Invalid value for --instance-count: '{count}' is not COUNT or MIN-MAX (at least 1, MIN not above MAX).");
    }

    [Fact]
    public async Task RunInstances_OfAMissingImage_PrintsTheServiceError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-run-instances", "ami-0123456789abcdef0");

        run.ExitCode.Should().Be(3);
        run.Error.Should().Be("Client.InvalidAMIID.NotFound: The image id '[ami-0123456789abcdef0]' does not exist\n");
    }

    [Fact]
    public async Task StopWithWait_PrintsEachStateChange_ThenStartAndTerminatePrintTheirs()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();

        var stop = await workspace.RunAsync("ec2-stop-instances", id, "--wait");
        var start = await workspace.RunAsync("start-instances", id);
        var reboot = await workspace.RunAsync("ec2-reboot-instances", id);
        var terminate = await workspace.RunAsync("ec2-terminate-instances", id, "--wait");

        stop.ExitCode.Should().Be(0);
        stop.OutLines.Should().Equal(Tabs("INSTANCE", id, "running", "stopping"), Tabs("INSTANCE", id, "stopping", "stopped"));
        start.ExitCode.Should().Be(0);
        start.OutLines.Should().Equal(Tabs("INSTANCE", id, "stopped", "pending"));
        reboot.ExitCode.Should().Be(0);
        reboot.Out.Should().BeEmpty("the classic ec2-reboot-instances printed nothing when it succeeded");
        terminate.ExitCode.Should().Be(0);
        terminate.OutLines.Should().Equal(Tabs("INSTANCE", id, "running", "shutting-down"), Tabs("INSTANCE", id, "shutting-down", "terminated"));
    }

    [Fact]
    public async Task StopInstancesWithJsonAndWait_PrintsTheEndStateOnly()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();

        var run = await workspace.RunAsync("ec2-stop-instances", id, "--wait", "--json");

        run.ExitCode.Should().Be(0);
        using var document = JsonDocument.Parse(run.Out);
        var instance = document.RootElement.GetProperty("instances").EnumerateArray().Should().ContainSingle().Subject;
        instance.GetProperty("instanceId").GetString().Should().Be(id);
        instance.GetProperty("previousState").GetString().Should().Be("running");
        instance.GetProperty("currentState").GetString().Should().Be("stopped");
    }

    [Fact]
    public async Task StartInstances_OfARunningInstanceThatIsTerminated_FailsWithIncorrectInstanceState()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();
        (await workspace.RunAsync("ec2-terminate-instances", id)).ExitCode.Should().Be(0);

        var run = await workspace.RunAsync("ec2-start-instances", id);

        run.ExitCode.Should().Be(3);
        run.Error.Should().StartWith("Client.IncorrectInstanceState: ");
    }

    [Fact]
    public async Task DescribeInstances_OfAMissingInstance_PrintsTheServiceError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-instances", "i-0123456789abcdef0");

        run.ExitCode.Should().Be(3);
        run.Error.Should().Be("Client.InvalidInstanceID.NotFound: The instance ID 'i-0123456789abcdef0' does not exist\n");
    }

    [Fact]
    public async Task DescribeInstancesWithJson_NestsInstancesAndTagsUnderTheirReservation()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();
        (await workspace.RunAsync("ec2-create-tags", id, "--tag", "Role=json")).ExitCode.Should().Be(0);

        var run = await workspace.RunAsync("ec2-describe-instances", id, "--json");

        run.ExitCode.Should().Be(0);
        using var document = JsonDocument.Parse(run.Out);
        var reservation = document.RootElement.GetProperty("reservations").EnumerateArray().Should().ContainSingle().Subject;
        reservation.GetProperty("ownerId").GetString().Should().Be(CliSiloFixture.Alice);
        var instance = reservation.GetProperty("instances").EnumerateArray().Should().ContainSingle().Subject;
        instance.GetProperty("instanceId").GetString().Should().Be(id);
        instance.GetProperty("state").GetString().Should().Be("running");
        instance.GetProperty("amiLaunchIndex").GetInt32().Should().Be(0);
        instance.GetProperty("ebsOptimized").GetBoolean().Should().BeFalse();
        instance.GetProperty("launchTime").GetString().Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$");
        var tag = instance.GetProperty("tags").EnumerateArray().Should().ContainSingle().Subject;
        tag.GetProperty("key").GetString().Should().Be("Role");
        tag.GetProperty("value").GetString().Should().Be("json");
    }

    [Fact]
    public async Task GetPassword_DecryptsTheAdministratorPasswordWithTheKeyPairsPrivateKey()
    {
        using var workspace = silo.Workspace();
        (await workspace.RunAsync("ec2-create-keypair", "password-key", "-f", "password-key.pem")).ExitCode.Should().Be(0);
        var id = await silo.LaunchWindowsAsync("password-key");

        var run = await workspace.RunAsync("ec2-get-password", id, "-k", "password-key.pem");

        run.ExitCode.Should().Be(0);
        run.Error.Should().BeEmpty();
        using var ec2 = silo.Ec2();
        var data = await ec2.GetPasswordDataAsync(new GetPasswordDataRequest { InstanceId = id });
        using var key = RSA.Create();
        key.ImportFromPem(File.ReadAllText(workspace.File("password-key.pem")));
        var expected = Encoding.UTF8.GetString(key.Decrypt(Convert.FromBase64String(data.PasswordData), RSAEncryptionPadding.Pkcs1));
        run.Out.Should().Be(expected + "\n");
        expected.Length.Should().BeGreaterThan(7);
    }

    [Fact]
    public async Task GetPassword_WithAnotherKey_SaysTheKeyIsNotTheInstances()
    {
        using var workspace = silo.Workspace();
        (await workspace.RunAsync("ec2-create-keypair", "right-key", "-f", "right.pem")).ExitCode.Should().Be(0);
        (await workspace.RunAsync("ec2-create-keypair", "wrong-key", "-f", "wrong.pem")).ExitCode.Should().Be(0);
        var id = await silo.LaunchWindowsAsync("right-key");

        var run = await workspace.RunAsync("ec2-get-password", id, "-k", "wrong.pem");

        run.ExitCode.Should().Be(254);
        run.Out.Should().BeEmpty();
        run.Error.Should().Be($"ERROR: The password of {id} cannot be decrypted with {workspace.File("wrong.pem")}: it is not the private key of the key pair the instance was launched with.\n");
    }

    [Fact]
    public async Task GetPassword_WithoutTheKeyFile_SaysFileNotFound()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-get-password", "i-0123456789abcdef0", "-k", "missing.pem");

        run.ExitCode.Should().Be(2);
        run.Error.Should().Be("ERROR: File not found: missing.pem\n");
    }

    [Fact]
    public async Task GetPassword_OfAnInstanceLaunchedWithoutAKeyPair_PrintsNothing()
    {
        using var workspace = silo.Workspace();
        (await workspace.RunAsync("ec2-create-keypair", "unused-key", "-f", "unused.pem")).ExitCode.Should().Be(0);
        var id = await silo.LaunchWindowsAsync();

        var run = await workspace.RunAsync("ec2-get-password", id, "-k", "unused.pem");

        run.ExitCode.Should().Be(0);
        run.Out.Should().BeEmpty();
        run.Error.Should().BeEmpty();
    }

    [Fact]
    public async Task Tags_CreateDescribeAndDelete_PrintTagLines()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();

        var create = await workspace.RunAsync("ec2-create-tags", id, "--tag", "Stage=cli", "--tag", "Owner=alice");
        var describe = await workspace.RunAsync("ec2-describe-tags", "-F", $"resource-id={id}");
        var delete = await workspace.RunAsync("ec2-delete-tags", id, "--tag", "Owner");
        var after = await workspace.RunAsync("describe-tags", "-F", $"resource-id={id}");

        create.ExitCode.Should().Be(0);
        create.OutLines.Should().Equal(Tabs("TAG", "instance", id, "Stage", "cli"), Tabs("TAG", "instance", id, "Owner", "alice"));
        describe.OutLines.Should().BeEquivalentTo([Tabs("TAG", "instance", id, "Stage", "cli"), Tabs("TAG", "instance", id, "Owner", "alice")]);
        delete.OutLines.Should().Equal(Tabs("TAG", "instance", id, "Owner"));
        after.OutLines.Should().Equal(Tabs("TAG", "instance", id, "Stage", "cli"));
    }

    /// <summary>An INSTANCE line of an instance of the public Windows AMI, column by column.</summary>
    internal static string WindowsInstance(string ami, string state, string key, string index, string type, string zone) => Tabs(
        "INSTANCE", "{instance}", ami, "", "{dns}", state, key, index, "", type, "{time}", zone, "", "", "windows", "monitoring-disabled", "",
        "{ip}", "", "", "instance-store", "", "", "", "", "hvm", "xen", "{token}", "", "default", "false", "", "i386");
}

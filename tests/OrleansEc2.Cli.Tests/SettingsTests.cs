using System.Net;
using System.Net.Sockets;
using OrleansEc2.Cli.Settings;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class SettingsTests(CliSiloFixture silo)
{
    [Fact]
    public void Resolve_WithNothingSet_IsTheLocalSiloInUsEast1_ButNeedsCredentials()
    {
        using var workspace = new CliWorkspace();
        var console = new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, workspace.Path);

        var settings = SettingsResolver.Resolve(new SettingsResolver.Flags(null, null, "AKID", "SECRET"), console);
        var missing = () => SettingsResolver.Resolve(new SettingsResolver.Flags(null, null, null, null), console);

        settings.Should().Be(new Ec2SimSettings(new Uri("http://127.0.0.1:8773"), "us-east-1", "AKID", "SECRET"));
        missing.Should().Throw<CliException>().Which.Message.Should().Be(SettingsResolver.MissingCredentialsMessage);
    }

    [Fact]
    public void Resolve_TakesFlagsThenTheEnvironmentThenTheConfigFile()
    {
        using var workspace = new CliWorkspace();
        Directory.CreateDirectory(workspace.File("home/.ec2sim"));
        File.WriteAllText(workspace.File("home/.ec2sim/config"), """
            # ec2sim settings
            [default]
            url = http://file.example:1
            region = ap-southeast-1
            aws_access_key_id = FILEKEY
            aws_secret_access_key = FILESECRET

            [other]
            region = us-west-1
            """);
        var environment = new Dictionary<string, string> { ["HOME"] = workspace.File("home") };
        CliConsole Console() => new(TextWriter.Null, TextWriter.Null, TextReader.Null, workspace.Path, new Dictionary<string, string>(environment));

        var fromFile = SettingsResolver.Resolve(new SettingsResolver.Flags(null, null, null, null), Console());
        environment["EC2_URL"] = "http://env.example:2";
        environment["AWS_DEFAULT_REGION"] = "eu-west-1";
        environment["AWS_ACCESS_KEY_ID"] = "ENVKEY";
        environment["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET";
        var fromEnvironment = SettingsResolver.Resolve(new SettingsResolver.Flags(null, null, null, null), Console());
        var fromFlags = SettingsResolver.Resolve(new SettingsResolver.Flags("http://flag.example:3", "us-west-1", "FLAGKEY", "FLAGSECRET"), Console());

        fromFile.Should().Be(new Ec2SimSettings(new Uri("http://file.example:1"), "ap-southeast-1", "FILEKEY", "FILESECRET"));
        fromEnvironment.Should().Be(new Ec2SimSettings(new Uri("http://env.example:2"), "eu-west-1", "ENVKEY", "ENVSECRET"));
        fromFlags.Should().Be(new Ec2SimSettings(new Uri("http://flag.example:3"), "us-west-1", "FLAGKEY", "FLAGSECRET"));
    }

    [Fact]
    public async Task ConfigFile_NamedByEc2SimConfig_PointsTheCommandAtTheSiloAndRegion()
    {
        using var workspace = new CliWorkspace();
        File.WriteAllText(workspace.File("ec2sim.ini"), $"url = {silo.Url}\nregion = eu-west-1\naws_access_key_id = {CliSiloFixture.AliceKey}\naws_secret_access_key = {CliSiloFixture.AliceSecret}\n");
        workspace.Environment["EC2SIM_CONFIG"] = "ec2sim.ini";

        var run = await workspace.RunAsync("ec2-describe-availability-zones", "eu-west-1b");

        run.ExitCode.Should().Be(0);
        run.OutLines.Should().Equal(Tabs("AVAILABILITYZONE", "eu-west-1b", "available", "eu-west-1"));
    }

    [Fact]
    public async Task ConfigFile_NamedButMissing_SaysSoAndExitsWith2()
    {
        using var workspace = silo.Workspace();
        workspace.Environment["EC2SIM_CONFIG"] = "nowhere.ini";

        var run = await workspace.RunAsync("ec2-describe-regions");

        run.ExitCode.Should().Be(2);
        run.Error.Should().Be("ERROR: The config file EC2SIM_CONFIG names does not exist: nowhere.ini\n");
    }

    [Fact]
    public async Task ConfigFile_WithAnUnknownKey_NamesTheLine()
    {
        using var workspace = silo.Workspace();
        File.WriteAllText(workspace.File("bad.ini"), "[default]\nendpoint = http://127.0.0.1:1\n");
        workspace.Environment["EC2SIM_CONFIG"] = "bad.ini";

        var run = await workspace.RunAsync("ec2-describe-regions");

        run.ExitCode.Should().Be(1);
        run.ErrorLines[0].Should().Be($"ec2-describe-regions: {workspace.File("bad.ini")}, line 2: unknown key 'endpoint' (known: url, region, aws_access_key_id, aws_secret_access_key).");
    }

    [Fact]
    public async Task NoCredentials_IsAUsageErrorThatSaysHowToSetThem()
    {
        using var workspace = new CliWorkspace();

        var run = await workspace.RunAsync("ec2-describe-regions");

        run.ExitCode.Should().Be(1);
        run.Out.Should().BeEmpty();
        run.ErrorLines.Should().Equal(
            "ec2-describe-regions: " + SettingsResolver.MissingCredentialsMessage,
            "Usage: ec2sim ec2-describe-regions [REGION ...] [-F NAME=VALUE ...]",
            "Try 'ec2sim ec2-describe-regions --help' for more information.");
    }

    [Fact]
    public async Task AnAccessKeyWithoutItsSecret_IsAUsageError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-regions", "-O", "AKIAI44QH8DHBEXAMPLE");

        run.ExitCode.Should().Be(1);
        run.ErrorLines[0].Should().Be("ec2-describe-regions: Incomplete AWS credentials: -O/--aws-access-key and -W/--aws-secret-key go together; only one of them is set.");
    }

    [Fact]
    public async Task FlagsWinOverTheEnvironment_AsAnotherAccount()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();

        var asBob = await workspace.RunAsync("ec2-describe-instances", id, "-O", CliSiloFixture.BobKey, "-W", CliSiloFixture.BobSecret);

        asBob.ExitCode.Should().Be(3);
        asBob.Error.Should().Be($"Client.InvalidInstanceID.NotFound: The instance ID '{id}' does not exist\n");
    }

    [Fact]
    public async Task AWrongSecret_IsTheServicesSignatureError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-regions", "-W", "not-the-secret", "-O", CliSiloFixture.AliceKey);

        run.ExitCode.Should().Be(3);
        run.Error.Should().Be("Client.SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.\n");
    }

    [Theory]
    [InlineData("ec2-describe-regions")]
    [InlineData("guest-ls", "i-0123456789abcdef0")]
    public async Task ASiloThatIsNotThere_IsNamedInTheError(params string[] args)
    {
        using var workspace = silo.Workspace();
        var url = $"http://127.0.0.1:{ClosedPort()}";

        var run = await workspace.RunAsync([.. args, "-U", url]);

        run.ExitCode.Should().Be(254);
        run.Out.Should().BeEmpty();
        run.Error.Should().Be($"ERROR: Cannot reach the simulator at {url} (Connection refused). Is the silo running there? (Set the endpoint with -U/--url, EC2_URL or the config file.)\n");
    }

    [Fact]
    public async Task AnInvalidUrl_IsAUsageError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-regions", "-U", "ftp://127.0.0.1");

        run.ExitCode.Should().Be(1);
        run.ErrorLines[0].Should().Be("ec2-describe-regions: Invalid endpoint URL 'ftp://127.0.0.1': expected an http:// or https:// URL such as http://127.0.0.1:8773.");
    }

    [Fact]
    public async Task ARegionTheSiloDoesNotHave_IsTheServicesAuthFailure()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-regions", "--region", "sa-east-1");

        run.ExitCode.Should().Be(3);
        run.Error.Should().Be("Client.AuthFailure: Credential should be scoped to a valid region, not 'sa-east-1'.\n");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

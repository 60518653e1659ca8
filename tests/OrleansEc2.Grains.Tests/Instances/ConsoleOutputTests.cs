using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansEc2.Grains.Hosting;
using OrleansEc2.Grains.Instances;

namespace OrleansEc2.Grains.Tests.Instances;

/// <summary>
/// A cluster whose boots take time and whose Windows password comes some minutes after boot (as EC2Config's did), so
/// that the console's lines can be watched appearing on the fake clock.
/// </summary>
public sealed class ConsoleClusterFixture : ClusterFixture
{
    public static readonly TimeSpan Boot = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Shutdown = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan Reboot = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan PasswordAfterBoot = TimeSpan.FromMinutes(4);

    protected override IDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Durations:Boot"] = Boot.ToString(),
        ["Durations:Shutdown"] = Shutdown.ToString(),
        ["Durations:Reboot"] = Reboot.ToString(),
        ["Durations:PasswordAvailableAfterBoot"] = PasswordAfterBoot.ToString(),
    };
}

[CollectionDefinition(Name)]
public sealed class ConsoleClusterCollection : ICollectionFixture<ConsoleClusterFixture>
{
    public const string Name = "console cluster";
}

/// <summary>GetConsoleOutput: the console an instance writes over its boots, on the simulation clock.</summary>
[Collection(ConsoleClusterCollection.Name)]
public sealed partial class ConsoleOutputTests(ConsoleClusterFixture fixture)
{
    private const string Alice = ClusterFixture.Alice;
    private static readonly TimeSpan Boot = ConsoleClusterFixture.Boot;

    [Fact]
    public async Task Windows_HasNoOutputWhilePending_ThenEc2ConfigsBootLinesInOrder()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        var launched = await instance.DescribeAsync(Alice);
        var t0 = launched.LaunchTime;

        (await instance.GetConsoleOutputAsync(Alice)).Should().Be(new ConsoleOutput(launched.InstanceId, t0, ""));
        fixture.Time.Advance(Boot - TimeSpan.FromMilliseconds(1));
        (await instance.GetConsoleOutputAsync(Alice)).Output.Should().BeEmpty();
        fixture.Time.Advance(TimeSpan.FromMilliseconds(1));

        var output = await instance.GetConsoleOutputAsync(Alice);

        output.Should().Be(new ConsoleOutput(launched.InstanceId, t0 + Boot, FirstWindowsBoot(t0, launched.ComputerName!)));
        output.Output.Should().NotContain("Password");
    }

    [Fact]
    public async Task Windows_WithAKeyPair_PrintsThePasswordDataOnceThePasswordIsAvailable()
    {
        var key = await Scenario.Index(fixture.Grains).CreateKeyPairAsync(Scenario.Unique("key"));
        var instance = await Scenario.RunOneAsync(fixture.Grains, keyName: key.KeyPair.KeyName);
        var launched = await instance.DescribeAsync(Alice);
        var t0 = launched.LaunchTime;
        var available = t0 + Boot + ConsoleClusterFixture.PasswordAfterBoot;

        fixture.Time.Advance(Boot);
        (await instance.GetConsoleOutputAsync(Alice)).Output.Should().Be(FirstWindowsBoot(t0, launched.ComputerName!));
        fixture.Time.Advance(ConsoleClusterFixture.PasswordAfterBoot - TimeSpan.FromSeconds(1));
        (await instance.GetConsoleOutputAsync(Alice)).Output.Should().Be(FirstWindowsBoot(t0, launched.ComputerName!));
        fixture.Time.Advance(TimeSpan.FromSeconds(1));

        var password = (await instance.GetPasswordDataAsync(Alice)).EncryptedPassword;
        var output = await instance.GetConsoleOutputAsync(Alice);

        password.Should().NotBeEmpty();
        output.Should().Be(new ConsoleOutput(
            launched.InstanceId,
            available,
            FirstWindowsBoot(t0, launched.ComputerName!)
                + Line(available, "Username: Administrator")
                + Line(available, "Password: <Password>")
                + password + "\n</Password>\n"));
    }

    [Fact]
    public async Task StopThenStart_AppendsTheShutdownAndASecondBoot_WithoutSysprep()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        var launched = await instance.DescribeAsync(Alice);
        fixture.Time.Advance(Boot);
        var stoppedAt = fixture.Time.GetUtcNow();
        await instance.StopAsync(Alice, force: false);
        var firstBoot = FirstWindowsBoot(launched.LaunchTime, launched.ComputerName!)
            + Line(stoppedAt, "Message: Windows is shutting down.")
            + Line(stoppedAt, "Message: EC2Config service is stopping.");
        fixture.Time.Advance(ConsoleClusterFixture.Shutdown);
        var startedAt = fixture.Time.GetUtcNow();
        await instance.StartAsync(Alice);

        (await instance.GetConsoleOutputAsync(Alice)).Should().Be(new ConsoleOutput(launched.InstanceId, stoppedAt, firstBoot));
        fixture.Time.Advance(Boot);
        var output = await instance.GetConsoleOutputAsync(Alice);

        output.Should().Be(new ConsoleOutput(launched.InstanceId, startedAt + Boot, firstBoot + WindowsBoot(startedAt, launched.ComputerName!, sysprep: false)));
    }

    [Fact]
    public async Task Reboot_PrintsTheRestart_AndTheNextBootOnceTheRebootHasTakenItsTime()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        var launched = await instance.DescribeAsync(Alice);
        fixture.Time.Advance(Boot);
        var rebootedAt = fixture.Time.GetUtcNow();
        await instance.RebootAsync(Alice);
        var beforeReboot = FirstWindowsBoot(launched.LaunchTime, launched.ComputerName!)
            + Line(rebootedAt, "Message: Windows is restarting.")
            + Line(rebootedAt, "Message: EC2Config service is stopping.");

        (await instance.GetConsoleOutputAsync(Alice)).Output.Should().Be(beforeReboot);
        fixture.Time.Advance(ConsoleClusterFixture.Reboot);

        var output = await instance.GetConsoleOutputAsync(Alice);

        output.Output.Should().Be(beforeReboot + WindowsBoot(rebootedAt, launched.ComputerName!, sysprep: false, boot: ConsoleClusterFixture.Reboot));
        output.Timestamp.Should().Be(rebootedAt + ConsoleClusterFixture.Reboot);
    }

    [Fact]
    public async Task ForcedStop_CutsThePower_AndTheGuestWritesNoShutdownLines()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        var launched = await instance.DescribeAsync(Alice);
        fixture.Time.Advance(Boot);

        await instance.StopAsync(Alice, force: true);

        (await instance.GetConsoleOutputAsync(Alice)).Output.Should().Be(FirstWindowsBoot(launched.LaunchTime, launched.ComputerName!));
    }

    [Fact]
    public async Task TerminatedWhilePending_NeverShowsAnyOutput()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        await instance.TerminateAsync(Alice);
        fixture.Time.Advance(Boot + ConsoleClusterFixture.Shutdown);

        (await instance.GetConsoleOutputAsync(Alice)).Output.Should().BeEmpty();
    }

    [Fact]
    public async Task Linux_PrintsTheXenKernelsBoot_SameEachTimeForTheInstance_AndTheHaltOnStop()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains, Platform.Linux);
        (await instance.GetConsoleOutputAsync(Alice)).Output.Should().BeEmpty();
        fixture.Time.Advance(Boot);

        var output = (await instance.GetConsoleOutputAsync(Alice)).Output;
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var again = (await instance.GetConsoleOutputAsync(Alice)).Output;

        again.Should().Be(output);
        var lines = output.Split('\n');
        lines[0].Should().Be("Linux version 2.6.21.7-2.fc8xen (mockbuild@xenbuilder1.fedora.redhat.com) (gcc version 4.1.2 20070925 (Red Hat 4.1.2-33)) #1 SMP Fri Feb 15 12:39:36 EST 2008");
        lines.Should().Contain("Booting paravirtualized kernel on Xen")
            .And.Contain(" Xen: 0000000000000000 - 000000006a400000 (usable)")
            .And.Contain("Kernel 2.6.21.7-2.fc8xen on an i686");
        lines.Should().ContainSingle(l => BogoMips().IsMatch(l));
        lines[^2].Should().MatchRegex("^domU-12-31-39-[0-9A-F]{2}-[0-9A-F]{2}-[0-9A-F]{2} login:$");
        lines[^1].Should().BeEmpty();

        await instance.StopAsync(Alice, force: false);
        (await instance.GetConsoleOutputAsync(Alice)).Output.Should().Be(
            output + "The system is going down for system halt NOW!\nStopping sshd: [  OK  ]\nUnmounting file systems:  [  OK  ]\nSystem halted.\n");
    }

    [Fact]
    public async Task Linux_EachInstanceHasItsOwnHostname()
    {
        var reservation = await Scenario.RunAsync(fixture.Grains, Platform.Linux, count: 2);
        fixture.Time.Advance(Boot);

        var prompts = new List<string>();
        foreach (var launched in reservation.Instances)
        {
            var output = (await fixture.Grains.GetGrain<IInstanceGrain>(launched.InstanceId).GetConsoleOutputAsync(Alice)).Output;
            prompts.Add(output.Split('\n')[^2]);
        }

        prompts.Should().OnlyHaveUniqueItems().And.HaveCount(2);
    }

    [Fact]
    public async Task ManyReboots_KeepOnlyTheLast64KiB_FromALinesStart()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        var launched = await instance.DescribeAsync(Alice);
        fixture.Time.Advance(Boot);
        DateTimeOffset lastReboot = default;
        for (var i = 0; i < 150; i++)
        {
            lastReboot = fixture.Time.GetUtcNow();
            await instance.RebootAsync(Alice);
            fixture.Time.Advance(ConsoleClusterFixture.Reboot);
        }

        var output = (await instance.GetConsoleOutputAsync(Alice)).Output;

        var bytes = System.Text.Encoding.UTF8.GetByteCount(output);
        bytes.Should().BeLessThanOrEqualTo(64 * 1024).And.BeGreaterThan(64 * 1024 - 100);
        output.Should().MatchRegex(@"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}Z: ");
        output.Should().NotContain("sysprep", "the first boot is more than 64 KiB ago");
        output.Should().EndWith(WindowsBoot(lastReboot, launched.ComputerName!, sysprep: false, boot: ConsoleClusterFixture.Reboot));
    }

    [Fact]
    public void LastBytes_CutsAtTheFirstLineInsideTheLast64KiB()
    {
        var line = new string('x', 99) + "\n";
        var text = "first\n" + string.Concat(Enumerable.Repeat(line, 700));

        InstanceConsole.LastBytes(text).Should().Be(string.Concat(Enumerable.Repeat(line, 655)));
        InstanceConsole.LastBytes("short\n").Should().Be("short\n");
    }

    [Fact]
    public async Task AnotherAccountsInstance_IsNotFound()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);

        var read = () => instance.GetConsoleOutputAsync(ClusterFixture.Bob);

        (await read.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidInstanceIdNotFound);
    }

    [Fact]
    public async Task AnInstanceStoredBeforeTheConsoleExisted_ShowsItsLaunchAsTheOneBoot()
    {
        var serializer = new ServiceCollection()
            .AddSerializer(builder => builder.AddAssembly(typeof(InstanceDescription).Assembly).AddAssembly(typeof(InstanceState).Assembly).AddAssembly(typeof(ConsoleOutputTests).Assembly))
            .BuildServiceProvider()
            .GetRequiredService<Serializer>();
        var id = Ec2Ids.NewInstanceId();
        var t0 = fixture.Time.GetUtcNow() - TimeSpan.FromHours(1);
        var available = t0 + Boot + ConsoleClusterFixture.PasswordAfterBoot;
        var old = new InstanceStateBeforeConsole
        {
            Description = new InstanceDescription(
                id, Alice, ClusterFixture.UsEast1, "us-east-1a", "r-0123456789abcdef0", "ami-0123456789abcdef0", "m1.small", "old-key",
                Platform.Windows, InstanceStateName.Running, null, t0, 0, "10.1.2.3", "ip-10-1-2-3.ec2.internal", "WIN-OLDCONSOLE1",
                "12:31:39:01:02:03", "S-1-5-21-1-2-3", null, null, null, []),
            EncryptedPassword = "c2VhbGVkIHBhc3N3b3Jk",
            PasswordAvailableAt = available,
        };

        var read = serializer.Deserialize<InstanceState>(serializer.SerializeToArray(old))!;
        read.ConsoleBoots.Should().BeNull();
        var storage = fixture.Cluster.Silos[0].SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        var grain = fixture.Grains.GetGrain<IInstanceGrain>(id);
        await storage.WriteStateAsync("instance", grain.GetGrainId(), new GrainState<InstanceState>(read));

        var output = await grain.GetConsoleOutputAsync(Alice);

        output.Should().Be(new ConsoleOutput(
            id,
            available,
            FirstWindowsBoot(t0, "WIN-OLDCONSOLE1")
                + Line(available, "Username: Administrator")
                + Line(available, "Password: <Password>")
                + "c2VhbGVkIHBhc3N3b3Jk\n</Password>\n"));
    }

    /// <summary>EC2Config's first boot of a sysprepped disk launched at <paramref name="t0"/>, boot 5 s.</summary>
    private static string FirstWindowsBoot(DateTimeOffset t0, string computerName) => WindowsBoot(t0, computerName, sysprep: true);

    private static string WindowsBoot(DateTimeOffset t0, string computerName, bool sysprep, TimeSpan? boot = null)
    {
        var d = boot ?? Boot;
        return (sysprep ? Line(t0 + d * 0.5, "Windows sysprep configuration complete.") : "")
            + Line(t0 + d * 0.7, "Message: Waiting for meta-data accessibility...")
            + Line(t0 + d * 0.75, "Message: Meta-data is now available.")
            + Line(t0 + d * 0.8, "AMI Origin Version: 1.07")
            + Line(t0 + d * 0.8, "OS: Microsoft Windows NT 5.2.3790 Service Pack 2")
            + Line(t0 + d * 0.8, "Language: en-US")
            + Line(t0 + d * 0.85, "Computer Name: " + computerName)
            + Line(t0 + d, "Message: Windows is Ready to use");
    }

    public static string Line(DateTimeOffset at, string message)
        => at.UtcDateTime.ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z: " + message + "\n";

    [GeneratedRegex(@"^Calibrating delay using timer specific routine\.\. \d{4}\.\d{2} BogoMIPS \(lpj=\d{7,8}\)$")]
    private static partial Regex BogoMips();
}

/// <summary><see cref="InstanceState"/> as it was stored before the console (ids 0–5, no <c>ConsoleBoots</c>).</summary>
[GenerateSerializer, Alias("OrleansEc2.Tests.InstanceStateBeforeConsole")]
public sealed class InstanceStateBeforeConsole
{
    [Id(0)]
    public InstanceDescription? Description { get; set; }

    [Id(1)]
    public LaunchDisk? Disk { get; set; }

    [Id(2)]
    public string? EncryptedPassword { get; set; }

    [Id(3)]
    public DateTimeOffset? PasswordAvailableAt { get; set; }

    [Id(4)]
    public string? BundleId { get; set; }

    [Id(5)]
    public string? UserData { get; set; }
}

using System.Text.Json;
using OrleansEc2.Cli.Commands;
using Spectre.Console;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class BundleTaskCommandTests(CliSiloFixture silo, TimedCliSiloFixture timed)
{
    private static readonly string[] OwnerKeys = ["-o", CliSiloFixture.AliceKey, "-w", CliSiloFixture.AliceSecret];

    [Fact]
    public void UploadPolicy_IsTheAwsClisPolicy_SignedWithHmacSha1OfItsBase64()
    {
        var policy = BundleInstanceCommand.UploadPolicy("mybucket", "winami", new DateTimeOffset(2008, 10, 3, 9, 31, 44, TimeSpan.Zero).AddTicks(1_234_560));

        policy.Should().Be(
            "{\"expiration\": \"2008-10-03T09:31:44.123456Z\",\"conditions\": [{\"bucket\": \"mybucket\"},{\"acl\": \"ec2-bundle-read\"},"
            + "[\"starts-with\", \"$key\", \"winami\"]]}");
        // Python: base64(hmac.new(secret, base64(policy), sha1).digest())
        BundleInstanceCommand.SignUploadPolicy(policy, CliSiloFixture.AliceSecret).Should().Be("Y7sjtuXgev925Fq+9J/O7bibu6A=");
    }

    [Fact]
    public async Task BundleInstanceWithWait_PrintsTheTaskAsItMoves_EndingComplete()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();

        var run = await workspace.RunAsync(["ec2-bundle-instance", id, "-b", "cli-wait-bucket", "-p", "winami", .. OwnerKeys, "--wait"]);
        var described = await workspace.RunAsync("ec2-describe-bundle-tasks", "-F", $"instance-id={id}");

        run.ExitCode.Should().Be(0);
        run.Error.Should().BeEmpty();
        run.OutLines.Length.Should().BeGreaterThanOrEqualTo(2);
        run.OutLines[0].Should().MatchRegex(ToRegex(Tabs("BUNDLE", "{bundle}", id, "cli-wait-bucket", "winami", "{time}", "{time}", "pending")).ToString());
        run.OutLines[^1].Should().MatchRegex(ToRegex(Tabs("BUNDLE", "{bundle}", id, "cli-wait-bucket", "winami", "{time}", "{time}", "complete")).ToString());
        run.OutLines[1..^1].Should().OnlyContain(l => Matches(l, Tabs("BUNDLE", "{bundle}", id, "cli-wait-bucket", "winami", "{time}", "{time}", "{any}", "{percent}")));
        described.OutLines.Should().Equal(run.OutLines[^1]);
    }

    [Fact]
    public async Task BundleInstance_WithoutWait_PrintsThePendingTask_AndSignsWithTheOwnerKeysWhenNothingElseIsSet()
    {
        using var workspace = silo.Workspace();
        workspace.Environment.Remove("AWS_ACCESS_KEY_ID");
        workspace.Environment.Remove("AWS_SECRET_ACCESS_KEY");
        var id = await silo.LaunchWindowsAsync();

        var run = await workspace.RunAsync(["bundle-instance", id, "-b", "cli-owner-bucket", "-p", "winami", .. OwnerKeys]);

        run.ExitCode.Should().Be(0);
        run.OutLines.ShouldMatch(Tabs("BUNDLE", "{bundle}", id, "cli-owner-bucket", "winami", "{time}", "{time}", "pending"));
    }

    [Fact]
    public async Task BundleInstance_WithAWrongSecret_IsRefusedByThePolicySignature()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();

        var run = await workspace.RunAsync("ec2-bundle-instance", id, "-b", "cli-bad-bucket", "-p", "winami", "-o", CliSiloFixture.AliceKey, "-w", "not-the-secret");

        run.ExitCode.Should().Be(3);
        run.Out.Should().BeEmpty();
        run.Error.Should().StartWith("Client.").And.Contain("signature");
    }

    [Fact]
    public async Task BundleInstance_OfALinuxInstance_IsUnsupported()
    {
        using var workspace = silo.Workspace();
        using var ec2 = silo.Ec2();
        var launched = await ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = await silo.LinuxImageAsync(), MinCount = 1, MaxCount = 1 });
        var id = launched.Reservation.Instances.Single().InstanceId;

        var run = await workspace.RunAsync(["ec2-bundle-instance", id, "-b", "cli-linux-bucket", "-p", "linux", .. OwnerKeys]);

        run.ExitCode.Should().Be(3);
        run.Error.Should().Be($"Client.UnsupportedOperation: The instance '{id}' is not a Windows instance: BundleInstance bundles Windows instance-store instances only.\n");
    }

    [Fact]
    public async Task BundleInstance_WithoutTheOwnerKeys_ExplainsTheUsage()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-bundle-instance", "i-0123456789abcdef0", "-b", "bucket", "-p", "prefix");

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal(
            "ec2-bundle-instance: Option '--owner-akid' is required.",
            "ec2-bundle-instance: Option '--owner-sak' is required.",
            "Usage: ec2sim ec2-bundle-instance INSTANCE -b BUCKET -p PREFIX -o ACCESS_KEY_ID -w SECRET_ACCESS_KEY [-x HOURS] [--wait]",
            "Try 'ec2sim ec2-bundle-instance --help' for more information.");
    }

    [Fact]
    public async Task CancelBundleTask_OfACompleteTask_FailsWithIncorrectState()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();
        var bundled = await workspace.RunAsync(["ec2-bundle-instance", id, "-b", "cli-done-bucket", "-p", "winami", .. OwnerKeys, "--wait"]);
        var bundleId = bundled.OutLines[^1].Split('\t')[1];

        var run = await workspace.RunAsync("ec2-cancel-bundle-task", bundleId);

        run.ExitCode.Should().Be(3);
        run.Error.Should().Be($"Client.IncorrectState: The bundle task '{bundleId}' is complete: only a task that has not finished can be cancelled.\n");
    }

    [Fact]
    public async Task CancelBundleTask_OfATaskAtWork_PrintsItCancelling_ThenItEndsFailedWithTheCancelError()
    {
        using var workspace = timed.Workspace();
        var id = await timed.LaunchWindowsAsync();
        var started = await workspace.RunAsync(["ec2-bundle-instance", id, "-b", "cli-cancel-bucket", "-p", "winami", .. OwnerKeys]);
        var bundleId = started.OutLines[0].Split('\t')[1];
        await timed.WaitForBundleTaskAsync(id, t => t.State == "pending");

        var cancel = await workspace.RunAsync("ec2-cancel-bundle-task", bundleId);
        timed.Time.Advance(TimedCliSiloFixture.Phase);
        await timed.WaitForBundleTaskAsync(id, t => t.State == "failed");
        var described = await workspace.RunAsync("ec2-describe-bundle-tasks", bundleId);

        cancel.ExitCode.Should().Be(0);
        cancel.OutLines.ShouldMatch(Tabs("BUNDLE", bundleId, id, "cli-cancel-bucket", "winami", "{time}", "{time}", "cancelling", "{percent}"));
        described.OutLines.ShouldMatch(
            Tabs("BUNDLE", bundleId, id, "cli-cancel-bucket", "winami", "{time}", "{time}", "failed", "Client.Cancelled", "User cancelled the bundle task (CancelBundleTask)."));
    }

    [Fact]
    public async Task BundleInstanceWithWait_OfATaskThatIsCancelled_EndsFailedAndExitsWith3()
    {
        using var workspace = timed.Workspace();
        var id = await timed.LaunchWindowsAsync();

        var waiting = workspace.RunAsync(["ec2-bundle-instance", id, "-b", "cli-cancelled-bucket", "-p", "winami", .. OwnerKeys, "--wait", "--json"]);
        var task = await timed.WaitForBundleTaskAsync(id, t => t.State == "pending");
        using (var ec2 = timed.Ec2())
        {
            await ec2.CancelBundleTaskAsync(new Amazon.EC2.Model.CancelBundleTaskRequest { BundleId = task.BundleId });
        }

        timed.Time.Advance(TimedCliSiloFixture.Phase);
        var run = await waiting;

        run.ExitCode.Should().Be(3);
        run.Error.Should().Be($"Client.Cancelled: Bundle task {task.BundleId} failed: User cancelled the bundle task (CancelBundleTask).\n");
        using var document = JsonDocument.Parse(run.Out);
        var failed = document.RootElement.GetProperty("bundleTasks").EnumerateArray().Should().ContainSingle().Subject;
        failed.GetProperty("state").GetString().Should().Be("failed");
        failed.GetProperty("errorCode").GetString().Should().Be("Client.Cancelled");
    }

    [Fact]
    public async Task BundleInstanceWithWait_OnATerminal_ShowsALiveProgressBar_AndEndsWithTheCompleteLine()
    {
        using var workspace = timed.Workspace();
        var terminal = new StringWriter();
        workspace.Live = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(terminal),
        });
        var id = await timed.LaunchWindowsAsync();

        var waiting = workspace.RunAsync(["ec2-bundle-instance", id, "-b", "cli-live-bucket", "-p", "winami", .. OwnerKeys, "--wait"]);
        foreach (var state in new[] { "pending", "waiting-for-shutdown", "bundling", "storing" })
        {
            await timed.WaitForBundleTaskAsync(id, t => t.State == state);
            timed.Time.Advance(TimedCliSiloFixture.Phase);
        }

        var run = await waiting;

        run.ExitCode.Should().Be(0);
        run.OutLines.Should().HaveCount(2);
        run.OutLines[0].Should().MatchRegex(ToRegex(Tabs("BUNDLE", "{bundle}", id, "cli-live-bucket", "winami", "{time}", "{time}", "pending")).ToString());
        run.OutLines[1].Should().MatchRegex(ToRegex(Tabs("BUNDLE", "{bundle}", id, "cli-live-bucket", "winami", "{time}", "{time}", "complete")).ToString());
        terminal.ToString().Should().Contain(run.OutLines[1].Split('\t')[1]).And.Contain("100%");
    }
}

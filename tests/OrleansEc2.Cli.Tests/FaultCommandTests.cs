using System.Text.Json;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

/// <summary><c>ec2sim fault add|list|clear</c>, as bob, whose faults no other test's requests can fire.</summary>
[Collection(CliCollection.Name)]
public sealed class FaultCommandTests(CliSiloFixture silo) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        using var workspace = BobsWorkspace();
        await workspace.RunAsync("fault", "clear");
    }

    [Fact]
    public async Task FaultAddListClear_PrintFaultLines_AndAnEc2FaultFailsTheCommandsItTargets()
    {
        using var workspace = BobsWorkspace();

        var ec2 = await workspace.RunAsync("fault", "add", "--target", "ec2:DescribeRegions", "--count", "4");
        var s3 = await workspace.RunAsync("fault", "add", "-t", "s3:PutObject", "--bucket", "scripted", "--key-prefix", "logs/", "--code", "InternalError", "--status", "500", "-m", "Try again.");
        var ec2Id = ec2.OutLines.Single().Split('\t')[1];
        var s3Id = s3.OutLines.Single().Split('\t')[1];
        var listed = await workspace.RunAsync("fault", "list");
        var failed = await workspace.RunAsync("describe-regions");
        var afterFailure = await workspace.RunAsync("fault", "list");
        var retried = await workspace.RunAsync("describe-regions");
        var clearedOne = await workspace.RunAsync("fault", "clear", s3Id);
        var clearedNone = await workspace.RunAsync("fault", "clear");
        var empty = await workspace.RunAsync("fault", "list");

        ec2.ExitCode.Should().Be(0);
        ec2Id.Should().MatchRegex("^fault-[0-9a-f]{8}$");
        ec2.OutLines.Should().Equal(Tabs("FAULT", ec2Id, "ec2:DescribeRegions", "4", "Unavailable"));
        s3.ExitCode.Should().Be(0);
        s3.OutLines.Should().Equal(Tabs("FAULT", s3Id, "s3:PutObject", "1", "InternalError"));
        listed.ExitCode.Should().Be(0);
        listed.OutLines.Should().Equal(
            Tabs("FAULT", ec2Id, "ec2:DescribeRegions", "4", "Unavailable"),
            Tabs("FAULT", s3Id, "s3:PutObject", "1", "InternalError"));
        failed.ExitCode.Should().Be(3, "ec2sim's client tries 3 times, and the fault fires 3 of its 4 times");
        failed.Out.Should().BeEmpty();
        failed.ErrorLines.Should().Equal("Server.Unavailable: The server is overloaded and can't handle the request.");
        afterFailure.OutLines.Should().Equal(
            Tabs("FAULT", ec2Id, "ec2:DescribeRegions", "1", "Unavailable"),
            Tabs("FAULT", s3Id, "s3:PutObject", "1", "InternalError"));
        retried.ExitCode.Should().Be(0, "the last firing is retried through");
        retried.OutLines.Should().Contain(Tabs("REGION", "us-east-1", "ec2.us-east-1.amazonaws.com"));
        clearedOne.ExitCode.Should().Be(0);
        clearedOne.OutLines.Should().Equal(Tabs("FAULT", s3Id, "s3:PutObject", "1", "InternalError"));
        clearedNone.ExitCode.Should().Be(0);
        clearedNone.Out.Should().BeEmpty("the ec2: fault has fired its last");
        empty.ExitCode.Should().Be(0);
        empty.Out.Should().BeEmpty();
    }

    [Fact]
    public async Task FaultAdd_WithJson_PrintsTheFaultAsJson_AndClearWithoutId_PrintsWhatItDisarmed()
    {
        using var workspace = BobsWorkspace();

        var added = await workspace.RunAsync("fault", "add", "--target", "bundle-task:storing", "--json");
        var cleared = await workspace.RunAsync("fault", "clear");

        added.ExitCode.Should().Be(0);
        using var document = JsonDocument.Parse(added.Out);
        var fault = document.RootElement.GetProperty("faults").EnumerateArray().Single();
        var id = fault.GetProperty("faultId").GetString()!;
        id.Should().MatchRegex("^fault-[0-9a-f]{8}$");
        fault.GetProperty("target").GetString().Should().Be("bundle-task:storing");
        fault.GetProperty("remaining").GetInt32().Should().Be(1);
        fault.GetProperty("code").GetString().Should().Be("Server.InternalError");
        cleared.ExitCode.Should().Be(0);
        cleared.OutLines.Should().Equal(Tabs("FAULT", id, "bundle-task:storing", "1", "Server.InternalError"));
    }

    [Fact]
    public async Task FaultErrors_PrintAsServiceErrorsOrUsage_WithTheirExitCodes()
    {
        using var workspace = BobsWorkspace();

        var unknownTarget = await workspace.RunAsync("fault", "add", "--target", "ec2:LaunchRocket");
        var zeroCount = await workspace.RunAsync("fault", "add", "--target", "ec2:RunInstances", "--count", "0");
        var unknownId = await workspace.RunAsync("fault", "clear", "fault-00000000");
        var noTarget = await workspace.RunAsync("fault", "add");
        var noVerb = await workspace.RunAsync("fault");

        unknownTarget.ExitCode.Should().Be(3);
        unknownTarget.ErrorLines.Should().Equal("Client.InvalidParameterValue: Unknown fault target 'ec2:LaunchRocket': LaunchRocket is not an EC2 action of this simulator (they are case-sensitive: ec2:RunInstances).");
        zeroCount.ExitCode.Should().Be(3);
        zeroCount.ErrorLines.Should().Equal("Client.InvalidParameterValue: count must be at least 1 (how many times the fault fires), not 0.");
        unknownId.ExitCode.Should().Be(3);
        unknownId.ErrorLines.Should().Equal("Client.InvalidFaultID.NotFound: The fault ID 'fault-00000000' does not exist");
        noTarget.ExitCode.Should().Be(1);
        noTarget.ErrorLines.Should().Equal(
            "fault add: Option '--target' is required.",
            "Usage: ec2sim fault add --target TARGET [--count N] [--code CODE] [--message MESSAGE] [--status STATUS] [--bucket BUCKET] [--key-prefix PREFIX]",
            "Try 'ec2sim fault add --help' for more information.");
        noVerb.ExitCode.Should().Be(1);
        noVerb.ErrorLines.Should().Equal(
            "fault: Give what to do: add, list or clear.",
            "Usage: ec2sim fault (add --target TARGET [options] | list | clear [FAULT])",
            "Try 'ec2sim fault --help' for more information.");
    }

    private CliWorkspace BobsWorkspace()
    {
        var workspace = silo.Workspace();
        workspace.Environment["AWS_ACCESS_KEY_ID"] = CliSiloFixture.BobKey;
        workspace.Environment["AWS_SECRET_ACCESS_KEY"] = CliSiloFixture.BobSecret;
        return workspace;
    }
}

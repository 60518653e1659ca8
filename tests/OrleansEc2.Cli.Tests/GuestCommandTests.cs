using System.Text.Json;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class GuestCommandTests(CliSiloFixture silo)
{
    [Fact]
    public async Task GuestWriteFile_FromTextAndFromAFile_ThenCatAndListShowThem()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();
        File.WriteAllBytes(workspace.File("local.bin"), [0, 1, 2, 250, 255]);

        var text = await workspace.RunAsync("guest-write-file", id, @"C:\notes.txt", "-c", "hello from ec2sim");
        var binary = await workspace.RunAsync("guest-write-file", id, @"C:\data\local.bin", "local.bin");
        var cat = await workspace.RunAsync("guest-cat", id, @"C:\notes.txt");
        var saved = await workspace.RunAsync("guest-cat", id, @"C:\data\local.bin", "-o", "copy.bin");
        var list = await workspace.RunAsync("guest-ls", id);

        text.ExitCode.Should().Be(0);
        text.OutLines.Should().Equal(Tabs("FILE", id, @"C:\notes.txt", "17"));
        binary.OutLines.Should().Equal(Tabs("FILE", id, @"C:\data\local.bin", "5"));
        cat.Out.Should().Be("hello from ec2sim");
        saved.OutLines.Should().Equal(Tabs("FILE", id, @"C:\data\local.bin", "5", workspace.File("copy.bin")));
        File.ReadAllBytes(workspace.File("copy.bin")).Should().Equal(0, 1, 2, 250, 255);
        list.ExitCode.Should().Be(0);
        list.OutLines.Should().Contain(Tabs("FILE", id, @"C:\notes.txt", "17")).And.Contain(Tabs("FILE", id, @"C:\data\local.bin", "5"));
        list.OutLines.Should().OnlyContain(l => Matches(l, Tabs("FILE", id, "{any}", "{any}")) || Matches(l, Tabs("FILE", id, "{any}", "{any}", "temporary")));
    }

    [Fact]
    public async Task GuestWriteFile_FromStandardInput_WritesWhatItReads()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();

        var run = await workspace.RunWithInputAsync("piped text\n", "guest-write-file", id, @"C:\piped.txt", "-");
        var cat = await workspace.RunAsync("guest-cat", id, @"C:\piped.txt");

        run.OutLines.Should().Equal(Tabs("FILE", id, @"C:\piped.txt", "11"));
        cat.Out.Should().Be("piped text\n");
    }

    [Fact]
    public async Task GuestWriteFile_WithBothAFileAndText_IsAUsageError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("guest-write-file", "i-0123456789abcdef0", @"C:\x.txt", "local.txt", "-c", "text");

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal(
            "guest-write-file: Give the bytes to write either as LOCAL_FILE (or '-' for standard input) or as -c TEXT, one of them.",
            "Usage: ec2sim guest-write-file INSTANCE GUEST_PATH (LOCAL_FILE | - | -c TEXT)",
            "Try 'ec2sim guest-write-file --help' for more information.");
    }

    [Fact]
    public async Task GuestRm_ThenCat_SaysTheFileIsNotFound()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();
        (await workspace.RunAsync("guest-write-file", id, @"C:\gone.txt", "-c", "x")).ExitCode.Should().Be(0);

        var rm = await workspace.RunAsync("guest-rm", id, @"C:\gone.txt");
        var cat = await workspace.RunAsync("guest-cat", id, @"C:\gone.txt");

        rm.ExitCode.Should().Be(0);
        rm.OutLines.Should().Equal(Tabs("FILE", id, @"C:\gone.txt"));
        cat.ExitCode.Should().Be(3);
        cat.Out.Should().BeEmpty();
        cat.Error.Should().Be($"Client.InvalidGuestFile.NotFound: {id}: Could not find 'C:\\gone.txt'.\n");
    }

    [Fact]
    public async Task DiskCleanupDefragAndSdelete_PrintTheirRecords_AndCleanupRemovesTheTemporaryFiles()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();
        var temporary = (await workspace.RunAsync("guest-ls", id)).OutLines.Count(l => l.EndsWith("\ttemporary", StringComparison.Ordinal));

        var cleanup = await workspace.RunAsync("guest-disk-cleanup", id);
        var defrag = await workspace.RunAsync("guest-defrag", id);
        var sdelete = await workspace.RunAsync("guest-sdelete", id);
        var after = await workspace.RunAsync("guest-ls", id);

        temporary.Should().BeGreaterThan(0);
        cleanup.ExitCode.Should().Be(0);
        cleanup.OutLines.Should().Equal(Tabs("DISKCLEANUP", id, temporary.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        defrag.OutLines.Should().Equal(Tabs("DEFRAGMENT", id, "complete"));
        sdelete.OutLines.Should().Equal(Tabs("SDELETE", id, "complete"));
        after.OutLines.Should().NotContain(l => l.EndsWith("\ttemporary", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GuestActions_OnALinuxInstance_AreRefused()
    {
        using var workspace = silo.Workspace();
        using var ec2 = silo.Ec2();
        var launched = await ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = await silo.LinuxImageAsync(), MinCount = 1, MaxCount = 1 });
        var id = launched.Reservation.Instances.Single().InstanceId;

        var run = await workspace.RunAsync("guest-sdelete", id);

        run.ExitCode.Should().Be(3);
        run.Error.Should().StartWith("Client.UnsupportedOperation: ");
    }

    [Fact]
    public async Task GuestSetPassword_FromStandardInput_SetsIt()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();

        var run = await workspace.RunWithInputAsync("N3w-Passw0rd\n", "guest-set-password", id);
        var json = await workspace.RunAsync("guest-set-password", id, "An0ther-Passw0rd", "--json");

        run.ExitCode.Should().Be(0);
        run.OutLines.Should().Equal(Tabs("PASSWORD", id, "set"));
        using var document = JsonDocument.Parse(json.Out);
        document.RootElement.GetProperty("passwords")[0].GetProperty("instanceId").GetString().Should().Be(id);
    }

    [Fact]
    public async Task GuestLs_OfAStoppedInstance_FailsWithIncorrectInstanceState()
    {
        using var workspace = silo.Workspace();
        var id = await silo.LaunchWindowsAsync();
        (await workspace.RunAsync("ec2-stop-instances", id, "--wait")).ExitCode.Should().Be(0);

        var run = await workspace.RunAsync("guest-ls", id);

        run.ExitCode.Should().Be(3);
        run.Error.Should().StartWith("Client.IncorrectInstanceState: ");
    }
}

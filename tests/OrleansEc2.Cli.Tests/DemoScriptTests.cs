using System.Diagnostics;
using System.Text;
using OrleansEc2.Testing;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

/// <summary>
/// <c>docs/demo.sh</c>, the seed workflow, run start to finish with bash against a fresh silo process (zero durations,
/// 1 MiB public disks) and the ec2sim built next to this test assembly.
/// </summary>
[Collection(CliCollection.Name)]
public class DemoScriptTests
{
    [Fact]
    public async Task DemoScript_RunsTheSeedWorkflowFromAFreshSilo_AndExitsWith0()
    {
        await using var silo = await SiloProcess.StartAsync([new("Disk:DefaultSizeBytes", "1048576")]);
        var started = Stopwatch.StartNew();

        var (exitCode, output, error) = await RunDemoAsync(silo.BaseUrl);

        exitCode.Should().Be(0, "the demo failed after {0}:\n{1}\n{2}\n{3}", started.Elapsed, output, error, silo.Output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Contain(l => Matches(l, Tabs("BUNDLE", "{bundle}", "{instance}", "demo-{any}", "winami", "{time}", "{time}", "pending")));
        lines.Should().Contain(l => Matches(l, Tabs("BUNDLE", "{bundle}", "{instance}", "demo-{any}", "winami", "{time}", "{time}", "complete")));
        lines.Should().Contain(l => Matches(l, Tabs("IMAGE", "{ami}", "demo-{any}/winami.manifest.xml", CliSiloFixture.Alice, "available", "private", "", "i386", "machine", "", "", "windows", "instance-store", "hvm", "xen")));
        lines.Should().Contain(l => Matches(l, Tabs("MIGRATION", "{migration}", "demo-{any}/winami.manifest.xml", "demo-{any}-eu/winami.manifest.xml", "eu-west-1", "{time}", "{time}", "complete", "{any}")));
        lines.Should().Contain(l => Matches(l, InstanceCommandTests.WindowsInstance("{ami}", "running", "demo-{any}", "0", "m1.small", "eu-west-1{any}")));
        lines.Should().Contain(l => Matches(l, "{console}: Message: Windows is Ready to use"));
        lines.Should().Contain("Bundled by the OrleansEc2 demo");
        lines[^1].Should().Be("demo: complete");
        error.Should().BeEmpty();
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunDemoAsync(string url)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "docs", "demo.sh"));
        start.ArgumentList.Add(url);
        start.Environment["EC2SIM"] = $"{DotnetHost()} {Path.Combine(AppContext.BaseDirectory, "ec2sim.dll")}";
        foreach (var name in new[] { "EC2_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION", "EC2SIM_CONFIG" })
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansEc2.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No OrleansEc2.sln above {AppContext.BaseDirectory}.");
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
}

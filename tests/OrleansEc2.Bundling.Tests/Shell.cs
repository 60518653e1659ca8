using System.Diagnostics;

namespace OrleansEc2.Bundling.Tests;

/// <summary>Runs a bash script (standard tools: openssl, gzip, tar, sha1sum) and returns what it printed.</summary>
public static class Shell
{
    public static async Task<string> RunAsync(string script, string workingDirectory)
    {
        var start = new ProcessStartInfo("/bin/bash", ["-euo", "pipefail", "-c", script])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{script}` exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}

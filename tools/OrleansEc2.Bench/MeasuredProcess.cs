using System.Diagnostics;
using System.Globalization;

namespace OrleansEc2.Bench;

/// <summary>What one run of a command cost: wall time, CPU time of it and its children, and its peak resident set.</summary>
public sealed record Measurement(TimeSpan Wall, TimeSpan? Cpu, long? PeakRssBytes);

/// <summary>
/// Runs a command and measures it: through <c>/usr/bin/time</c> when present (wall, user + system time of the whole
/// process tree, maximum RSS), otherwise with a stopwatch while polling <c>VmHWM</c> in <c>/proc/&lt;pid&gt;/status</c>.
/// </summary>
public static class MeasuredProcess
{
    private const string TimeCommand = "/usr/bin/time";

    /// <summary>The niceness commands run at (both sides of a comparison alike); 0 leaves it as it is.</summary>
    public static int Niceness { get; set; }

    public static async Task<Measurement> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory)
    {
        if (Niceness != 0)
        {
            arguments = ["-n", Niceness.ToString(CultureInfo.InvariantCulture), fileName, .. arguments];
            fileName = "nice";
        }

        if (File.Exists(TimeCommand))
        {
            var report = Path.Combine(Path.GetTempPath(), $"bench-time-{Guid.NewGuid():N}.txt");
            try
            {
                await RunAsync(TimeCommand, ["-f", "%e %U %S %M", "-o", report, fileName, .. arguments], workingDirectory, pollRss: false);
                var fields = File.ReadAllLines(report).Last(l => l.Length > 0).Split(' ');
                return new Measurement(
                    TimeSpan.FromSeconds(double.Parse(fields[0], CultureInfo.InvariantCulture)),
                    TimeSpan.FromSeconds(double.Parse(fields[1], CultureInfo.InvariantCulture) + double.Parse(fields[2], CultureInfo.InvariantCulture)),
                    long.Parse(fields[3], CultureInfo.InvariantCulture) * 1024);
            }
            finally
            {
                File.Delete(report);
            }
        }

        return await RunAsync(fileName, arguments, workingDirectory, pollRss: true);
    }

    private static async Task<Measurement> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, bool pollRss)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long? peak = null;
        if (pollRss)
        {
            while (!process.HasExited)
            {
                peak = Math.Max(peak ?? 0, ReadVmHwm(process.Id) ?? 0);
                await Task.Delay(20);
            }
        }

        await process.WaitForExitAsync();
        stopwatch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }

        return new Measurement(stopwatch.Elapsed, null, peak);
    }

    private static long? ReadVmHwm(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

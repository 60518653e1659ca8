using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace OrleansEc2.Bench.Api;

/// <summary>wrk (Debian's package) driven by a Lua script that sets the signed POST's body and headers.</summary>
public static partial class WrkRunner
{
    /// <summary>Whether wrk is on the PATH, installing Debian's package when it is not (and the bench runs as root).</summary>
    public static async Task<bool> EnsureInstalledAsync()
    {
        if (await RunAsync("wrk", "--version") is not null)
        {
            return true;
        }

        Console.WriteLine("wrk not found: trying apt-get install -y wrk");
        await RunAsync("apt-get", "install -y wrk");
        return await RunAsync("wrk", "--version") is not null;
    }

    public static async Task<LoadResult> RunAsync(Uri baseUri, SignedRequest request, int connections, TimeSpan duration)
    {
        var script = Path.Combine(Path.GetTempPath(), $"orleans-ec2-bench-{Guid.NewGuid():n}.lua");
        await File.WriteAllTextAsync(script, $$"""
            wrk.method = "POST"
            wrk.body = "{{request.Body}}"
            wrk.headers["Content-Type"] = "{{request.ContentType}}"
            wrk.headers["X-Amz-Date"] = "{{request.AmzDate}}"
            wrk.headers["Authorization"] = "{{request.Authorization}}"
            """);
        try
        {
            var threads = Math.Min(2, connections);
            var output = await RunAsync("wrk", $"-t{threads} -c{connections} -d{(int)duration.TotalSeconds}s --latency -s {script} {baseUri}")
                ?? throw new InvalidOperationException("wrk failed to run.");
            var requests = long.Parse(RequestsPattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var rate = double.Parse(RatePattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var errors = NonSuccessPattern().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            errors += SocketErrorsPattern().Matches(output).Sum(x => long.Parse(x.Groups[1].Value, CultureInfo.InvariantCulture));
            return new LoadResult(requests, errors, rate, Percentile(output, "50%"), Percentile(output, "99%"));
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static TimeSpan Percentile(string output, string label)
    {
        var match = Regex.Match(output, $@"^\s*{Regex.Escape(label)}\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            throw new InvalidOperationException($"wrk printed no {label} latency:\n{output}");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => TimeSpan.FromMicroseconds(value),
            "ms" => TimeSpan.FromMilliseconds(value),
            _ => TimeSpan.FromSeconds(value),
        };
    }

    private static async Task<string?> RunAsync(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 || file == "wrk" && (await output).Length > 0 ? await output + await error : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsPattern();

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccessPattern();

    [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
    private static partial Regex SocketErrorsPattern();
}

/// <summary>A .NET load generator (16 looping HttpClient callers), for machines without wrk.</summary>
public static class DotnetLoad
{
    public static async Task<LoadResult> RunAsync(Uri baseUri, SignedRequest request, int connections, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseCookies = false };
        using var http = new HttpClient(handler);
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var errors = 0L;
        var started = Stopwatch.GetTimestamp();
        var perWorker = await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            var latencies = new List<long>(100_000);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var t0 = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request.ToMessage(baseUri));
                await response.Content.CopyToAsync(Stream.Null);
                latencies.Add(Stopwatch.GetTimestamp() - t0);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                }
            }

            return latencies;
        }));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = perWorker.SelectMany(l => l).Order().ToArray();
        TimeSpan At(double q) => all.Length == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(all[Math.Min(all.Length - 1, (int)(q * all.Length))] / (double)Stopwatch.Frequency);
        return new LoadResult(all.Length, errors, all.Length / elapsed.TotalSeconds, At(0.50), At(0.99));
    }
}

using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using OrleansEc2.Client;
using OrleansEc2.Silo;
using OrleansEc2.Silo.Storage;

namespace OrleansEc2.Testing;

/// <summary>
/// The real silo as a child process (<c>dotnet OrleansEc2.Silo.dll</c>) on a temporary data directory and free ports,
/// with test settings (zero durations, then the test's own). It can be stopped as an operator would (SIGTERM), killed
/// (SIGKILL) and restarted on the same data and ports. Disposing it stops it and deletes the directory.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private const int MaxOutputLines = 4000;

    private readonly string _workingDirectory;
    private readonly Dictionary<string, string?> _settings;
    private readonly TimeSpan _startTimeout;
    private readonly List<string> _output = [];
    private Process? _process;

    private SiloProcess(string workingDirectory, SiloPorts ports, IEnumerable<KeyValuePair<string, string?>>? settings, TimeSpan startTimeout)
    {
        _workingDirectory = workingDirectory;
        _startTimeout = startTimeout;
        Ports = ports;
        DataDirectory = Path.Combine(workingDirectory, "data");
        _settings = TestSettings.For(DataDirectory, BaseUrl, ports, settings);
    }

    public SiloPorts Ports { get; private set; }

    /// <summary><c>http://127.0.0.1:{port}</c>: the EC2 Query API, S3, <c>/_sim/</c> and the dashboard.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Ports.Http}";

    public int GatewayPort => Ports.Gateway;

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, SqliteDatabase.FileName);

    /// <summary>The settings the silo runs with (on top of appsettings.json).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    public int? ProcessId => _process?.Id;

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>Everything the silo wrote to stdout and stderr so far (across restarts).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>
    /// Starts the built silo and returns once <c>GET /_sim/health</c> answers 200. Throws, with the silo's output,
    /// when it exits first or is not up within <paramref name="startTimeout"/> (default 60 s).
    /// </summary>
    public static async Task<SiloProcess> StartAsync(
        IEnumerable<KeyValuePair<string, string?>>? settings = null,
        TimeSpan? startTimeout = null,
        CancellationToken cancellationToken = default)
    {
        var materialized = settings?.ToList();
        for (var attempt = 1; ; attempt++)
        {
            var silo = new SiloProcess(TestSettings.NewTemporaryDirectory("silo"), SiloPorts.Free(), materialized, startTimeout ?? TimeSpan.FromSeconds(60));
            try
            {
                await silo.StartProcessAsync(cancellationToken);
                return silo;
            }
            catch (SiloStartException) when (attempt < 3 && silo.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Another test took one of the free ports between the OS handing it out and the silo binding it.
                await silo.DisposeAsync();
            }
            catch
            {
                await silo.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Connects an Orleans client to this silo's gateway.</summary>
    public Task<Ec2SimClient> ConnectClientAsync(CancellationToken cancellationToken = default) =>
        Ec2SimClient.ConnectAsync(
            new Ec2SimClientOptions
            {
                GatewayPort = GatewayPort,
                ServiceId = _settings.GetValueOrDefault("Orleans:ServiceId") ?? new OrleansSettings().ServiceId,
                ClusterId = _settings.GetValueOrDefault("Orleans:ClusterId") ?? new OrleansSettings().ClusterId,
            },
            cancellationToken);

    /// <summary>An HTTP client whose base address is <see cref="BaseUrl"/>.</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = new Uri(BaseUrl) };

    /// <summary>
    /// Asks the silo to stop as Ctrl+C or a service manager would (SIGTERM) and waits for it to exit. Returns its exit
    /// code. Throws when it has not exited within <paramref name="timeout"/> (default 30 s), after killing it.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var process = _process ?? throw new InvalidOperationException("The silo is not running.");
        if (!process.HasExited)
        {
            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("Stopping with SIGTERM needs a Unix-like system.");
            }

            if (Kill(process.Id, SigTerm) != 0)
            {
                throw new InvalidOperationException($"kill({process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}.");
            }

            using var timer = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timer.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new TimeoutException($"The silo did not exit within {timeout ?? TimeSpan.FromSeconds(30)} of SIGTERM.\n{Output}");
            }
        }

        // WaitForExitAsync returns once the output streams are drained too.
        return process.ExitCode;
    }

    /// <summary>Kills the silo at once (SIGKILL): no shutdown code runs, as in a crash or power cut of the process.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("The silo is not running.");
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
    }

    /// <summary>Starts the silo again on the same data directory, ports and settings (stopping it first if it runs).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (!HasExited)
        {
            await StopAsync();
        }

        await StartProcessAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                try
                {
                    await StopAsync(TimeSpan.FromSeconds(10));
                }
                catch (Exception e) when (e is TimeoutException or InvalidOperationException or PlatformNotSupportedException)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }

            process.Dispose();
            _process = null;
        }

        TestSettings.DeleteDirectory(_workingDirectory);
    }

    /// <summary>Where the silo's build output is: next to the test assembly (a project reference puts it there).</summary>
    public static string FindSiloAssembly()
    {
        var here = Path.Combine(AppContext.BaseDirectory, "OrleansEc2.Silo.dll");
        if (File.Exists(here) && File.Exists(Path.ChangeExtension(here, ".runtimeconfig.json")))
        {
            return here;
        }

        throw new FileNotFoundException(
            $"OrleansEc2.Silo.dll and its runtimeconfig.json are not in {AppContext.BaseDirectory}: reference "
            + "tests/OrleansEc2.Testing (or src/OrleansEc2.Silo) from the test project.");
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        _process?.Dispose();
        var start = new ProcessStartInfo(FindDotnet())
        {
            WorkingDirectory = _workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(FindSiloAssembly());
        foreach (var (key, value) in _settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // The child must take its settings from this harness alone, not from a variable the test runner happens to have.
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("DOTNET_URLS");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        Append($"--- starting silo: {BaseUrl}, gateway {GatewayPort}, data {DataDirectory}");
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        await WaitUntilUpAsync(process, cancellationToken);
    }

    private async Task WaitUntilUpAsync(Process process, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await process.WaitForExitAsync(cancellationToken);
                throw new SiloStartException($"The silo exited with code {process.ExitCode} before it was up.\n{Output}");
            }

            if (started.Elapsed > _startTimeout)
            {
                throw new SiloStartException($"The silo was not up within {_startTimeout} ({BaseUrl}{SiloHost.HealthPath}).\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(SiloHost.HealthPath, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One slow answer while the silo starts on a busy machine.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Count >= MaxOutputLines)
            {
                _output.RemoveAt(0);
            }

            _output.Add(line);
        }
    }

    /// <summary>The dotnet host running this test, so the silo runs on the same runtime.</summary>
    private static string FindDotnet()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } processPath
            && Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        return OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>The silo process did not come up; the message holds its output.</summary>
public sealed class SiloStartException(string message) : Exception(message);

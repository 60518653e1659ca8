using System.Diagnostics;
using System.Text.Json;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Testing;

namespace OrleansEc2.Api.Tests.AwsCli;

[CollectionDefinition(Name)]
public sealed class AwsCliCollection : ICollectionFixture<AwsCliFixture>
{
    public const string Name = "AWS CLI";
}

/// <summary>
/// A silo on the system clock (the AWS CLI signs with the time of day), zero durations and 1 MiB public disks, and a way
/// to run the real AWS CLI (<c>aws</c>, from the machine's Python) against it as alice, with no profile of the machine's
/// own in the way.
/// </summary>
public sealed class AwsCliFixture : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private InProcessSilo? _silo;

    public string Url => (_silo ?? throw new InvalidOperationException("The silo is not started.")).BaseUrl;

    public string WorkDirectory { get; } = TestSettings.NewTemporaryDirectory("aws-cli");

    public async Task InitializeAsync() =>
        _silo = await InProcessSilo.StartAsync(new Dictionary<string, string?> { ["Disk:DefaultSizeBytes"] = "1048576" });

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        TestSettings.DeleteDirectory(WorkDirectory);
    }

    /// <summary>Runs <c>aws --endpoint-url URL ARGS</c>; the exit code, standard output and standard error.</summary>
    public async Task<AwsCliResult> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("aws")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = WorkDirectory,
        };
        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(Url);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = ApiSiloFixture.AliceKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = ApiSiloFixture.AliceSecret;
        start.Environment["AWS_DEFAULT_REGION"] = ApiSiloFixture.UsEast1;
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(WorkDirectory, "no-config");
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(WorkDirectory, "no-credentials");
        start.Environment["AWS_DEFAULT_OUTPUT"] = "json";
        start.Environment["AWS_PAGER"] = "";
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_SESSION_TOKEN");

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("aws did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("These tests drive the real AWS CLI: `aws` must be on PATH (the machine image has awscli 1.x from pip).", e);
        }

        using (process)
        using (var timeout = new CancellationTokenSource(CommandTimeout))
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"aws {string.Join(' ', arguments)} did not finish in {CommandTimeout}");
            }

            return new AwsCliResult(process.ExitCode, await output, await error);
        }
    }

    /// <summary>Runs a command that must succeed and answers JSON.</summary>
    public async Task<JsonElement> JsonAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        result.ExitCode.Should().Be(0, $"aws {string.Join(' ', arguments)} should succeed; stderr: {result.Error}");
        using var document = JsonDocument.Parse(result.Output);
        return document.RootElement.Clone();
    }
}

public sealed record AwsCliResult(int ExitCode, string Output, string Error);

namespace OrleansEc2.Grains.Hosting;

/// <summary>
/// The background loop of a grain that works through persisted steps (a bundle task, a migration): at most one run per
/// activation, off the turn that starts it (it interleaves with requests at its awaits), and deactivation stops it and
/// waits for it, so that the next activation resumes from the last persisted step.
/// </summary>
internal sealed class WorkLoop
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _run;

    /// <summary>Cancelled when the activation is deactivating.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Starts <paramref name="run"/> unless the activation is stopping, there is no work, or a run is in progress.</summary>
    public void EnsureRunning(bool hasWork, Func<Task> run)
    {
        if (IsStopping || !hasWork || _run is { IsCompleted: false })
        {
            return;
        }

        _run = RunOffTurnAsync(run);
    }

    /// <summary>Stops the loop and waits for it until <paramref name="cancellationToken"/>; false when it had not stopped by then.</summary>
    public async Task<bool> StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        if (_run is not { } run)
        {
            return true;
        }

        try
        {
            await run.WaitAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            return false;
        }
    }

    private static async Task RunOffTurnAsync(Func<Task> run)
    {
        await Task.Yield();
        await run();
    }
}

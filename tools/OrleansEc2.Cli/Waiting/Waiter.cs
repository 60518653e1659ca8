using OrleansEc2.Cli.Output;
using Spectre.Console;

namespace OrleansEc2.Cli.Waiting;

/// <summary>Where one awaited thing stands: its label, its percentage when it has one, whether it is done or failed.</summary>
internal sealed record WaitStatus(string Label, double? Percent, bool Done, Record Line, string? Failure = null);

/// <summary>
/// <c>--wait</c>: polls until every awaited thing is done. On a terminal it shows a live Spectre progress bar per
/// thing (its state and percentage); otherwise it prints a record line each time one moves (its state or progress
/// changed), so a log or a script sees the same steps. With <c>--json</c> it prints nothing while waiting.
/// </summary>
internal static class Waiter
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Polls <paramref name="poll"/> until every item is done; returns the last items seen. <paramref name="initial"/>
    /// is what was already printed, so an unchanged first poll prints nothing.
    /// </summary>
    public static async Task<IReadOnlyList<T>> WaitAsync<T>(
        CliConsole console,
        RecordOutput output,
        IReadOnlyDictionary<string, WaitStatus> initial,
        Func<CancellationToken, Task<IReadOnlyList<T>>> poll,
        Func<T, (string Key, WaitStatus Status)> describe,
        CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, WaitStatus>(initial, StringComparer.Ordinal);
        if (console.Live is { } live && !output.IsJson)
        {
            IReadOnlyList<T> last = [];
            await live.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                    last = await PollAsync(seen, poll, describe, (key, status) =>
                    {
                        if (!tasks.TryGetValue(key, out var task))
                        {
                            task = context.AddTask(Markup.Escape(status.Label), maxValue: 100);
                            tasks[key] = task;
                        }

                        task.Description = Markup.Escape(status.Label);
                        task.IsIndeterminate = status.Percent is null && !status.Done;
                        task.Value = status.Done ? 100 : status.Percent ?? 0;
                        if (status.Done)
                        {
                            task.StopTask();
                        }
                    }, printInitial: true, cancellationToken);
                });

            // The live display clears itself: what stays is where each thing ended, as the plain lines end.
            foreach (var status in seen.Values)
            {
                output.Progress(status.Line);
            }

            return last;
        }

        return await PollAsync(seen, poll, describe, (_, status) => output.Progress(status.Line), printInitial: false, cancellationToken);
    }

    /// <summary>Polls until all is done; <paramref name="seen"/> starts as what was shown and ends as where each thing ended.</summary>
    private static async Task<IReadOnlyList<T>> PollAsync<T>(
        Dictionary<string, WaitStatus> seen,
        Func<CancellationToken, Task<IReadOnlyList<T>>> poll,
        Func<T, (string Key, WaitStatus Status)> describe,
        Action<string, WaitStatus> moved,
        bool printInitial,
        CancellationToken cancellationToken)
    {
        if (printInitial)
        {
            foreach (var (key, status) in seen)
            {
                moved(key, status);
            }
        }

        var delay = FirstDelay;
        while (true)
        {
            var items = await poll(cancellationToken);
            var allDone = true;
            foreach (var item in items)
            {
                var (key, status) = describe(item);
                if (!seen.TryGetValue(key, out var before) || before.Label != status.Label || before.Percent != status.Percent || before.Done != status.Done)
                {
                    moved(key, status);
                }

                seen[key] = status;
                allDone &= status.Done;
            }

            if (allDone)
            {
                return items;
            }

            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(LongestDelay.Ticks, delay.Ticks * 2));
        }
    }
}

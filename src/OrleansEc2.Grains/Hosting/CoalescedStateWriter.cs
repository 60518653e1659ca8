using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansEc2.Grains.Hosting;

/// <summary>
/// Group commit for a reentrant grain whose state is one record saved whole: every change made while a write is in
/// flight joins the next write, which starts when that one ends and holds every change made before it started. A
/// caller's task completes when a write holding its change is durable, so a grain that answers after it answers only
/// what is saved.
/// </summary>
/// <remarks>
/// One write is in flight at a time (the storage's ETag allows no other). It runs on the thread pool, through the
/// storage itself rather than the grain's <see cref="IPersistentState{TState}"/> (which may only be used on the grain's
/// scheduler): SQLite writes synchronously, so on the grain's own thread it would hold off the very changes it is meant
/// to let gather. What it writes is a copy taken in the grain's turn, as the next turn may be changing the live state
/// meanwhile. The grain reads and changes <see cref="State"/>, the state <paramref name="loaded"/> read on activation.
/// </remarks>
internal sealed class CoalescedStateWriter<TState>(
    IPersistentState<TState> loaded,
    IGrainStorage storage,
    string stateName,
    GrainId grainId,
    DeepCopier<TState> copier)
{
    private string? _etag = loaded.Etag;
    private bool _recordExists = loaded.RecordExists;
    private TaskCompletionSource? _next;
    private bool _writing;

    /// <summary>The grain's live state.</summary>
    public TState State => loaded.State;

    /// <summary>Completes once a write that holds every change made so far is durable; faults if that write fails.</summary>
    public Task WriteAsync()
    {
        if (_next is { } joined)
        {
            return joined.Task;
        }

        var next = _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writing)
        {
            // Takes the copy in this turn, then goes on at the write's awaits, on the grain's scheduler.
            _ = DrainAsync();
        }

        return next.Task;
    }

    private async Task DrainAsync()
    {
        _writing = true;
        try
        {
            while (_next is { } batch)
            {
                _next = null;
                try
                {
                    var written = new GrainState<TState>(copier.Copy(State)) { ETag = _etag, RecordExists = _recordExists };
                    await Task.Run(() => storage.WriteStateAsync(stateName, grainId, written));
                    _etag = written.ETag;
                    _recordExists = true;
                    batch.SetResult();
                }
                catch (Exception e)
                {
                    // Its changes stay in the live state: the next write holds them again.
                    batch.SetException(e);
                }
            }
        }
        finally
        {
            _writing = false;
        }
    }
}

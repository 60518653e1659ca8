using Microsoft.Extensions.Logging;

namespace OrleansEc2.Grains.Hosting;

/// <summary>The silo's <see cref="IFaultInjector"/>: a lock over a dictionary of lists, in memory only.</summary>
public sealed partial class FaultInjector(ILoggerFactory loggers) : IFaultInjector
{
    /// <summary>The most faults one account may have armed at once.</summary>
    public const int MaxFaultsPerAccount = 100;

    /// <summary>
    /// The category of the armed and fired lines: not the class name, which a host's usual <c>"Orleans": "Warning"</c>
    /// filter (a prefix match) would silence.
    /// </summary>
    public const string LogCategory = "Simulator.Faults";

    public const string FaultLimitExceeded = "FaultLimitExceeded";

    private readonly ILogger _logger = loggers.CreateLogger(LogCategory);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Armed>> _byAccount = new(StringComparer.Ordinal);

    // Read without the lock by the hot path: a stale zero only lets a request that raced a POST /_sim/faults through.
    private int _armed;

    public bool HasAny => Volatile.Read(ref _armed) > 0;

    public ActiveFault Add(string accountId, FaultSpec fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(fault.Count, 1);
        lock (_lock)
        {
            if (!_byAccount.TryGetValue(accountId, out var faults))
            {
                faults = [];
                _byAccount[accountId] = faults;
            }

            if (faults.Count >= MaxFaultsPerAccount)
            {
                throw new Ec2Exception(FaultLimitExceeded, $"The account already has {MaxFaultsPerAccount} faults armed, the most allowed; delete some first.");
            }

            var armed = new Armed("fault-" + Ec2Ids.RandomHex(8), fault) { Remaining = fault.Count };
            faults.Add(armed);
            _armed++;
            LogArmed(_logger, armed.FaultId, accountId, fault.Target, fault.Count, fault.Code);
            return armed.ToActive();
        }
    }

    public IReadOnlyList<ActiveFault> List(string accountId)
    {
        lock (_lock)
        {
            return _byAccount.TryGetValue(accountId, out var faults) ? [.. faults.Select(f => f.ToActive())] : [];
        }
    }

    public ActiveFault? Find(string accountId, string faultId)
    {
        lock (_lock)
        {
            return _byAccount.TryGetValue(accountId, out var faults) ? faults.Find(f => f.FaultId == faultId)?.ToActive() : null;
        }
    }

    public ActiveFault? Remove(string accountId, string faultId)
    {
        lock (_lock)
        {
            var index = _byAccount.TryGetValue(accountId, out var faults) ? faults.FindIndex(f => f.FaultId == faultId) : -1;
            if (faults is null || index < 0)
            {
                return null;
            }

            var removed = faults[index].ToActive();
            faults.RemoveAt(index);
            _armed--;
            return removed;
        }
    }

    public IReadOnlyList<ActiveFault> Clear(string accountId)
    {
        lock (_lock)
        {
            if (!_byAccount.Remove(accountId, out var faults))
            {
                return [];
            }

            _armed -= faults.Count;
            return [.. faults.Select(f => f.ToActive())];
        }
    }

    public ActiveFault? TryFire(string accountId, string target, string requestId, string? bucket = null, string? key = null)
    {
        if (!HasAny)
        {
            return null;
        }

        ActiveFault fired;
        lock (_lock)
        {
            var index = _byAccount.TryGetValue(accountId, out var faults) ? faults.FindIndex(f => f.Matches(target, bucket, key)) : -1;
            if (faults is null || index < 0)
            {
                return null;
            }

            var armed = faults[index];
            armed.Remaining--;
            fired = armed.ToActive();
            if (armed.Remaining == 0)
            {
                faults.RemoveAt(index);
                _armed--;
            }
        }

        LogFired(_logger, fired.FaultId, requestId, accountId, target, fired.Spec.Code, fired.Remaining);
        return fired;
    }

    private sealed class Armed(string faultId, FaultSpec spec)
    {
        public string FaultId { get; } = faultId;

        public FaultSpec Spec { get; } = spec;

        public int Remaining { get; set; }

        public bool Matches(string target, string? bucket, string? key) =>
            string.Equals(Spec.Target, target, StringComparison.Ordinal)
            && (Spec.Bucket is null || string.Equals(Spec.Bucket, bucket, StringComparison.Ordinal))
            && (Spec.KeyPrefix is null || (key is not null && key.StartsWith(Spec.KeyPrefix, StringComparison.Ordinal)));

        public ActiveFault ToActive() => new(FaultId, Spec, Remaining);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "FAULT {FaultId} armed: account={AccountId} target={Target} count={Count} code={Code}")]
    private static partial void LogArmed(ILogger logger, string faultId, string accountId, string target, int count, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FAULT {FaultId} fired: request={RequestId} account={AccountId} target={Target} code={Code} remaining={Remaining}")]
    private static partial void LogFired(ILogger logger, string faultId, string requestId, string accountId, string target, string code, int remaining);
}

/// <summary>How a workflow grain consults the faults where a phase or step starts.</summary>
public static class FaultInjectorExtensions
{
    /// <summary>Throws the fault's error as an <see cref="Ec2Exception"/> when one fires for <paramref name="target"/>.</summary>
    public static void ThrowIfFired(this IFaultInjector faults, string accountId, string target, string requestId)
    {
        if (faults.TryFire(accountId, target, requestId) is { } fault)
        {
            throw new Ec2Exception(fault.Spec.Code, fault.Spec.Message);
        }
    }
}

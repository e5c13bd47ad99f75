namespace MetricsCluster.Tests.Shared;

/// <summary>
/// A clock that moves only when told, and whose timers (so <c>Task.Delay(t, provider)</c>) fire when the test
/// advances past them (Microsoft.Extensions.TimeProvider.Testing is not available here).
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;

    public ManualTimeProvider(DateTimeOffset? start = null) => _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public long NowMs => GetUtcNow().ToUnixTimeMilliseconds();

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new ManualTimer(this, callback, state);
        lock (_lock)
        {
            _timers.Add(t);
        }

        t.Change(dueTime, period);
        return t;
    }

    /// <summary>Moves time forward and runs every timer that became due, on the calling thread.</summary>
    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_lock)
        {
            _now += by;
            due = [.. _timers.Where(t => t.Next is { } n && n <= _now)];
            foreach (var t in due)
            {
                t.Next = t.Period > TimeSpan.Zero && t.Period != Timeout.InfiniteTimeSpan ? _now + t.Period : null;
            }
        }

        foreach (var t in due)
        {
            t.Fire();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Next { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._lock)
            {
                Period = period;
                Next = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._lock)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

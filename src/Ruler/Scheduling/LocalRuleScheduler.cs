using MetricsCluster.Core;
using MetricsCluster.Ruler.Evaluation;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Ruler.Scheduling;

/// <summary>
/// The single-process scheduler: one loop per group that waits for each slot and evaluates it (at most once: a slot
/// that passed while the previous evaluation ran is counted as missed, as Prometheus counts it).
/// </summary>
public sealed class LocalRuleScheduler(RuleGroupRuntimes runtimes, TimeProvider time, ILogger<LocalRuleScheduler> log) : IRuleGroupScheduler, IAsyncDisposable
{
    private readonly Dictionary<string, (ScheduledGroup Group, CancellationTokenSource Stop, Task Loop)> _loops = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <inheritdoc/>
    public async Task SyncAsync(IReadOnlyList<ScheduledGroup> groups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(groups);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = groups.ToDictionary(g => g.Key, StringComparer.Ordinal);
            foreach (var (key, loop) in _loops.ToArray())
            {
                if (!wanted.TryGetValue(key, out var g) || g != loop.Group)
                {
                    await StopLoopAsync(key).ConfigureAwait(false);
                    if (g is null)
                    {
                        // Deleted: the next evaluation call finds no definition and marks the group's series stale.
                        await runtimes.EvaluateAsync(key, string.Empty, time.GetUtcNow().ToUnixTimeMilliseconds(), 0, cancellationToken).ConfigureAwait(false);
                        runtimes.Release(key);
                    }
                }
            }

            foreach (var g in groups)
            {
                if (!_loops.ContainsKey(g.Key))
                {
                    var stop = new CancellationTokenSource();
                    _loops[g.Key] = (g, stop, Task.Run(() => RunAsync(g, stop.Token), CancellationToken.None));
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public Task<GroupStatus?> StatusAsync(string key, CancellationToken cancellationToken) => Task.FromResult(runtimes.Status(key));

    /// <inheritdoc/>
    public async Task StopAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (string key in _loops.Keys.ToArray())
            {
                await StopLoopAsync(key).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task StopLoopAsync(string key)
    {
        var (_, stop, loop) = _loops[key];
        _loops.Remove(key);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while evaluating.
        }

        stop.Dispose();
    }

    private async Task RunAsync(ScheduledGroup g, CancellationToken cancellationToken)
    {
        long last = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            long now = time.GetUtcNow().ToUnixTimeMilliseconds();
            long next = EvaluationSlots.Next(now, g.IntervalMs, g.OffsetMs);
            await Task.Delay(TimeSpan.FromMilliseconds(next - now), time, cancellationToken).ConfigureAwait(false);
            long slot = EvaluationSlots.Latest(time.GetUtcNow().ToUnixTimeMilliseconds(), g.IntervalMs, g.OffsetMs);
            if (slot <= last)
            {
                continue;
            }

            long missed = EvaluationSlots.Missed(last, slot, g.IntervalMs);
            last = slot;
            try
            {
                await runtimes.EvaluateAsync(g.Key, g.Fingerprint, slot, missed, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "ruler: evaluation of rule group {Group} failed", g.Key);
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using MetricsCluster.Ruler.Evaluation;

namespace MetricsCluster.Ruler.Scheduling;

/// <summary>
/// The groups this process evaluates, by key: the one evaluation path both schedulers call (the group grains in a
/// cluster, the local loop in one process). A group's runtime is created at its first evaluation here (and then
/// restores its alerts' state), replaced with its state carried over when its definition changes, and dropped when
/// its scheduler lets it go.
/// </summary>
public sealed class RuleGroupRuntimes(RuleDefinitions definitions, RuleGroupServices services)
{
    private readonly ConcurrentDictionary<string, GroupRuntime> _runtimes = new(StringComparer.Ordinal);
    private volatile bool _stopped;

    /// <summary>
    /// The process is stopping: slots that come now are skipped (their output would go to a distributor that is
    /// stopping; the next owner counts them as missed).
    /// </summary>
    public void Stop() => _stopped = true;

    /// <summary>Evaluates the group at a slot; false when it no longer exists.</summary>
    public async Task<bool> EvaluateAsync(string key, string fingerprint, long slotMs, long missed, CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return true;
        }

        var def = await definitions.GetAsync(key, fingerprint, cancellationToken).ConfigureAwait(false);
        if (def is not { } d)
        {
            if (_runtimes.TryRemove(key, out var gone))
            {
                await gone.MarkAllStaleAsync(slotMs, cancellationToken).ConfigureAwait(false);
            }

            return false;
        }

        var runtime = _runtimes.AddOrUpdate(
            key,
            _ => new GroupRuntime(d.Group, d.Fingerprint, services),
            (_, old) => old.Fingerprint == d.Fingerprint ? old : GroupRuntime.Replacing(old, d.Group, d.Fingerprint, services));
        await runtime.EvaluateAsync(slotMs, missed, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The group's state as JSON (for a grain to hand over), or null when not evaluated here.</summary>
    public string? StatusJson(string key) =>
        _runtimes.TryGetValue(key, out var r) ? JsonSerializer.Serialize(r.Status()) : null;

    /// <summary>The group's state, or null when not evaluated here.</summary>
    public GroupStatus? Status(string key) => _runtimes.TryGetValue(key, out var r) ? r.Status() : null;

    /// <summary>Forgets the group's state (it moved away or was deleted).</summary>
    public void Release(string key) => _runtimes.TryRemove(key, out _);

    /// <summary>Reads a status handed over as JSON.</summary>
    public static GroupStatus? ParseStatus(string? json) => json is null ? null : JsonSerializer.Deserialize<GroupStatus>(json);
}

namespace MetricsCluster.Core;

/// <summary>
/// A rule group's evaluation slots: every interval, at a fixed offset within it (Prometheus' <c>Group.EvalTimestamp</c>),
/// so evaluations land at the same wall-clock times however often and wherever the group is (re)started.
/// </summary>
public static class EvaluationSlots
{
    /// <summary>The latest slot at or before <paramref name="nowMs"/>.</summary>
    public static long Latest(long nowMs, long intervalMs, long offsetMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(intervalMs);
        long adjusted = nowMs - offsetMs;
        long rem = adjusted % intervalMs;
        if (rem < 0)
        {
            rem += intervalMs;
        }

        return adjusted - rem + offsetMs;
    }

    /// <summary>The first slot strictly after <paramref name="nowMs"/>.</summary>
    public static long Next(long nowMs, long intervalMs, long offsetMs) => Latest(nowMs, intervalMs, offsetMs) + intervalMs;

    /// <summary>
    /// Slots skipped between the last evaluated one and <paramref name="slotMs"/> (Prometheus'
    /// <c>rule_group_iterations_missed_total</c>); 0 when nothing was evaluated yet.
    /// </summary>
    public static long Missed(long lastSlotMs, long slotMs, long intervalMs) =>
        lastSlotMs <= 0 || slotMs <= lastSlotMs ? 0 : ((slotMs - lastSlotMs) / intervalMs) - 1;
}

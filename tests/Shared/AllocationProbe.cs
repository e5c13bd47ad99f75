namespace MetricsCluster.Tests.Shared;

/// <summary>
/// Measures steady-state allocation of an action on the current thread. One-off runtime work (tier-up,
/// type loading) can land in a single window when the machine is busy, so the action runs in several
/// windows and the smallest is returned: a per-call allocation shows in every window.
/// </summary>
internal static class AllocationProbe
{
    internal static long MinAllocated(Action action, int windows = 3)
    {
        long min = long.MaxValue;
        for (int w = 0; w < windows; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            min = Math.Min(min, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return min;
    }
}

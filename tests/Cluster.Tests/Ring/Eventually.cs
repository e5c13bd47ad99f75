using System.Diagnostics;

namespace MetricsCluster.Cluster.Tests.Ring;

/// <summary>Polling helpers: generous deadlines, no fixed sleeps (the machine is slow and shared).</summary>
internal static class Eventually
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/>, calling <paramref name="step"/> (e.g. advance a manual clock) between polls.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, Action? step = null)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > s_deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            step?.Invoke();
            await Task.Delay(20);
        }
    }

    /// <summary>Async variant.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, Action? step = null)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.Elapsed > s_deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            step?.Invoke();
            await Task.Delay(20);
        }
    }
}

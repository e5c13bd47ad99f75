namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Waits on a condition another process makes true (shipping, syncing), by polling with a generous deadline.</summary>
public static class Poll
{
    /// <summary>Polls <paramref name="condition"/> until it returns null; throws with its last answer after <paramref name="timeout"/>.</summary>
    /// <param name="condition">Null when satisfied, else why not yet (kept for the failure message).</param>
    /// <param name="timeout">The deadline; generous, because the machine is shared and slow.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    public static async Task UntilAsync(Func<Task<string?>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            string? notYet = await condition();
            if (notYet is null)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} not reached within {timeout}: {notYet}");
            }

            // Polling a barrier in another process (its timers run on their own schedule).
            await Task.Delay(250);
        }
    }
}

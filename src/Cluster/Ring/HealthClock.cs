namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// The time a ring client judges heartbeats against. While the store answers it is "now"; when the store stops
/// answering nobody's heartbeat can advance, so it freezes at the last successful refresh plus a slack instead of
/// declaring every instance dead after the heartbeat timeout. When the store answers again it catches up with now at
/// twice real time, so instances get time to write a fresh heartbeat before stale ones are judged (docs/ring.md).
/// </summary>
/// <param name="LastRefresh">The last successful refresh; <see cref="DateTimeOffset.MinValue"/> before the first.</param>
/// <param name="CatchUpFrom">The reference time when the store answered again after an outage.</param>
/// <param name="RecoveredAt">When the store answered again after an outage; MinValue when there was none.</param>
internal readonly record struct HealthClock(DateTimeOffset LastRefresh, DateTimeOffset CatchUpFrom, DateTimeOffset RecoveredAt)
{
    /// <summary>A clock that has never refreshed.</summary>
    public static HealthClock Never { get; } = new(DateTimeOffset.MinValue, DateTimeOffset.MinValue, DateTimeOffset.MinValue);

    /// <summary>Whether the last refresh is within <paramref name="slack"/> of <paramref name="now"/>.</summary>
    public bool IsFresh(DateTimeOffset now, TimeSpan slack) => LastRefresh != DateTimeOffset.MinValue && now - LastRefresh <= slack;

    /// <summary>The health reference time at <paramref name="now"/>: never later than now, never decreasing.</summary>
    public DateTimeOffset ReferenceTime(DateTimeOffset now, TimeSpan slack)
    {
        if (LastRefresh == DateTimeOffset.MinValue)
        {
            return now;
        }

        DateTimeOffset reference = Min(now, LastRefresh + slack);
        if (RecoveredAt != DateTimeOffset.MinValue)
        {
            reference = Min(reference, CatchUpFrom + ((now - RecoveredAt) * 2));
        }

        return reference;
    }

    /// <summary>The clock after a successful refresh at <paramref name="now"/>.</summary>
    public HealthClock Refreshed(DateTimeOffset now, TimeSpan slack)
    {
        if (LastRefresh != DateTimeOffset.MinValue && now - LastRefresh > slack)
        {
            // The store was unreachable: start catching up from where the reference stood, so it never jumps.
            return new HealthClock(now, ReferenceTime(now, slack), now);
        }

        return this with { LastRefresh = now };
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

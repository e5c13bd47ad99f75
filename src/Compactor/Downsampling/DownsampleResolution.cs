namespace MetricsCluster.Compactor.Downsampling;

/// <summary>
/// Thanos' downsampling levels and when a block qualifies for the next one (<c>pkg/compact/downsample</c>
/// <c>ResLevel*</c>, <c>ResLevel*DownsampleRange</c>): a raw block spanning at least 40h becomes a 5m block, a 5m
/// block spanning at least 10d becomes a 1h block. Shorter blocks would give aggregate chunks of a few windows each,
/// which compress worse than the raw data they replace.
/// </summary>
public static class DownsampleResolution
{
    /// <summary>Raw data, <c>thanos.downsample.resolution</c> 0.</summary>
    public const long Raw = 0;

    /// <summary>Five-minute windows, in ms.</summary>
    public const long FiveMinutes = 5 * 60 * 1000;

    /// <summary>One-hour windows, in ms.</summary>
    public const long OneHour = 60 * 60 * 1000;

    /// <summary>The span a raw block needs before it is downsampled to 5m: 40h, in ms.</summary>
    public const long FiveMinutesMinRange = 40L * 60 * 60 * 1000;

    /// <summary>The span a 5m block needs before it is downsampled to 1h: 10d, in ms.</summary>
    public const long OneHourMinRange = 10L * 24 * 60 * 60 * 1000;

    /// <summary>The resolution a block of <paramref name="resolution"/> spanning <paramref name="rangeMs"/> is downsampled to next, or null.</summary>
    public static long? Next(long resolution, long rangeMs) => resolution switch
    {
        Raw when rangeMs >= FiveMinutesMinRange => FiveMinutes,
        FiveMinutes when rangeMs >= OneHourMinRange => OneHour,
        _ => null,
    };

    /// <summary>
    /// The end (inclusive, ms) of the window of <paramref name="resolution"/> holding <paramref name="t"/>: the last
    /// millisecond before the next aligned boundary, where Thanos stamps a window's aggregates (its <c>currentWindow</c>).
    /// </summary>
    public static long WindowEnd(long t, long resolution) => t - (((t % resolution) + resolution) % resolution) + resolution - 1;
}

namespace MetricsCluster.Core;

/// <summary>Prometheus' staleness marker: a NaN with one exact bit pattern (value.StaleNaN).</summary>
public static class StaleMarker
{
    /// <summary>The bit pattern of the marker.</summary>
    public const long Bits = 0x7ff0000000000002;

    /// <summary>Gets the marker value.</summary>
    public static double Value { get; } = BitConverter.Int64BitsToDouble(Bits);

    /// <summary>Whether <paramref name="v"/> is the marker (not just any NaN).</summary>
    public static bool Is(double v) => BitConverter.DoubleToInt64Bits(v) == Bits;
}

namespace MetricsCluster.Core;

/// <summary>FNV-1a hashes; the 32-bit form is what Mimir uses to place series on the ring.</summary>
public static class Fnv1a
{
    /// <summary>The 32-bit FNV offset basis.</summary>
    public const uint Offset32 = 2166136261;

    /// <summary>Continues a 32-bit FNV-1a hash over <paramref name="data"/>.</summary>
    public static uint Add32(uint h, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            h ^= b;
            h *= 16777619;
        }

        return h;
    }
}

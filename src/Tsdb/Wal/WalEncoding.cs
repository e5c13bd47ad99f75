using System.Runtime.CompilerServices;

namespace MetricsCluster.Tsdb.Wal;

/// <summary>Varint writers into a span (Go binary.PutUvarint / PutVarint).</summary>
internal static class WalEncoding
{
    /// <summary>Longest uvarint of a 64-bit value.</summary>
    public const int MaxVarintLength = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PutUvarint(Span<byte> dst, ulong v)
    {
        int i = 0;
        while (v >= 0x80)
        {
            dst[i++] = (byte)(v | 0x80);
            v >>= 7;
        }

        dst[i++] = (byte)v;
        return i;
    }

    /// <summary>Zig-zag then uvarint, so small negative deltas stay short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PutVarint(Span<byte> dst, long v) => PutUvarint(dst, (ulong)((v << 1) ^ (v >> 63)));
}

using System.Runtime.CompilerServices;

namespace MetricsCluster.Core;

/// <summary>Varint writers into a span (Go's binary.PutUvarint / PutVarint), shared by every encoder.</summary>
public static class Varint
{
    /// <summary>Longest uvarint of a 64-bit value.</summary>
    public const int MaxLength = 10;

    /// <summary>Writes <paramref name="v"/> as an unsigned LEB128 varint; returns the bytes written.</summary>
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

    /// <summary>Bytes <see cref="PutUvarint"/> needs for <paramref name="v"/>.</summary>
    public static int UvarintSize(ulong v)
    {
        int n = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            n++;
        }

        return n;
    }
}

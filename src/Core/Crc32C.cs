using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace MetricsCluster.Core;

/// <summary>
/// CRC-32 Castagnoli (reflected polynomial 0x82F63B78), as used by the Prometheus WAL, chunks and
/// index. Uses the SSE4.2 / ARMv8 CRC32C instructions where present and a slicing table otherwise
/// (G13). Note: System.IO.Hashing.Crc32 is the IEEE polynomial and would be wrong here.
/// </summary>
public static class Crc32C
{
    private static readonly uint[] s_table = BuildTable();

    /// <summary>Computes the CRC32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC32C over more data; start with 0.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        int i = 0;
        if (Sse42.X64.IsSupported)
        {
            ulong c64 = c;
            for (; i + 8 <= data.Length; i += 8)
            {
                c64 = Sse42.X64.Crc32(c64, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i)));
            }

            c = (uint)c64;
            for (; i < data.Length; i++)
            {
                c = Sse42.Crc32(c, data[i]);
            }

            return ~c;
        }

        if (Crc32.Arm64.IsSupported)
        {
            for (; i + 8 <= data.Length; i += 8)
            {
                c = Crc32.Arm64.ComputeCrc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i)));
            }

            for (; i < data.Length; i++)
            {
                c = Crc32.ComputeCrc32C(c, data[i]);
            }

            return ~c;
        }

        return ~AppendTable(c, data);
    }

    /// <summary>The portable path; public to the tests so both paths are checked.</summary>
    internal static uint ComputeWithTable(ReadOnlySpan<byte> data) => ~AppendTable(~0u, data);

    private static uint AppendTable(uint c, ReadOnlySpan<byte> data)
    {
        uint[] t = s_table;
        foreach (byte b in data)
        {
            c = t[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c;
    }

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            }

            t[n] = c;
        }

        return t;
    }
}

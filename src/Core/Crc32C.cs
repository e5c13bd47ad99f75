using System.IO.Hashing;

namespace MetricsCluster.Core;

/// <summary>
/// CRC-32 Castagnoli (reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF), as used by the
/// Prometheus WAL, chunks and index (G13). A thin wrapper over <see cref="Crc32"/> with
/// <see cref="Crc32ParameterSet.Crc32C"/> (System.IO.Hashing 11), which is vectorised for long inputs; the plain
/// <see cref="Crc32.HashToUInt32(ReadOnlySpan{byte})"/> is the IEEE polynomial and would be wrong here.
/// </summary>
public static class Crc32C
{
    /// <summary>Computes the CRC32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);

    /// <summary>
    /// A new incremental CRC32C (<see cref="Crc32.Append"/>, then <see cref="Crc32.GetCurrentHashAsUInt32"/>) for data
    /// that is not contiguous. Not thread-safe; a writer keeps one and calls <see cref="Crc32.Reset"/> per record.
    /// </summary>
    public static Crc32 CreateIncremental() => new(Crc32ParameterSet.Crc32C);
}

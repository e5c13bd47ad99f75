namespace MetricsCluster.Core;

/// <summary>
/// XXH64 (Yann Collet's xxHash, 64-bit variant), the stable label hash behind ring tokens and shard keys (G13).
/// A thin wrapper over <see cref="System.IO.Hashing.XxHash64"/>, kept so the many callers (and the seed
/// convention: an unsigned seed, 0 by default) stay as they are. The values are those of the hand-written
/// implementation this replaced; the tests pin them with known vectors.
/// </summary>
public static class XxHash64
{
    /// <summary>Hashes <paramref name="data"/> with the given seed.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = 0) =>
        System.IO.Hashing.XxHash64.HashToUInt64(data, unchecked((long)seed));
}

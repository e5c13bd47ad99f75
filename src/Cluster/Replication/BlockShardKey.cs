using System.Buffers.Binary;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Cluster.Replication;

/// <summary>
/// The ring key of a block for store-gateway sharding: <see cref="ShardKey.ForBlock"/> over the ULID's 16 binary
/// bytes (48-bit big-endian time, then the 80 random bits), as Mimir hashes the block ID. The querier and every
/// store-gateway must compute it identically, so both go through here.
/// </summary>
public static class BlockShardKey
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>The ring key of <paramref name="block"/>.</summary>
    public static uint Of(Ulid block)
    {
        Span<byte> bytes = stackalloc byte[16];
        Write(block, bytes);
        return ShardKey.ForBlock(bytes);
    }

    /// <summary>Writes the 16 binary bytes of <paramref name="block"/> (decoded from its 26 base32 characters).</summary>
    internal static void Write(Ulid block, Span<byte> destination)
    {
        // Ulid exposes only its text form; 26 × 5 = 130 bits, of which the first two are always zero.
        UInt128 v = 0;
        foreach (char c in block.ToString())
        {
            v = (v << 5) | (uint)Alphabet.IndexOf(c, StringComparison.Ordinal);
        }

        BinaryPrimitives.WriteUInt128BigEndian(destination, v);
    }
}

using System.Globalization;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// One chunk of one block: tenant, block and chunk ref (segment in the high 32 bits, byte offset in the low 32). One
/// entry per chunk rather than Mimir's 16000-byte subranges of the segment file: our chunks are a few hundred
/// bytes and a selective query reads a few of them per segment, so a subrange entry would hold (and memcached
/// move) tens of times the bytes asked for; a chunk's record is exact and immutable.
/// </summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Block">The block.</param>
/// <param name="Ref">The chunk ref.</param>
public readonly record struct ChunkCacheKey(string Tenant, Ulid Block, ulong Ref)
{
    /// <summary>
    /// The memcached key: <c>chunk:&lt;tenant&gt;/&lt;ULID&gt;/chunks/&lt;segment&gt;:&lt;offset&gt;</c>, the object
    /// key and byte offset as Mimir's subrange keys name them. Tenant ids are at most 150 printable characters
    /// without spaces, so the key stays under memcached's 250 bytes.
    /// </summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"chunk:{Tenant}/{Block}/chunks/{(Ref >> 32) + 1:D6}:{Ref & 0xFFFF_FFFF}");
}

using MetricsCluster.ObjectStore;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// Builds a block's <see cref="IndexHeader"/> with ranged reads of its <c>index</c> object (Mimir
/// <c>indexheader.WriteBinary</c>): the object size, then the TOC (last 52 bytes), then the header and symbol table
/// together (<c>[0, TOC.series)</c>), then the postings offset table (<c>[TOC.postings_table, TOC)</c>). That is one
/// attributes call and three range reads; postings lists and series entries are not read.
/// </summary>
internal static class IndexHeaderBuilder
{
    /// <summary>Builds the header of the block at <paramref name="indexKey"/>.</summary>
    /// <exception cref="BlockCorruptionException">The index is not a valid v2/v3 index.</exception>
    public static async Task<IndexHeader> BuildAsync(IBucket bucket, string indexKey, CancellationToken cancellationToken)
    {
        long size = (await bucket.AttributesAsync(indexKey, cancellationToken).ConfigureAwait(false)).Size;
        if (size < IndexReader.HeaderSize + IndexToc.Size)
        {
            throw new BlockCorruptionException(indexKey, "TOC", 0, $"object is {size} bytes, shorter than header and TOC");
        }

        long tocAt = size - IndexToc.Size;
        var toc = IndexToc.ReadAt(await ReadAsync(bucket, indexKey, tocAt, IndexToc.Size, cancellationToken).ConfigureAwait(false), tocAt, indexKey);
        if (toc.Symbols < IndexReader.HeaderSize || toc.Series < toc.Symbols || toc.PostingsTable < toc.Series)
        {
            throw new BlockCorruptionException(indexKey, "TOC", tocAt, $"sections out of order: symbols {toc.Symbols}, series {toc.Series}, postings table {toc.PostingsTable}");
        }

        var start = await ReadAsync(bucket, indexKey, 0, (long)toc.Series, cancellationToken).ConfigureAwait(false);
        int version = CheckIndexHeader(start, indexKey);
        var postingsTable = await ReadAsync(bucket, indexKey, (long)toc.PostingsTable, tocAt - (long)toc.PostingsTable, cancellationToken).ConfigureAwait(false);
        return IndexHeader.FromIndexSections(version, start.AsSpan((int)toc.Symbols), (long)toc.Symbols, postingsTable, (long)toc.PostingsTable, indexKey);
    }

    private static int CheckIndexHeader(byte[] start, string indexKey)
    {
        if (start.Length < IndexReader.HeaderSize || System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(start) != IndexReader.Magic)
        {
            throw new BlockCorruptionException(indexKey, "header", 0, $"not an index (magic 0x{IndexReader.Magic:X8} expected)");
        }

        if (start[4] is not (2 or 3))
        {
            throw new BlockCorruptionException(indexKey, "header", 4, $"unsupported index format version {start[4]}; supported: 2, 3");
        }

        return start[4];
    }

    private static async Task<byte[]> ReadAsync(IBucket bucket, string key, long offset, long length, CancellationToken cancellationToken)
    {
        var stream = await bucket.GetRangeAsync(key, offset, length, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buf = new byte[length];
            await stream.ReadExactlyAsync(buf, cancellationToken).ConfigureAwait(false);
            return buf;
        }
    }
}

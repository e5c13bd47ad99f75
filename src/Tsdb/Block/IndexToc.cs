using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// The table of contents at the end of an index file (Prometheus <c>index.TOC</c>): six BE64 section offsets
/// and a BE32 CRC32C of those 48 bytes. Format in <c>docs/format/index.md</c>; how it is validated in
/// <c>docs/format/reading.md</c>.
/// </summary>
/// <param name="Symbols">Offset of the symbol table.</param>
/// <param name="Series">Offset right after the symbol table, where series entries begin.</param>
/// <param name="LabelIndices">Deprecated label indices (equal to <paramref name="Postings"/> in v2 files).</param>
/// <param name="LabelIndicesTable">Deprecated label offset table (equal to <paramref name="PostingsTable"/>).</param>
/// <param name="Postings">Offset right after the last series, where postings lists begin.</param>
/// <param name="PostingsTable">Offset of the postings offset table.</param>
public readonly record struct IndexToc(ulong Symbols, ulong Series, ulong LabelIndices, ulong LabelIndicesTable, ulong Postings, ulong PostingsTable)
{
    /// <summary>Size of the TOC on disk: 6 × 8 offset bytes + 4 CRC bytes.</summary>
    public const int Size = (6 * 8) + 4;

    /// <summary>Reads and checks the TOC from the last <see cref="Size"/> bytes of <paramref name="index"/>.</summary>
    /// <exception cref="BlockCorruptionException">The file is too short, the CRC differs or an offset is past the end.</exception>
    public static IndexToc Read(ReadOnlySpan<byte> index, string file)
    {
        long at = index.Length - Size;
        if (at < 0)
        {
            throw new BlockCorruptionException(file, "TOC", 0, $"file is {index.Length} bytes, shorter than the {Size}-byte TOC");
        }

        return ReadAt(index[(int)at..], at, file);
    }

    /// <summary>
    /// Reads and checks a TOC given as its own <see cref="Size"/> bytes found at <paramref name="at"/>, the index
    /// length minus <see cref="Size"/> (a ranged read of the end of the index object).
    /// </summary>
    /// <exception cref="BlockCorruptionException">The bytes are too short, the CRC differs or an offset is past the TOC.</exception>
    public static IndexToc ReadAt(ReadOnlySpan<byte> tocBytes, long at, string file)
    {
        var d = new ByteDecoder(tocBytes, at, file, "TOC");
        var toc = new IndexToc(d.ReadBE64(), d.ReadBE64(), d.ReadBE64(), d.ReadBE64(), d.ReadBE64(), d.ReadBE64());
        uint stored = d.ReadBE32();
        uint actual = Crc32C.Compute(tocBytes[..48]);
        if (stored != actual)
        {
            d.Fail(at + 48, $"CRC32C mismatch: stored 0x{stored:x8}, computed 0x{actual:x8}");
        }

        foreach (ulong off in (ReadOnlySpan<ulong>)[toc.Symbols, toc.Series, toc.Postings, toc.PostingsTable])
        {
            if (off > (ulong)at)
            {
                d.Fail(at, $"section offset {off} points past the TOC at {at}");
            }
        }

        return toc;
    }
}

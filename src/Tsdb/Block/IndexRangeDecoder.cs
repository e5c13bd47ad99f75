using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// Decodes single entries of a block's files from byte ranges read out of object storage (Thanos/Mimir
/// <c>bucketIndexReader</c>): postings lists and chunk metas of the <c>index</c> (layout in
/// <c>docs/format/index.md</c>) and chunks of a <c>chunks/NNNNNN</c> segment (<c>docs/format/chunks.md</c>).
/// A range read by estimate may be too short; the <c>*Size</c> methods tell how many bytes an entry needs so the
/// caller can read again. Every entry's CRC32C is checked; errors name the file and the absolute byte offset.
/// </summary>
public static class IndexRangeDecoder
{
    /// <summary>Bytes a CRC32C trailer takes.</summary>
    private const int CrcSize = 4;

    /// <summary>
    /// Total size of the series entry starting at <paramref name="bytes"/>[0] (uvarint length, content, CRC), or
    /// -1 when <paramref name="bytes"/> is too short to hold the length.
    /// </summary>
    public static long SeriesEntrySize(ReadOnlySpan<byte> bytes) =>
        TryUvarint(bytes, out ulong len, out int n) ? n + (long)Math.Min(len, int.MaxValue) + CrcSize : -1;

    /// <summary>
    /// Total size of the chunk starting at <paramref name="bytes"/>[0] (uvarint data length, encoding byte, data,
    /// CRC), or -1 when <paramref name="bytes"/> is too short to hold the length.
    /// </summary>
    public static long ChunkSize(ReadOnlySpan<byte> bytes) =>
        TryUvarint(bytes, out ulong len, out int n) ? n + 1 + (long)Math.Min(len, int.MaxValue) + CrcSize : -1;

    /// <summary>Decodes the postings list starting at <paramref name="bytes"/>[0] (index offset <paramref name="offset"/>).</summary>
    /// <exception cref="BlockCorruptionException">The list is truncated, fails its CRC, or its refs do not ascend.</exception>
    public static ulong[] DecodePostings(ReadOnlySpan<byte> bytes, long offset, string file)
    {
        var d = new ByteDecoder(bytes, offset, file, "postings list");
        uint len = d.ReadBE32();
        long contentAt = d.Offset;
        var content = d.ReadBytes(checked((int)Math.Min(len, int.MaxValue)), "content");
        CheckCrc(ref d, content, contentAt);
        var c = new ByteDecoder(content, contentAt, file, "postings list");
        uint count = c.ReadBE32();
        if ((ulong)c.Remaining != 4UL * count)
        {
            c.Fail(c.Offset - 4, $"count {count} needs {4UL * count} bytes, list has {c.Remaining}");
        }

        var refs = new ulong[count];
        for (int i = 0; i < refs.Length; i++)
        {
            refs[i] = c.ReadBE32();
            if (i > 0 && refs[i] <= refs[i - 1])
            {
                c.Fail(c.Offset - 4, $"series refs not strictly ascending ({refs[i - 1]} then {refs[i]})");
            }
        }

        return refs;
    }

    /// <summary>
    /// Decodes the chunk starting at <paramref name="bytes"/>[0] (segment offset <paramref name="offset"/>) after
    /// checking the CRC32C over its encoding byte and data.
    /// </summary>
    /// <returns>The encoding and a slice of <paramref name="bytes"/> holding the chunk data.</returns>
    /// <exception cref="BlockCorruptionException">The chunk is truncated or fails its CRC.</exception>
    public static (byte Encoding, ReadOnlyMemory<byte> Data) DecodeChunk(ReadOnlyMemory<byte> bytes, long offset, string file)
    {
        var d = new ByteDecoder(bytes.Span, offset, file, "chunk");
        int len = d.ReadUvarintInt32("chunk data length");
        int encAt = d.Position;
        byte encoding = d.ReadByte();
        d.ReadBytes(len, "chunk data");
        long crcAt = d.Offset;
        uint stored = d.ReadBE32();
        uint actual = Crc32C.Compute(bytes.Span.Slice(encAt, 1 + len));
        if (stored != actual)
        {
            d.Fail(crcAt, $"CRC32C mismatch: stored 0x{stored:x8}, computed 0x{actual:x8}");
        }

        return (encoding, bytes.Slice(encAt + 1, len));
    }

    /// <summary>
    /// The body of a symbol table after its length: a BE32 count, then uvarint-length-prefixed UTF-8 strings. Returns
    /// the strings and each one's offset (in the decoder's offsets, which include its base) and length.
    /// </summary>
    internal static (string[] Symbols, (int Offset, int Length)[] Bytes) DecodeSymbols(ref ByteDecoder d)
    {
        var strings = new List<string>();
        var bytes = DecodeSymbols(ref d, strings);
        return ([.. strings], bytes);
    }

    /// <summary>
    /// The symbols' byte ranges only: a reader that decodes labels from those ranges needs no string per symbol (a
    /// block of a million series has over a million symbols).
    /// </summary>
    internal static (int Offset, int Length)[] DecodeSymbolRanges(ref ByteDecoder d) => DecodeSymbols(ref d, strings: null);

    private static (int Offset, int Length)[] DecodeSymbols(ref ByteDecoder d, List<string>? strings)
    {
        uint count = d.ReadBE32();
        if (count > (uint)d.Remaining)
        {
            d.Fail(d.Offset - 4, $"symbol count {count} exceeds the {d.Remaining} bytes of the table");
        }

        var bytes = new (int, int)[count];
        for (int i = 0; i < count; i++)
        {
            var s = d.ReadUvarintBytes("symbol");
            strings?.Add(System.Text.Encoding.UTF8.GetString(s));
            bytes[i] = ((int)(d.Offset - s.Length), s.Length);
        }

        return bytes;
    }

    /// <summary>Reads the BE32 CRC32C after <paramref name="content"/> and compares.</summary>
    internal static void CheckCrc(ref ByteDecoder d, ReadOnlySpan<byte> content, long contentAt)
    {
        long crcAt = d.Offset;
        uint stored = d.ReadBE32();
        uint actual = Crc32C.Compute(content);
        if (stored != actual)
        {
            d.Fail(crcAt, $"CRC32C mismatch over {content.Length} bytes from {contentAt}: stored 0x{stored:x8}, computed 0x{actual:x8}");
        }
    }

    /// <summary>
    /// The label pairs of a series entry: a count, then (name, value) symbol references resolved through
    /// <paramref name="symbolBytes"/> (each symbol's offset and length in <paramref name="symbolArea"/>).
    /// </summary>
    internal static Labels DecodeLabels(ref ByteDecoder c, ReadOnlySpan<byte> symbolArea, (int Offset, int Length)[] symbolBytes)
    {
        int n = c.ReadUvarintInt32("label count");
        var buf = new ValueBuffer(64);
        try
        {
            for (int i = 0; i < n; i++)
            {
                long at = c.Offset;
                ulong name = c.ReadUvarint();
                ulong value = c.ReadUvarint();
                if (name >= (ulong)symbolBytes.Length || value >= (ulong)symbolBytes.Length)
                {
                    c.Fail(at, $"symbol ref ({name}, {value}) out of range; the table has {symbolBytes.Length} symbols");
                }

                var (no, nl) = symbolBytes[name];
                var (vo, vl) = symbolBytes[value];
                LabelsEncoding.WritePair(ref buf, symbolArea.Slice(no, nl), symbolArea.Slice(vo, vl));
            }

            return Labels.FromEncoded(buf.Written);
        }
        finally
        {
            buf.Dispose();
        }
    }

    /// <summary>Chunk metas of a series entry: the first absolute, the rest deltas (Prometheus' <c>Decoder.Series</c>).</summary>
    internal static void DecodeChunkMetas(ref ByteDecoder c, List<ChunkMeta> chunks)
    {
        int k = c.ReadUvarintInt32("chunk count");
        if (k == 0)
        {
            return;
        }

        long t0 = c.ReadVarint();
        long maxt = (long)c.ReadUvarint() + t0;
        long refValue = (long)c.ReadUvarint();
        chunks.Add(new ChunkMeta(t0, maxt, (ulong)refValue));
        t0 = maxt;
        for (int i = 1; i < k; i++)
        {
            long mint = (long)c.ReadUvarint() + t0;
            maxt = (long)c.ReadUvarint() + mint;
            refValue += c.ReadVarint();
            chunks.Add(new ChunkMeta(mint, maxt, (ulong)refValue));
            t0 = maxt;
        }

        if (c.Remaining != 0)
        {
            c.Fail(c.Offset, $"{c.Remaining} bytes after the last of {k} chunk metas");
        }
    }

    /// <summary>A uvarint without failing: false when the bytes end inside it (or it is over-long).</summary>
    private static bool TryUvarint(ReadOnlySpan<byte> bytes, out ulong value, out int length)
    {
        value = 0;
        for (int i = 0; i < bytes.Length && i < 10; i++)
        {
            value |= (ulong)(bytes[i] & 0x7F) << (7 * i);
            if (bytes[i] < 0x80)
            {
                length = i + 1;
                return true;
            }
        }

        length = 0;
        return false;
    }
}

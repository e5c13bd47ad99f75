using System.Buffers.Binary;
using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// The part of a block's <c>index</c> needed to answer matchers without the index itself (Mimir's binary
/// index-header, version 1): the symbol table and the postings offset table, byte-for-byte copies of the index's
/// sections, plus where the postings offset table starts in the index. Byte layout in
/// <c>docs/format/index-header.md</c>. Postings lists and series entries stay in the index and are read by
/// byte range (<see cref="IndexRangeDecoder"/>). Immutable and thread-safe once built.
/// </summary>
public sealed class IndexHeader
{
    /// <summary>Magic number at the start of an index-header file (Mimir <c>MagicIndex</c>).</summary>
    public const uint Magic = 0xBAAAD792;

    /// <summary>The index-header format version written (Mimir <c>BinaryFormatV1</c>).</summary>
    public const byte FormatVersion = 1;

    /// <summary>The file name under the block's local directory.</summary>
    public const string FileName = "index-header";

    /// <summary>Header bytes: BE32 magic, format version, index version, BE64 postings offset table offset.</summary>
    public const int FileHeaderSize = 4 + 1 + 1 + 8;

    /// <summary>Trailer bytes: BE64 symbols offset, BE64 postings offset table offset (both in this file), BE32 CRC32C.</summary>
    public const int FileTocSize = 8 + 8 + 4;

    private readonly byte[] _symbolsSection;
    private readonly byte[] _postingsSection;
    private readonly string[] _symbols;
    private readonly (int Offset, int Length)[] _symbolBytes;
    private readonly string[] _labelNames;
    private readonly Dictionary<string, Entries> _postings;

    private IndexHeader(int indexVersion, long postingsTableOffset, byte[] symbolsSection, byte[] postingsSection, string file)
    {
        IndexVersion = indexVersion;
        PostingsTableOffset = postingsTableOffset;
        _symbolsSection = symbolsSection;
        _postingsSection = postingsSection;
        (_symbols, _symbolBytes) = ReadSymbols(symbolsSection, file);
        (_labelNames, _postings, PostingsStart) = ReadPostingsTable(postingsSection, postingsTableOffset, file);
    }

    /// <summary>Format version of the index the header was built from (2 or 3).</summary>
    public int IndexVersion { get; }

    /// <summary>Offset of the postings offset table in the index; the last postings list ends before it.</summary>
    public long PostingsTableOffset { get; }

    /// <summary>Offset of the first postings list in the index; every series entry ends before it.</summary>
    public long PostingsStart { get; }

    /// <summary>Number of symbols.</summary>
    public int SymbolCount => _symbols.Length;

    /// <summary>Bytes of the two copied sections, about what the header costs in memory and on disk.</summary>
    public long Size => _symbolsSection.Length + _postingsSection.Length;

    /// <summary>
    /// Builds the header from the index's sections read by range: <paramref name="symbols"/> starts at the
    /// symbol table (<c>TOC.symbols</c>) and <paramref name="postingsTable"/> at <c>TOC.postings_table</c>; both
    /// may run past their section's end (the trailing bytes are ignored).
    /// </summary>
    /// <exception cref="BlockCorruptionException">A section is truncated, fails its CRC or is malformed.</exception>
    public static IndexHeader FromIndexSections(int indexVersion, ReadOnlySpan<byte> symbols, long symbolsOffset, ReadOnlySpan<byte> postingsTable, long postingsTableOffset, string file) =>
        new(indexVersion, postingsTableOffset, Section(symbols, symbolsOffset, file, "symbol table"), Section(postingsTable, postingsTableOffset, file, "postings offset table"), file);

    /// <summary>Parses an index-header file written by <see cref="ToFile"/>.</summary>
    /// <exception cref="BlockCorruptionException">The file is truncated, has a bad magic, version or CRC.</exception>
    public static IndexHeader FromFile(ReadOnlySpan<byte> data, string file)
    {
        var d = new ByteDecoder(data, 0, file, "index-header");
        if (d.ReadBE32() is var magic && magic != Magic)
        {
            d.Fail(0, $"magic 0x{magic:X8}, expected 0x{Magic:X8} (not an index-header)");
        }

        if (d.ReadByte() is var version && version != FormatVersion)
        {
            d.Fail(4, $"unknown index-header version {version}; supported: {FormatVersion}");
        }

        int indexVersion = d.ReadByte();
        if (indexVersion is not (2 or 3))
        {
            d.Fail(5, $"unsupported index format version {indexVersion}; supported: 2, 3");
        }

        long postingsTableOffset = checked((long)d.ReadBE64());
        if (data.Length < FileHeaderSize + FileTocSize)
        {
            d.Fail(0, $"file is {data.Length} bytes, shorter than header and TOC");
        }

        int tocAt = data.Length - FileTocSize;
        var t = new ByteDecoder(data[tocAt..], tocAt, file, "index-header TOC");
        ulong symbolsAt = t.ReadBE64();
        ulong postingsAt = t.ReadBE64();
        uint stored = t.ReadBE32();
        uint actual = Crc32C.Compute(data.Slice(tocAt, 16));
        if (stored != actual)
        {
            t.Fail(tocAt + 16, $"CRC32C mismatch: stored 0x{stored:x8}, computed 0x{actual:x8}");
        }

        if (symbolsAt != FileHeaderSize || postingsAt < symbolsAt || postingsAt > (ulong)tocAt)
        {
            t.Fail(tocAt, $"section offsets {symbolsAt}, {postingsAt} do not fit the {data.Length}-byte file");
        }

        var symbols = data[(int)symbolsAt..(int)postingsAt];
        var postings = data[(int)postingsAt..tocAt];
        return new IndexHeader(indexVersion, postingsTableOffset, Section(symbols, (long)symbolsAt, file, "symbol table"), Section(postings, (long)postingsAt, file, "postings offset table"), file);
    }

    /// <summary>The index-header file bytes (layout in <c>docs/format/index-header.md</c>).</summary>
    public byte[] ToFile()
    {
        var buf = new byte[FileHeaderSize + _symbolsSection.Length + _postingsSection.Length + FileTocSize];
        var span = buf.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, Magic);
        span[4] = FormatVersion;
        span[5] = (byte)IndexVersion;
        BinaryPrimitives.WriteUInt64BigEndian(span[6..], (ulong)PostingsTableOffset);
        int postingsAt = FileHeaderSize + _symbolsSection.Length;
        _symbolsSection.CopyTo(span[FileHeaderSize..]);
        _postingsSection.CopyTo(span[postingsAt..]);
        var toc = span[(postingsAt + _postingsSection.Length)..];
        BinaryPrimitives.WriteUInt64BigEndian(toc, FileHeaderSize);
        BinaryPrimitives.WriteUInt64BigEndian(toc[8..], (ulong)postingsAt);
        BinaryPrimitives.WriteUInt32BigEndian(toc[16..], Crc32C.Compute(toc[..16]));
        return buf;
    }

    /// <summary>Label names present in the block, sorted byte-wise (the all-postings key "" is left out).</summary>
    public IReadOnlyList<string> LabelNames() => _labelNames;

    /// <summary>Values of <paramref name="name"/>, sorted byte-wise; empty when the name is absent.</summary>
    public IReadOnlyList<string> LabelValues(string name) => _postings.TryGetValue(name, out var e) ? e.Values : [];

    /// <summary>
    /// Where the postings list of <paramref name="name"/>=<paramref name="value"/> lies in the index; the range
    /// runs to the next list (so may include up to 3 padding bytes). <c>("", "")</c> is the all-postings list.
    /// </summary>
    public bool TryGetPostingsRange(string name, string value, out ByteRange range)
    {
        range = default;
        if (!_postings.TryGetValue(name, out var e) || !e.Ranges.TryGetValue(value, out var r))
        {
            return false;
        }

        range = r;
        return true;
    }

    /// <summary>
    /// Decodes the series entry that starts at <paramref name="entry"/>[0] (index offset <paramref name="offset"/>,
    /// a multiple of 16) after checking its CRC32C; bytes after the entry are ignored.
    /// </summary>
    /// <exception cref="BlockCorruptionException">The entry is truncated, fails its CRC or names a symbol out of range.</exception>
    public IndexSeries DecodeSeries(ReadOnlySpan<byte> entry, long offset, string file)
    {
        var d = new ByteDecoder(entry, offset, file, "series");
        int len = d.ReadUvarintInt32("series entry length");
        long contentAt = d.Offset;
        var content = d.ReadBytes(len, "series entry");
        IndexRangeDecoder.CheckCrc(ref d, content, contentAt);
        var c = new ByteDecoder(content, contentAt, file, "series");
        var labels = IndexRangeDecoder.DecodeLabels(ref c, _symbolsSection, _symbolBytes);
        var chunks = new List<ChunkMeta>();
        IndexRangeDecoder.DecodeChunkMetas(ref c, chunks);
        return new IndexSeries(labels, chunks);
    }

    /// <summary>Checks a <c>BE32 len · content · BE32 CRC32C</c> section and returns exactly its bytes.</summary>
    private static byte[] Section(ReadOnlySpan<byte> data, long offset, string file, string section)
    {
        var d = new ByteDecoder(data, offset, file, section);
        uint len = d.ReadBE32();
        long contentAt = d.Offset;
        var content = d.ReadBytes(checked((int)Math.Min(len, int.MaxValue)), "content");
        IndexRangeDecoder.CheckCrc(ref d, content, contentAt);
        return data[..d.Position].ToArray();
    }

    private static (string[] Symbols, (int Offset, int Length)[] Bytes) ReadSymbols(byte[] section, string file)
    {
        var d = new ByteDecoder(section.AsSpan(4, section.Length - 8), 4, file, "symbol table");
        return IndexRangeDecoder.DecodeSymbols(ref d);
    }

    private static (string[] Names, Dictionary<string, Entries> Postings, long FirstList) ReadPostingsTable(byte[] section, long tableOffset, string file)
    {
        var d = new ByteDecoder(section.AsSpan(4, section.Length - 8), tableOffset + 4, file, "postings offset table");
        uint n = d.ReadBE32();
        var names = new List<string>();
        var postings = new Dictionary<string, Entries>(StringComparer.Ordinal);
        var starts = new List<(Entries Entries, string Value, long Start)>();
        Entries? current = null;
        for (uint i = 0; i < n; i++)
        {
            long entryAt = d.Offset;
            if (d.ReadUvarint() != 2)
            {
                d.Fail(entryAt, $"entry {i} does not have 2 key strings");
            }

            string name = System.Text.Encoding.UTF8.GetString(d.ReadUvarintBytes("label name"));
            string value = System.Text.Encoding.UTF8.GetString(d.ReadUvarintBytes("label value"));
            long start = d.ReadUvarintOffset("postings list offset");
            if (start >= tableOffset)
            {
                d.Fail(entryAt, $"postings list of {name}=\"{value}\" at {start} is not before the table at {tableOffset}");
            }

            if (current is null || current.Name != name)
            {
                if (!postings.TryAdd(name, current = new Entries(name)))
                {
                    d.Fail(entryAt, $"label name \"{name}\" appears in two runs (table not sorted)");
                }

                if (name.Length > 0)
                {
                    names.Add(name);
                }
            }

            current.Values.Add(value);
            starts.Add((current, value, start));
        }

        // A list ends where the next one (in file order) starts; the last one ends at the table.
        var ends = starts.Select(s => s.Start).Append(tableOffset).Distinct().Order().ToArray();
        foreach (var (entries, value, start) in starts)
        {
            long end = ends[Array.BinarySearch(ends, start) + 1];
            if (!entries.Ranges.TryAdd(value, new ByteRange(start, end)))
            {
                d.Fail(d.Offset, $"duplicate entry {entries.Name}=\"{value}\"");
            }
        }

        return ([.. names], postings, ends[0]);
    }

    /// <summary>The postings offset table entries of one label name, values in file (byte-wise) order.</summary>
    private sealed class Entries(string name)
    {
        public string Name { get; } = name;

        public List<string> Values { get; } = [];

        public Dictionary<string, ByteRange> Ranges { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>A half-open byte range [Start, End) of an object.</summary>
/// <param name="Start">The first byte.</param>
/// <param name="End">One past the last byte.</param>
public readonly record struct ByteRange(long Start, long End)
{
    /// <summary>Number of bytes.</summary>
    public long Length => End - Start;
}

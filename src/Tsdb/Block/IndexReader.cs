using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// Reads a block's <c>index</c> file (Prometheus <c>tsdb/index.Reader</c>, format version 2; byte layout in
/// <c>docs/format/index.md</c>, validation in <c>docs/format/reading.md</c>). At open the symbol table is read as
/// byte ranges (labels are decoded from them) and the postings offset table is checked in one pass that keeps only the
/// all-postings offset; its per-name dictionaries are built on the first lookup by name or value. A merge, which
/// walks the all-postings list only, so holds about 8 bytes per symbol instead of a string per symbol and a string
/// and dictionary entry per label value (over 200 bytes per series of a million-series block, per source). Postings
/// lists and series entries are decoded, CRC-checked, on each call. Thread-safe for reading; the memory must stay
/// valid until <see cref="Dispose"/>.
/// </summary>
public sealed partial class IndexReader : IDisposable
{
    /// <summary>Magic number at the start of an index file.</summary>
    public const uint Magic = 0xBAAAD700;

    /// <summary>Header size: BE32 magic and the version byte.</summary>
    public const int HeaderSize = 5;

    // Series entries start at multiples of 16 and a series ref is its offset / 16.
    private const int SeriesAlignment = 16;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly IDisposable? _owner;
    private readonly string _file;
    private readonly (int Offset, int Length)[] _symbolBytes;
    private readonly Lazy<(string[] Names, Dictionary<string, PostingsEntries> Postings)> _postingsTable;
    private readonly long _allPostingsOffset;

    /// <summary>Opens an index held in memory.</summary>
    /// <param name="data">The whole index file; must not change while the reader is used.</param>
    /// <param name="file">File name used in error messages.</param>
    /// <exception cref="BlockCorruptionException">The header, TOC, symbol table or postings offset table is invalid.</exception>
    public IndexReader(ReadOnlyMemory<byte> data, string file = "index")
        : this(data, file, owner: null)
    {
    }

    private IndexReader(ReadOnlyMemory<byte> data, string file, IDisposable? owner)
    {
        _data = data;
        _file = file;
        _owner = owner;
        var span = data.Span;
        Version = ReadHeader(span, file);
        Toc = IndexToc.Read(span, file);
        _symbolBytes = ReadSymbols(checked((long)Toc.Symbols));
        long table = checked((long)Toc.PostingsTable);
        _allPostingsOffset = ScanPostingsOffsetTable(table)
            ?? throw new BlockCorruptionException(file, "postings offset table", table, "no all-postings entry (\"\", \"\")");
        _postingsTable = new(() => ReadPostingsOffsetTable(table));
    }

    /// <summary>Format version from the header (2 or 3).</summary>
    public int Version { get; }

    /// <summary>The table of contents.</summary>
    public IndexToc Toc { get; }

    /// <summary>Number of symbols in the symbol table.</summary>
    public int SymbolCount => _symbolBytes.Length;

    /// <summary>Maps <paramref name="path"/> read-only and opens it; dispose the reader to unmap.</summary>
    /// <exception cref="BlockCorruptionException">The file is not a valid v2 index.</exception>
    public static IndexReader Open(string path)
    {
        var mapped = MappedFile.Open(path);
        try
        {
            return new IndexReader(mapped.Memory, path, mapped);
        }
        catch
        {
            ((IDisposable)mapped).Dispose();
            throw;
        }
    }

    /// <summary>
    /// The symbol table's strings (every label name and value of the block) as UTF-8 slices of the index, in file
    /// order, which a valid index keeps strictly increasing byte-wise. Valid until <see cref="Dispose"/>.
    /// </summary>
    public IEnumerable<ReadOnlyMemory<byte>> Symbols()
    {
        foreach (var (offset, length) in _symbolBytes)
        {
            yield return _data.Slice(offset, length);
        }
    }

    /// <summary>Label names present in the block, sorted byte-wise (the all-postings key "" is left out).</summary>
    public IEnumerable<string> LabelNames() => _postingsTable.Value.Names;

    /// <summary>Values of <paramref name="name"/>, sorted byte-wise; empty when the name is absent.</summary>
    public IReadOnlyList<string> LabelValues(string name) =>
        _postingsTable.Value.Postings.TryGetValue(name, out var e) ? e.Values : [];

    /// <summary>
    /// Series refs (ascending) having <paramref name="name"/>=<paramref name="value"/>; empty when the pair is
    /// absent. <c>Postings("", "")</c> is every series.
    /// </summary>
    /// <exception cref="BlockCorruptionException">The postings list is damaged.</exception>
    public ulong[] Postings(string name, string value) =>
        _postingsTable.Value.Postings.TryGetValue(name, out var e) && e.Offsets.TryGetValue(value, out long off) ? ReadPostings(off) : [];

    /// <summary>Every series ref, ascending (the all-postings list).</summary>
    public ulong[] AllPostings() => ReadPostings(_allPostingsOffset);

    /// <summary>Decodes the series entry at <paramref name="seriesRef"/> (its byte offset / 16).</summary>
    /// <exception cref="BlockCorruptionException">The ref is out of range or the entry is damaged.</exception>
    public IndexSeries Series(ulong seriesRef)
    {
        var chunks = new List<ChunkMeta>();
        var labels = ReadSeries(seriesRef, chunks);
        return new IndexSeries(labels, chunks);
    }

    /// <summary>Decodes only the labels of the series at <paramref name="seriesRef"/>.</summary>
    /// <exception cref="BlockCorruptionException">The ref is out of range or the entry is damaged.</exception>
    public Labels SeriesLabels(ulong seriesRef) => ReadSeries(seriesRef, chunks: null);

    /// <inheritdoc/>
    public void Dispose() => _owner?.Dispose();

    private static int ReadHeader(ReadOnlySpan<byte> span, string file)
    {
        var d = new ByteDecoder(span, 0, file, "header");
        uint magic = d.ReadBE32();
        if (magic != Magic)
        {
            d.Fail(0, $"magic 0x{magic:X8}, expected 0x{Magic:X8} (not an index file)");
        }

        byte version = d.ReadByte();
        if (version == 1)
        {
            d.Fail(4, "index format version 1 (Prometheus 1.x/2.0 era, symbols referenced by offset) is not supported; rewrite the block with a current Prometheus");
        }

        if (version is not (2 or 3))
        {
            d.Fail(4, $"unknown index format version {version}; supported: 2, 3");
        }

        return version;
    }

    /// <summary>
    /// Checks a <c>BE32 len · content · BE32 CRC32C(content)</c> section at <paramref name="offset"/> and returns
    /// a decoder over its content.
    /// </summary>
    private ByteDecoder OpenLengthPrefixed(long offset, string section)
    {
        var span = _data.Span;
        if (offset < HeaderSize || offset > span.Length)
        {
            throw new BlockCorruptionException(_file, section, offset, $"offset outside the file ({span.Length} bytes)");
        }

        var d = new ByteDecoder(span[(int)offset..], offset, _file, section);
        uint len = d.ReadBE32();
        long contentAt = d.Offset;
        var content = d.ReadBytes(checked((int)Math.Min(len, int.MaxValue)), "content");
        IndexRangeDecoder.CheckCrc(ref d, content, contentAt);
        return new ByteDecoder(content, contentAt, _file, section);
    }

    private (int Offset, int Length)[] ReadSymbols(long offset)
    {
        var d = OpenLengthPrefixed(offset, "symbol table");
        var bytes = IndexRangeDecoder.DecodeSymbolRanges(ref d);
        if (d.Remaining != 0)
        {
            d.Fail(d.Offset, $"{d.Remaining} bytes after the last of {bytes.Length} symbols");
        }

        return bytes;
    }

    /// <summary>
    /// Checks the postings offset table's structure (CRC, two keys per entry, offsets, names in single runs, nothing
    /// after the last entry) without keeping it, and returns the all-postings list's offset (null when absent).
    /// Duplicate values are found when <see cref="ReadPostingsOffsetTable"/> builds the dictionaries.
    /// </summary>
    private long? ScanPostingsOffsetTable(long offset)
    {
        var d = OpenLengthPrefixed(offset, "postings offset table");
        uint n = d.ReadBE32();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        byte[]? current = null; // a copy: label names are few, and a run changes name only that often
        long? all = null;
        for (uint i = 0; i < n; i++)
        {
            long entryAt = d.Offset;
            long listOffset = ReadPostingsOffsetEntry(ref d, i, out var name, out var value);
            if (current is null || !name.SequenceEqual(current))
            {
                string s = System.Text.Encoding.UTF8.GetString(name);
                if (!seen.Add(s))
                {
                    d.Fail(entryAt, $"label name \"{s}\" appears in two runs (table not sorted)");
                }

                current = name.ToArray();
            }

            if (name.IsEmpty && value.IsEmpty)
            {
                all ??= listOffset;
            }
        }

        if (d.Remaining != 0)
        {
            d.Fail(d.Offset, $"{d.Remaining} bytes after the last of {n} entries");
        }

        return all;
    }

    // One postings offset table entry: key count (2), label name, label value, postings list offset.
    private static long ReadPostingsOffsetEntry(ref ByteDecoder d, uint i, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        long entryAt = d.Offset;
        ulong keys = d.ReadUvarint();
        if (keys != 2)
        {
            d.Fail(entryAt, $"entry {i} has {keys} key strings, expected 2");
        }

        name = d.ReadUvarintBytes("label name");
        value = d.ReadUvarintBytes("label value");
        return d.ReadUvarintOffset("postings list offset");
    }

    private (string[] Names, Dictionary<string, PostingsEntries> Postings) ReadPostingsOffsetTable(long offset)
    {
        var d = OpenLengthPrefixed(offset, "postings offset table");
        uint n = d.ReadBE32();
        var names = new List<string>();
        var postings = new Dictionary<string, PostingsEntries>(StringComparer.Ordinal);
        PostingsEntries? current = null;
        for (uint i = 0; i < n; i++)
        {
            long entryAt = d.Offset;
            long listOffset = ReadPostingsOffsetEntry(ref d, i, out var nameBytes, out var valueBytes);
            string name = System.Text.Encoding.UTF8.GetString(nameBytes);
            string value = System.Text.Encoding.UTF8.GetString(valueBytes);
            if (current is null || current.Name != name)
            {
                if (postings.ContainsKey(name))
                {
                    d.Fail(entryAt, $"label name \"{name}\" appears in two runs (table not sorted)");
                }

                current = new PostingsEntries(name);
                postings.Add(name, current);
                if (name.Length > 0)
                {
                    names.Add(name);
                }
            }

            if (!current.Offsets.TryAdd(value, listOffset))
            {
                d.Fail(entryAt, $"duplicate entry {name}=\"{value}\"");
            }

            current.Values.Add(value);
        }

        if (d.Remaining != 0)
        {
            d.Fail(d.Offset, $"{d.Remaining} bytes after the last of {n} entries");
        }

        return ([.. names], postings);
    }

    private ulong[] ReadPostings(long offset)
    {
        var d = OpenLengthPrefixed(offset, "postings list");
        uint count = d.ReadBE32();
        if ((ulong)d.Remaining != 4UL * count)
        {
            d.Fail(d.Offset - 4, $"count {count} needs {4UL * count} bytes, list has {d.Remaining}");
        }

        var refs = new ulong[count];
        for (int i = 0; i < refs.Length; i++)
        {
            refs[i] = d.ReadBE32();
            if (i > 0 && refs[i] <= refs[i - 1])
            {
                d.Fail(d.Offset - 4, $"series refs not strictly ascending ({refs[i - 1]} then {refs[i]})");
            }
        }

        return refs;
    }

    private Labels ReadSeries(ulong seriesRef, List<ChunkMeta>? chunks)
    {
        var span = _data.Span;
        ulong offset = seriesRef * SeriesAlignment;
        if (seriesRef > uint.MaxValue || offset < Toc.Series || (offset >= Toc.Postings && Toc.Postings > Toc.Series) || offset >= (ulong)span.Length)
        {
            throw new BlockCorruptionException(_file, "series", (long)Math.Min(offset, long.MaxValue), $"series ref {seriesRef} is outside the series section");
        }

        var d = new ByteDecoder(span[(int)offset..], (long)offset, _file, "series");
        int len = d.ReadUvarintInt32("series entry length");
        long contentAt = d.Offset;
        var content = d.ReadBytes(len, "series entry");
        IndexRangeDecoder.CheckCrc(ref d, content, contentAt);
        var c = new ByteDecoder(content, contentAt, _file, "series");
        var labels = IndexRangeDecoder.DecodeLabels(ref c, _data.Span, _symbolBytes);
        if (chunks is not null)
        {
            IndexRangeDecoder.DecodeChunkMetas(ref c, chunks);
        }

        return labels;
    }

    /// <summary>The postings offset table entries of one label name, values in file (byte-wise) order.</summary>
    private sealed class PostingsEntries(string name)
    {
        public string Name { get; } = name;

        public List<string> Values { get; } = [];

        public Dictionary<string, long> Offsets { get; } = new(StringComparer.Ordinal);
    }
}

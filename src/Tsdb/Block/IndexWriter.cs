using System.Buffers.Binary;
using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// Writes a block's <c>index</c> file in Prometheus index format v2 (<c>docs/format/index.md</c>,
/// <c>tsdb/index/index.go</c>). Stages, in order: every symbol via <see cref="AddSymbol"/> (sorted,
/// unique), every series via <see cref="AddSeries"/> (sorted by <see cref="Labels.Compare"/>), then
/// <see cref="Close"/>, which writes the postings lists, the postings offset table and the TOC, and
/// fsyncs. Postings are kept in memory (4 bytes per series per label) until then. Not thread-safe.
/// </summary>
public sealed class IndexWriter : IDisposable
{
    /// <summary>Header magic (BE32).</summary>
    public const uint Magic = 0xBAAAD700;

    /// <summary>The format version written.</summary>
    public const byte FormatVersion = 2;

    /// <summary>TOC size: 6 × BE64 offsets and a BE32 CRC32C.</summary>
    public const int TocSize = 52;

    private readonly FileStream _f;
    private readonly Encbuf _buf = new();
    private readonly List<byte[]> _symbols = [];
    private readonly Dictionary<ulong, List<uint>> _postings = [];
    private readonly List<uint> _allPostings = [];
    private long _pos;
    private long _symbolsStart = -1;
    private long _seriesStart = -1;
    private Labels _lastSeries;
    private bool _hasSeries;
    private ulong _lastChunkRef;
    private bool _closed;

    /// <summary>Creates (or truncates) the index file at <paramref name="path"/> and writes the header.</summary>
    public IndexWriter(string path)
    {
        _f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _buf.PutBE32(Magic);
        _buf.PutByte(FormatVersion);
        WriteBuf();
    }

    /// <summary>Adds the next symbol (a label name or value); symbols must come in strictly increasing byte-wise order, before any series.</summary>
    /// <exception cref="InvalidOperationException">Out of order, duplicate, or after the first series.</exception>
    public void AddSymbol(ReadOnlySpan<byte> symbol)
    {
        if (_seriesStart >= 0)
        {
            throw new InvalidOperationException("symbols must be added before series");
        }

        if (_symbols.Count > 0 && symbol.SequenceCompareTo(_symbols[^1]) <= 0)
        {
            throw new InvalidOperationException("symbols must be added in strictly increasing byte order");
        }

        _symbols.Add(symbol.ToArray());
    }

    /// <summary>
    /// Writes one series (16-byte aligned) and returns its ID (= file offset / 16). Series must come in
    /// strictly increasing <see cref="Labels.Compare"/> order, have at least one chunk, chunks in time
    /// order without overlap, and chunk references not smaller than the previous series'.
    /// </summary>
    /// <exception cref="InvalidOperationException">An ordering rule above is broken or a label is not a symbol.</exception>
    public uint AddSeries(Labels labels, ReadOnlySpan<ChunkMeta> chunks)
    {
        if (_seriesStart < 0)
        {
            WriteSymbols();
        }

        if (_hasSeries && Labels.Compare(labels, _lastSeries) <= 0)
        {
            throw new InvalidOperationException($"series {labels} added out of order (after {_lastSeries})");
        }

        if (chunks.IsEmpty)
        {
            throw new InvalidOperationException($"series {labels} has no chunks");
        }

        var (content, keys) = EncodeSeries(labels, chunks);
        WritePadding(16);
        if (_pos / 16 > uint.MaxValue)
        {
            throw new InvalidOperationException("index exceeds 64 GiB of series (series IDs are offset/16 in 32 bits)");
        }

        uint id = (uint)(_pos / 16);
        foreach (ulong key in keys)
        {
            AddPosting(key, id);
        }

        _buf.Reset();
        _buf.PutUvarint((ulong)content.Length);
        WriteBuf();
        WriteWithCrc(content);
        _lastSeries = labels;
        _lastChunkRef = chunks[^1].Ref;
        _hasSeries = true;
        _allPostings.Add(id);
        return id;
    }

    /// <summary>Writes postings, the postings offset table and the TOC, then fsyncs and closes the file; idempotent.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        if (_seriesStart < 0)
        {
            WriteSymbols();
        }

        // Prometheus' ensureStage(done) records both label-index offsets before anything is written.
        long labelIndices = _pos;
        var offsets = new Encbuf(1024);
        offsets.PutBE32(0);
        uint entries = 0;
        WritePostingsList(_allPostings, [], [], offsets);
        entries++;
        var keys = _postings.Keys.ToArray();
        Array.Sort(keys);
        foreach (ulong key in keys)
        {
            WritePostingsList(_postings[key], _symbols[(int)(key >> 32)], _symbols[(int)(uint)key], offsets);
            entries++;
        }

        offsets.SetBE32(0, entries);
        long postingsTable = _pos;
        _buf.Reset();
        _buf.PutBE32((uint)offsets.Length);
        WriteBuf();
        WriteWithCrc(offsets.Span);
        WriteToc(labelIndices, postingsTable);
        _f.Flush(flushToDisk: true);
        _f.Dispose();
        _closed = true;
    }

    /// <summary>Closes the file without finishing it when <see cref="Close"/> was not called (the index is then invalid).</summary>
    public void Dispose()
    {
        if (!_closed)
        {
            _f.Dispose();
            _closed = true;
        }
    }

    private void WriteSymbols()
    {
        _symbolsStart = _pos;
        var content = new Encbuf(4096);
        content.PutBE32((uint)_symbols.Count);
        foreach (byte[] s in _symbols)
        {
            content.PutUvarintBytes(s);
        }

        _buf.Reset();
        _buf.PutBE32((uint)content.Length);
        WriteBuf();
        WriteWithCrc(content.Span);
        _seriesStart = _pos;
    }

    // Validates and encodes without touching any state, so a rejected series leaves the writer usable.
    private (byte[] Content, ulong[] PostingKeys) EncodeSeries(Labels labels, ReadOnlySpan<ChunkMeta> chunks)
    {
        var e = new Encbuf(64 + (chunks.Length * 8));
        var keys = new ulong[labels.Count];
        e.PutUvarint((ulong)keys.Length);
        int k = 0;
        foreach (var l in labels)
        {
            uint name = SymbolRef(l.Name, labels);
            uint value = SymbolRef(l.Value, labels);
            e.PutUvarint(name);
            e.PutUvarint(value);
            keys[k++] = ((ulong)name << 32) | value;
        }

        e.PutUvarint((ulong)chunks.Length);
        ChunkMeta prev = default;
        for (int i = 0; i < chunks.Length; i++)
        {
            var c = chunks[i];
            if (c.MaxT < c.MinT || (i > 0 && c.MinT <= prev.MaxT) || c.Ref < (i > 0 ? prev.Ref : _lastChunkRef))
            {
                throw new InvalidOperationException($"series {labels}: chunk {i} [{c.MinT}, {c.MaxT}] ref {c.Ref} is out of order");
            }

            if (i == 0)
            {
                e.PutVarint(c.MinT);
                e.PutUvarint((ulong)(c.MaxT - c.MinT));
                e.PutUvarint(c.Ref);
            }
            else
            {
                e.PutUvarint((ulong)(c.MinT - prev.MaxT));
                e.PutUvarint((ulong)(c.MaxT - c.MinT));
                e.PutVarint((long)(c.Ref - prev.Ref));
            }

            prev = c;
        }

        return (e.Span.ToArray(), keys);
    }

    private void AddPosting(ulong key, uint id)
    {
        if (!_postings.TryGetValue(key, out var list))
        {
            list = [];
            _postings.Add(key, list);
        }

        list.Add(id);
    }

    private uint SymbolRef(ReadOnlySpan<byte> s, Labels labels)
    {
        int lo = 0, hi = _symbols.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = _symbols[mid].AsSpan().SequenceCompareTo(s);
            if (c == 0)
            {
                return (uint)mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        throw new InvalidOperationException($"series {labels}: a label name or value was not added as a symbol");
    }

    private void WritePostingsList(List<uint> ids, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, Encbuf offsets)
    {
        WritePadding(4);
        offsets.PutUvarint(2);
        offsets.PutUvarintBytes(name);
        offsets.PutUvarintBytes(value);
        offsets.PutUvarint((ulong)_pos);
        var content = new Encbuf(4 + (4 * ids.Count));
        content.PutBE32((uint)ids.Count);
        foreach (uint id in ids)
        {
            content.PutBE32(id);
        }

        _buf.Reset();
        _buf.PutBE32((uint)content.Length);
        WriteBuf();
        WriteWithCrc(content.Span);
    }

    private void WriteToc(long labelIndices, long postingsTable)
    {
        _buf.Reset();
        _buf.PutBE64((ulong)_symbolsStart);
        _buf.PutBE64((ulong)_seriesStart);
        _buf.PutBE64((ulong)labelIndices);
        _buf.PutBE64((ulong)postingsTable);
        _buf.PutBE64((ulong)labelIndices);
        _buf.PutBE64((ulong)postingsTable);
        _buf.PutBE32(Crc32C.Compute(_buf.Span));
        WriteBuf();
    }

    private void WriteWithCrc(ReadOnlySpan<byte> content)
    {
        _f.Write(content);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32C.Compute(content));
        _f.Write(crc);
        _pos += content.Length + 4;
    }

    private void WritePadding(int alignment)
    {
        int pad = (int)((alignment - (_pos % alignment)) % alignment);
        if (pad > 0)
        {
            Span<byte> zeros = stackalloc byte[16];
            zeros.Clear();
            _f.Write(zeros[..pad]);
            _pos += pad;
        }
    }

    private void WriteBuf()
    {
        _f.Write(_buf.Span);
        _pos += _buf.Length;
    }
}

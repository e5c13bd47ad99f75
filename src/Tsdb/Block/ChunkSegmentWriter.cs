using System.Buffers.Binary;
using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// Writes a block's <c>chunks/000001</c>, <c>000002</c>, … segment files (format in
/// <c>docs/format/chunks.md</c> §2): an 8-byte header, then <c>uvarint len · encoding · data · CRC32C</c>
/// per chunk. A new file is cut when the next chunk would push the current one past
/// <see cref="SegmentSize"/>; a chunk is never split. Not thread-safe.
/// </summary>
public sealed class ChunkSegmentWriter : IDisposable
{
    /// <summary>Segment header magic (BE32).</summary>
    public const uint Magic = 0x85BD40DD;

    /// <summary>Segment format version byte.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Magic, version and 3 padding bytes.</summary>
    public const int HeaderSize = 8;

    /// <summary>Prometheus' default segment size limit (<c>DefaultChunkSegmentSize</c>), 512 MiB.</summary>
    public const long DefaultSegmentSize = 512L * 1024 * 1024;

    private readonly string _dir;
    private readonly List<BlockFile> _files = [];
    private readonly byte[] _scratch = new byte[Varint.MaxLength + 1];

    // The CRC covers the encoding byte (in _scratch) and the data (the caller's span): reused per chunk.
    private readonly System.IO.Hashing.Crc32 _crc = Crc32C.CreateIncremental();
    private FileStream? _current;
    private long _pos;
    private int _segmentIndex = -1;

    /// <summary>Creates the writer; <paramref name="chunksDir"/> is created if missing, files are created lazily.</summary>
    /// <param name="chunksDir">The block's <c>chunks</c> directory.</param>
    /// <param name="segmentSize">Size limit per file; a single larger chunk still gets a file of its own.</param>
    public ChunkSegmentWriter(string chunksDir, long segmentSize = DefaultSegmentSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentSize, HeaderSize + 1);

        // Offsets are 32-bit in a chunk reference, so a segment can never exceed 4 GiB.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(segmentSize, uint.MaxValue);
        _dir = chunksDir;
        SegmentSize = segmentSize;
        Directory.CreateDirectory(chunksDir);
    }

    /// <summary>The per-file size limit.</summary>
    public long SegmentSize { get; }

    /// <summary>The files written so far with their sizes (final after <see cref="Close"/>), e.g. <c>chunks/000001</c>.</summary>
    public IReadOnlyList<BlockFile> Files => _files;

    /// <summary>Chunks written.</summary>
    public long ChunkCount { get; private set; }

    /// <summary>Appends one chunk and returns its reference: <c>(segment index &lt;&lt; 32) | offset</c>.</summary>
    /// <param name="encoding">The encoding byte (<see cref="Chunks.ChunkEncoding"/>).</param>
    /// <param name="data">The chunk data, e.g. <see cref="Chunks.XorChunk.Bytes"/>.</param>
    public ulong WriteChunk(byte encoding, ReadOnlySpan<byte> data)
    {
        int lenBytes = Varint.PutUvarint(_scratch, (ulong)data.Length);
        long size = lenBytes + 1 + data.Length + 4;
        if (_current is null || (_pos > HeaderSize && _pos + size > SegmentSize))
        {
            CutSegment();
        }

        ulong reference = ((ulong)(uint)_segmentIndex << 32) | (uint)_pos;
        _scratch[lenBytes] = encoding;
        _current!.Write(_scratch, 0, lenBytes + 1);
        _current.Write(data);
        _crc.Reset();
        _crc.Append(_scratch.AsSpan(lenBytes, 1));
        _crc.Append(data);
        uint crc = _crc.GetCurrentHashAsUInt32();
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        _current.Write(crcBytes);
        _pos += size;
        ChunkCount++;
        return reference;
    }

    /// <summary>Flushes and fsyncs the last file and records its size; idempotent.</summary>
    public void Close() => FinishSegment();

    /// <inheritdoc/>
    public void Dispose() => Close();

    private void CutSegment()
    {
        FinishSegment();
        _segmentIndex++;

        string name = (_segmentIndex + 1).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        _current = new FileStream(Path.Combine(_dir, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        Span<byte> header = stackalloc byte[HeaderSize];
        header.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(header, Magic);
        header[4] = FormatVersion;
        _current.Write(header);
        _pos = HeaderSize;
        _files.Add(new BlockFile("chunks/" + name, 0));
    }

    private void FinishSegment()
    {
        if (_current is null)
        {
            return;
        }

        _current.Flush(flushToDisk: true);
        _current.Dispose();
        _current = null;
        _files[^1] = _files[^1] with { SizeBytes = _pos };
    }
}

using System.Buffers.Binary;
using System.Globalization;
using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// Reads a block's <c>chunks/NNNNNN</c> segment files (Prometheus <c>tsdb/chunks.Reader</c>; layout in
/// <c>docs/format/chunks.md</c>). Every file whose name parses as an integer is a segment; the chunk ref
/// <c>segment &lt;&lt; 32 | offset</c> uses the file's 0-based position in name order. Thread-safe for reading;
/// returned memory is valid until <see cref="Dispose"/>.
/// </summary>
public sealed class ChunkSegmentReader : IChunkReader, IDisposable
{
    /// <summary>Magic number at the start of every segment file.</summary>
    public const uint Magic = 0x85BD40DD;

    /// <summary>The only segment format version.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Header size: BE32 magic, version byte, 3 padding bytes.</summary>
    public const int HeaderSize = 8;

    private readonly ReadOnlyMemory<byte>[] _segments;
    private readonly string[] _names;
    private readonly IDisposable[] _owners;

    /// <summary>Reads segments held in memory; <paramref name="segments"/>[i] is the file at position i.</summary>
    /// <param name="segments">The segment files in name order.</param>
    /// <exception cref="BlockCorruptionException">A header is invalid.</exception>
    public ChunkSegmentReader(IReadOnlyList<ReadOnlyMemory<byte>> segments)
        : this([.. segments], [.. Enumerable.Range(1, segments.Count).Select(i => i.ToString("D6", CultureInfo.InvariantCulture))], [])
    {
    }

    private ChunkSegmentReader(ReadOnlyMemory<byte>[] segments, string[] names, IDisposable[] owners)
    {
        _segments = segments;
        _names = names;
        _owners = owners;
        for (int i = 0; i < segments.Length; i++)
        {
            CheckHeader(segments[i].Span, names[i]);
        }
    }

    /// <summary>Number of segment files.</summary>
    public int SegmentCount => _segments.Length;

    /// <summary>Maps every segment file of <paramref name="directory"/> (a block's <c>chunks/</c>) read-only.</summary>
    /// <exception cref="BlockCorruptionException">A header is invalid.</exception>
    public static ChunkSegmentReader Open(string directory)
    {
        var files = Directory.EnumerateFiles(directory)
            .Select(p => (Path: p, Ok: ulong.TryParse(Path.GetFileName(p), NumberStyles.None, CultureInfo.InvariantCulture, out ulong n), N: n))
            .Where(f => f.Ok)
            .OrderBy(f => f.N)
            .ToList();
        var owners = new List<IDisposable>(files.Count);
        try
        {
            var memories = new ReadOnlyMemory<byte>[files.Count];
            for (int i = 0; i < files.Count; i++)
            {
                var m = MappedFile.Open(files[i].Path);
                owners.Add(m);
                memories[i] = m.Memory;
            }

            return new ChunkSegmentReader(memories, [.. files.Select(f => f.Path)], [.. owners]);
        }
        catch
        {
            owners.ForEach(o => o.Dispose());
            throw;
        }
    }

    /// <summary>
    /// Resolves <paramref name="chunkRef"/> to its encoding byte and data after checking the CRC32C over both.
    /// </summary>
    /// <exception cref="BlockCorruptionException">The ref points outside the files or the chunk is damaged.</exception>
    public (byte Encoding, ReadOnlyMemory<byte> Data) Chunk(ulong chunkRef)
    {
        int segment = (int)(chunkRef >> 32);
        long offset = (long)(chunkRef & 0xFFFF_FFFF);
        if ((ulong)segment >= (ulong)_segments.Length)
        {
            throw new BlockCorruptionException(segment.ToString("D6", CultureInfo.InvariantCulture), "chunk", offset, $"chunk ref 0x{chunkRef:x} names segment {segment}, but there are {_segments.Length}");
        }

        var mem = _segments[segment];
        string file = _names[segment];
        if (offset < HeaderSize || offset >= mem.Length)
        {
            throw new BlockCorruptionException(file, "chunk", offset, $"chunk ref 0x{chunkRef:x} points outside the {mem.Length}-byte file");
        }

        var d = new ByteDecoder(mem.Span[(int)offset..], offset, file, "chunk");
        int len = d.ReadUvarintInt32("chunk data length");
        int encAt = d.Position;
        byte encoding = d.ReadByte();
        d.ReadBytes(len, "chunk data");
        var covered = mem.Span.Slice((int)offset + encAt, 1 + len);
        long crcAt = d.Offset;
        uint stored = d.ReadBE32();
        uint actual = Crc32C.Compute(covered);
        if (stored != actual)
        {
            d.Fail(crcAt, $"CRC32C mismatch: stored 0x{stored:x8}, computed 0x{actual:x8}");
        }

        return (encoding, mem.Slice((int)offset + encAt + 1, len));
    }

    /// <inheritdoc/>
    /// <remarks>A slice of the mapped segment, valid until <see cref="Dispose"/>.</remarks>
    public ChunkBytes Chunk(in ChunkMeta meta)
    {
        var (encoding, data) = Chunk(meta.Ref);
        return new ChunkBytes(encoding, data, meta.MinT, meta.MaxT, IsCopy: false);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var o in _owners)
        {
            o.Dispose();
        }
    }

    private static void CheckHeader(ReadOnlySpan<byte> span, string file)
    {
        var d = new ByteDecoder(span, 0, file, "segment header");
        uint magic = d.ReadBE32();
        if (magic != Magic)
        {
            d.Fail(0, $"magic 0x{magic:X8}, expected 0x{Magic:X8} (not a chunk segment)");
        }

        byte version = d.ReadByte();
        if (version != FormatVersion)
        {
            d.Fail(4, $"unknown segment format version {version}; supported: {FormatVersion}");
        }

        d.ReadBytes(3, "header padding");
    }
}

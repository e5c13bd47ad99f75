using System.Buffers.Binary;
using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// One head chunk file (<c>chunks_head/NNNNNN</c>, docs/format/head-chunks.md): preallocated to its capacity
/// and mapped read-only once, written with positional writes, readable up to <see cref="Length"/> while it
/// is being written. Writes are serialised by <see cref="ChunkDiskMapper"/>; reads may run concurrently.
/// </summary>
internal sealed class HeadChunkSegment : IDisposable
{
    /// <summary>Magic number at the start of every head chunk file (Prometheus' <c>MagicHeadChunks</c>).</summary>
    internal const uint Magic = 0x0130BC91;

    /// <summary>Magic (4), version (1), padding (3).</summary>
    internal const int HeaderSize = 8;

    private readonly FileStream _file;
    private readonly MappedFile _mapped;
    private readonly int _capacity;
    private int _length;
    private bool _disposed;

    private HeadChunkSegment(int seq, string path, FileStream file, MappedFile mapped, int capacity)
    {
        Seq = seq;
        Path = path;
        _file = file;
        _mapped = mapped;
        _capacity = capacity;
        _length = HeaderSize;
    }

    /// <summary>File sequence number (the upper 32 bits of a chunk ref).</summary>
    internal int Seq { get; }

    internal string Path { get; }

    /// <summary>Committed bytes (header included): everything below is written and readable.</summary>
    internal int Length => Volatile.Read(ref _length);

    /// <summary>Bytes still free for records.</summary>
    internal int Free => _capacity - Length;

    /// <summary>Max time of the chunks written here; long.MinValue when none. Written under the mapper's lock.</summary>
    internal long MaxTime { get; private set; } = long.MinValue;

    /// <summary>
    /// Creates the file, writes its header and sizes it to <paramref name="capacity"/> so one read-only mapping
    /// covers everything later written (the tail stays sparse until written).
    /// </summary>
    internal static HeadChunkSegment Create(string dir, int seq, int capacity)
    {
        string path = System.IO.Path.Combine(dir, seq.ToString("D6", System.Globalization.CultureInfo.InvariantCulture));
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        try
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            header.Clear();
            BinaryPrimitives.WriteUInt32BigEndian(header, Magic);
            header[4] = 1;
            RandomAccess.Write(file.SafeFileHandle, header, 0);
            file.SetLength(capacity);
            return new HeadChunkSegment(seq, path, file, MappedFile.Map(file, capacity), capacity);
        }
        catch
        {
            file.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// Appends one encoded record at <see cref="Length"/> and publishes it; returns its offset. The caller
    /// checked that it fits and holds the mapper's lock.
    /// </summary>
    internal int Append(ReadOnlySpan<byte> record, long maxt)
    {
        int offset = _length;
        RandomAccess.Write(_file.SafeFileHandle, record, offset);

        // Published after the write, so a reader that sees the new length (or the ref) sees the bytes: the
        // mapping and the positional write share the page cache.
        Volatile.Write(ref _length, offset + record.Length);
        MaxTime = Math.Max(MaxTime, maxt);
        return offset;
    }

    /// <summary>
    /// The data of the chunk record at <paramref name="offset"/>, checked against its CRC32C; a slice of the mapping,
    /// valid until this segment is disposed.
    /// </summary>
    internal ReadOnlyMemory<byte> ReadChunk(int offset)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int length = Length;
        var memory = _mapped.Memory[..length];
        var span = memory.Span;
        int pos = offset + HeadChunkRecord.MetaSize;
        if (offset < HeaderSize || pos >= length)
        {
            throw Corrupt(offset, "chunk reference beyond the written part of the file");
        }

        int n = HeadChunkRecord.ReadUvarint(span[pos..], out ulong dataLen);
        pos += n;
        if (n == 0 || dataLen > (ulong)(length - pos - HeadChunkRecord.CrcSize))
        {
            throw Corrupt(offset, "chunk length beyond the written part of the file");
        }

        int end = pos + (int)dataLen;
        uint expected = BinaryPrimitives.ReadUInt32BigEndian(span[end..]);
        if (Crc32C.Compute(span[offset..end]) != expected)
        {
            throw Corrupt(offset, "checksum mismatch");
        }

        return memory.Slice(pos, (int)dataLen);
    }

    /// <summary>Shrinks the file to what was written (the segment takes no more records); best effort.</summary>
    internal void Seal()
    {
        try
        {
            // Linux allows shrinking a mapped file; nothing reads past Length. Where it is refused (Windows), the
            // zero tail stays, which Prometheus' reader also treats as the end of the file.
            _file.SetLength(Length);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ((IDisposable)_mapped).Dispose();
        Seal();
        _file.Dispose();
    }

    private InvalidDataException Corrupt(int offset, string what) =>
        new($"corrupt head chunk file {Path} at offset {offset}: {what}");
}

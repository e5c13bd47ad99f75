using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// A read-only memory-mapped file exposed as <see cref="Memory{T}"/> (Prometheus reads blocks through
/// <c>fileutil.MmapFile</c>). The memory is valid until <see cref="IDisposable.Dispose"/>; readers that hand
/// out spans into it must not outlive it.
/// </summary>
internal sealed unsafe class MappedFile : MemoryManager<byte>
{
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _pointer;
    private readonly int _length;
    private bool _disposed;

    private MappedFile(MemoryMappedFile? file, MemoryMappedViewAccessor? view, byte* pointer, int length)
    {
        _file = file;
        _view = view;
        _pointer = pointer;
        _length = length;
    }

    /// <summary>Maps <paramref name="path"/> read-only; files over 2 GiB are rejected (spans are int-indexed).</summary>
    public static MappedFile Open(string path)
    {
        long length = new FileInfo(path).Length;
        if (length > int.MaxValue)
        {
            throw new NotSupportedException($"{path} is {length} bytes; files over 2 GiB are not supported by this reader yet.");
        }

        if (length == 0)
        {
            // An empty file cannot be mapped; the readers report it as truncated.
            return new MappedFile(null, null, null, 0);
        }

        return MapWhole(MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read), (int)length);
    }

    /// <summary>
    /// Maps the first <paramref name="length"/> bytes of an open file read-only; the stream stays open and owned by
    /// the caller, who may keep writing to it with positional writes (the mapping shares the page cache).
    /// </summary>
    public static MappedFile Map(FileStream file, int length) =>
        MapWhole(MemoryMappedFile.CreateFromFile(file, null, length, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true), length);

    private static MappedFile MapWhole(MemoryMappedFile file, int length)
    {
        try
        {
            var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            return new MappedFile(file, view, p + view.PointerOffset, length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new Span<byte>(_pointer, _length);
    }

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    /// <inheritdoc/>
    public override void Unpin()
    {
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }

        _file?.Dispose();
    }
}

namespace MetricsCluster.Core;

/// <summary>
/// A growable byte buffer the caller owns (G9): rented from <see cref="BoundedArrayPool"/> and returned
/// by <see cref="Dispose"/>. Not thread-safe. Used to build label encodings and batches without
/// per-item allocations.
/// </summary>
public struct ValueBuffer : IDisposable
{
    private byte[] _buf;

    /// <summary>Creates a buffer with at least <paramref name="capacity"/> bytes.</summary>
    public ValueBuffer(int capacity)
    {
        _buf = BoundedArrayPool.Rent<byte>(Math.Max(capacity, 64));
        Length = 0;
    }

    /// <summary>Bytes written.</summary>
    public int Length { get; set; }

    /// <summary>The written bytes.</summary>
    public readonly ReadOnlySpan<byte> Written => _buf.AsSpan(0, Length);

    /// <summary>The backing array (valid until the next write or dispose).</summary>
    public readonly byte[] Array => _buf;

    /// <summary>Appends bytes.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (Length + data.Length > _buf.Length)
        {
            Grow(Length + data.Length);
        }

        data.CopyTo(_buf.AsSpan(Length));
        Length += data.Length;
    }

    /// <summary>Returns the array to the pool.</summary>
    public void Dispose()
    {
        if (_buf is not null && _buf.Length > 0)
        {
            BoundedArrayPool.Return(_buf);
        }

        _buf = [];
        Length = 0;
    }

    private void Grow(int needed)
    {
        var nb = BoundedArrayPool.Rent<byte>(Math.Max(needed, _buf.Length * 2));
        _buf.AsSpan(0, Length).CopyTo(nb);
        if (_buf.Length > 0)
        {
            BoundedArrayPool.Return(_buf);
        }

        _buf = nb;
    }
}

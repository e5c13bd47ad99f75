using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MetricsCluster.Core;

/// <summary>
/// <see cref="ArrayPool{T}.Shared"/> for arrays up to <see cref="MaxPooledBytes"/>; larger ones are plain
/// allocations that the GC takes back once they are returned here (G11).
/// </summary>
/// <remarks>
/// Why: the shared pool keeps arrays up to 1 GiB in per-thread and per-core slots and trims them only under
/// memory pressure. A burst of 100 MiB pushes left their decode buffers and batches there (6.8 GB RSS after
/// 24 concurrent pushes, never released). Allocating a large array costs little next to filling it (decoding
/// a megabyte of protobuf), so pooling buys nothing above a megabyte, while ordinary pushes (a Prometheus
/// sender's 2,000 samples are about 100 KiB) keep their pooled, allocation-free path.
/// </remarks>
public static class BoundedArrayPool
{
    /// <summary>Largest array, in bytes, kept in the shared pool.</summary>
    public const int MaxPooledBytes = 1 << 20;

    /// <summary>An array of at least <paramref name="minimumLength"/> elements; hand it to <see cref="Return{T}"/> exactly once.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="minimumLength">Elements needed.</param>
    /// <returns>The array, pooled when small.</returns>
    public static T[] Rent<T>(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);

        // The shared pool hands out power-of-two lengths; decide on that length so Return recognises the array.
        long pooledLength = (long)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, 16));
        return pooledLength * Unsafe.SizeOf<T>() <= MaxPooledBytes
            ? ArrayPool<T>.Shared.Rent(minimumLength)
            : GC.AllocateUninitializedArray<T>(minimumLength);
    }

    /// <summary>Gives back an array from <see cref="Rent{T}"/>: small ones go to the shared pool, large ones to the GC.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="array">The array; not used afterwards.</param>
    public static void Return<T>(T[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (IsPooled<T>(array.Length))
        {
            ArrayPool<T>.Shared.Return(array);
        }
    }

    /// <summary>True when an array of <paramref name="length"/> elements came from the shared pool.</summary>
    /// <remarks>Rent allocates lengths that are not powers of two or exceed the byte bound, so they never match.</remarks>
    private static bool IsPooled<T>(int length) =>
        length >= 16 && BitOperations.IsPow2(length) && (long)length * Unsafe.SizeOf<T>() <= MaxPooledBytes;
}

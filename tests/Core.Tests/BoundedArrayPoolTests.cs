using System.Buffers;
using MetricsCluster.Core.Ingest;
using Xunit;

namespace MetricsCluster.Core.Tests;

public class BoundedArrayPoolTests
{
    [Fact]
    public void Small_arrays_are_pooled()
    {
        // The shared pool's per-thread slot hands the array just returned straight back.
        byte[] a = BoundedArrayPool.Rent<byte>(100_000);
        BoundedArrayPool.Return(a);
        byte[] b = ArrayPool<byte>.Shared.Rent(100_000);
        ArrayPool<byte>.Shared.Return(b);
        Assert.Same(a, b);
    }

    [Theory]
    [InlineData(BoundedArrayPool.MaxPooledBytes + 1)]
    [InlineData(2 * BoundedArrayPool.MaxPooledBytes)] // A power of two above the bound.
    [InlineData(100 << 20)] // A decoded 100 MiB push.
    public void Large_arrays_are_left_to_the_gc(int length)
    {
        byte[] a = BoundedArrayPool.Rent<byte>(length);
        Assert.True(a.Length >= length);
        BoundedArrayPool.Return(a);
        byte[] b = ArrayPool<byte>.Shared.Rent(length);
        ArrayPool<byte>.Shared.Return(b);
        Assert.NotSame(a, b);
    }

    [Theory]
    [InlineData(40_000)] // 960 KB of 24-byte entries, but the pool would round it up to 1.5 MiB.
    [InlineData(1 << 16)]
    [InlineData(1_000)]
    public void Any_rented_length_of_a_wide_struct_can_be_returned(int length)
    {
        var a = BoundedArrayPool.Rent<SeriesEntry>(length);
        BoundedArrayPool.Return(a);
    }

    [Fact]
    public void A_huge_push_batch_does_not_reserve_worst_case_arrays_up_front()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        using (var batch = new PushBatch(100 << 20))
        {
            batch.AddSeries(Labels.FromStrings("__name__", "up").Bytes, 1);
            batch.AddSample(1, 1);
        }

        // Before: about four times the body (labels, series entries, timestamps, values sized for the worst case).
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "allocated " + (GC.GetAllocatedBytesForCurrentThread() - before));
    }
}

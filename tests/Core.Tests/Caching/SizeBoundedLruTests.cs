using MetricsCluster.Core.Caching;
using Xunit;

namespace MetricsCluster.Core.Tests.Caching;

/// <summary>The byte-bounded LRU behind the index, chunks and results caches.</summary>
public sealed class SizeBoundedLruTests
{
    [Fact]
    public void Evicts_least_recently_used_first_and_reports_each_eviction()
    {
        var evicted = new List<(string, long)>();
        var lru = new SizeBoundedLru<string, int>(100, (k, _, size) => evicted.Add((k, size)));
        Assert.Equal(LruAddResult.Added, lru.Add("a", 1, 40));
        Assert.Equal(LruAddResult.Added, lru.Add("b", 2, 40));
        Assert.True(lru.TryGet("a", out int a)); // "b" is now the least recently used
        Assert.Equal(1, a);

        Assert.Equal(LruAddResult.Added, lru.Add("c", 3, 40));

        Assert.Equal([("b", 40L)], evicted);
        Assert.False(lru.TryGet("b", out _));
        Assert.Equal(80, lru.SizeBytes);
        Assert.Equal(2, lru.Count);
    }

    [Fact]
    public void Keeps_the_old_entry_unless_asked_to_replace()
    {
        var lru = new SizeBoundedLru<string, int>(100);
        lru.Add("k", 1, 10);

        Assert.Equal(LruAddResult.Present, lru.Add("k", 2, 20));
        Assert.True(lru.TryGet("k", out int kept));
        Assert.Equal(1, kept);

        Assert.Equal(LruAddResult.Added, lru.Add("k", 3, 30, replace: true));
        Assert.True(lru.TryGet("k", out int replaced));
        Assert.Equal(3, replaced);
        Assert.Equal(30, lru.SizeBytes);
    }

    [Fact]
    public void An_entry_larger_than_the_bound_is_not_stored_and_evicts_nothing()
    {
        var evictions = 0;
        var lru = new SizeBoundedLru<string, int>(50, (_, _, _) => evictions++);
        lru.Add("small", 1, 10);

        Assert.Equal(LruAddResult.Overflowed, lru.Add("huge", 2, 51));

        Assert.Equal(0, evictions);
        Assert.True(lru.TryGet("small", out _));
        Assert.Equal(10, lru.SizeBytes);
    }

    [Fact]
    public void Replacing_with_an_overflowing_entry_drops_the_old_one()
    {
        var lru = new SizeBoundedLru<string, int>(50);
        lru.Add("k", 1, 10);

        Assert.Equal(LruAddResult.Overflowed, lru.Add("k", 2, 60, replace: true));

        Assert.False(lru.TryGet("k", out _));
        Assert.Equal(0, lru.SizeBytes);
    }

    [Fact]
    public void Remove_returns_the_size_and_is_not_an_eviction()
    {
        var evictions = 0;
        var lru = new SizeBoundedLru<string, int>(100, (_, _, _) => evictions++);
        lru.Add("k", 1, 25);

        Assert.True(lru.Remove("k", out long size));
        Assert.Equal(25, size);
        Assert.False(lru.Remove("k", out _));
        Assert.Equal(0, evictions);
        Assert.Equal(0, lru.Count);
    }
}

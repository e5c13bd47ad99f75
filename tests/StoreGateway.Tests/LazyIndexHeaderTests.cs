using System.Globalization;
using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>
/// Lazy index-headers (src/StoreGateway/LazyIndexHeader.cs): loaded on first use, once for concurrent first uses,
/// dropped when idle by the hand-moved clock (no sleeps), reloaded transparently from the local file.
/// </summary>
public sealed class LazyIndexHeaderTests : IDisposable
{
    private const long Step = 15_000;
    private static readonly TimeSpan s_idle = TimeSpan.FromMinutes(60);
    private readonly List<TestStore> _stores = [];

    public void Dispose() => _stores.ForEach(s => s.Dispose());

    [Fact]
    public async Task Headers_load_on_first_query_unload_after_the_idle_timeout_and_reload_from_local_disk()
    {
        var store = NewStore();
        await ShipThreeAsync(store);
        await store.Stores.SyncAsync();
        Assert.Equal(0, store.Stores.LoadedIndexHeaders);

        var first = await TestStore.SelectAsync(store.Stores, 0, 600 * Step, Matcher.Eq("job", "j2"));
        Assert.Equal(3, store.Stores.LoadedIndexHeaders);
        Assert.Equal(3, Metric(store, "cortex_bucket_store_indexheader_lazy_load_total"));

        store.Clock.Now += s_idle - TimeSpan.FromSeconds(1);
        Assert.Equal(0, store.Stores.UnloadIdleIndexHeaders());
        store.Clock.Now += TimeSpan.FromSeconds(1);
        Assert.Equal(3, store.Stores.UnloadIdleIndexHeaders());
        Assert.Equal(0, store.Stores.LoadedIndexHeaders);
        Assert.Equal(3, Metric(store, "cortex_bucket_store_indexheader_lazy_unload_total"));
        Assert.Equal(0, Metric(store, "metricscluster_bucket_store_indexheaders_loaded"));

        // Reloaded from the local files: with postings, series and chunks cached the query reads nothing from the bucket.
        store.Bucket.Reset();
        var again = await TestStore.SelectAsync(store.Stores, 0, 600 * Step, Matcher.Eq("job", "j2"));
        Assert.Equal(first, again, new ChunksCacheTests.ResultComparer());
        Assert.Empty(store.Bucket.Reads);
        Assert.Equal(6, Metric(store, "cortex_bucket_store_indexheader_lazy_load_total"));

        // Only the blocks a query touches are loaded.
        store.Clock.Now += s_idle;
        store.Stores.UnloadIdleIndexHeaders();
        Assert.Single(await TestStore.SelectAsync(store.Stores, 0, 100 * Step, Matcher.Eq("i", "0002")));
        Assert.Equal(1, store.Stores.LoadedIndexHeaders);
    }

    [Fact]
    public async Task Without_lazy_loading_every_header_is_held_from_the_sync_on_and_never_dropped()
    {
        var store = NewStore(o => o.IndexHeaderLazyLoadingEnabled = false);
        await ShipThreeAsync(store);
        await store.Stores.SyncAsync();

        Assert.Equal(3, store.Stores.LoadedIndexHeaders);
        store.Clock.Now += 10 * s_idle;
        Assert.Equal(0, store.Stores.UnloadIdleIndexHeaders());
        Assert.Equal(0, Metric(store, "cortex_bucket_store_indexheader_lazy_load_total"));
    }

    [Fact]
    public async Task A_damaged_local_header_is_rebuilt_from_the_bucket_at_its_lazy_load()
    {
        var store = NewStore();
        var meta = await store.ShipBlockAsync(0, 200 * Step, 60, BucketBlockTests.ManySeries(40, 200));
        await store.Stores.SyncAsync();
        string path = Path.Combine(store.SyncDir, TestStore.Tenant, meta.Ulid.ToString(), IndexHeader.FileName);
        byte[] good = await File.ReadAllBytesAsync(path);
        byte[] bad = [.. good];
        bad[bad.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bad);

        Assert.Equal(4, (await TestStore.SelectAsync(store.Stores, 0, 200 * Step, Matcher.Eq("job", "j1"))).Count);
        Assert.Equal(good, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Concurrent_first_uses_share_one_load_and_a_held_header_is_never_dropped()
    {
        var store = NewStore();
        var meta = await store.ShipBlockAsync(0, 200 * Step, 60, BucketBlockTests.ManySeries(10, 200));
        await store.Stores.SyncAsync();
        string path = Path.Combine(store.SyncDir, TestStore.Tenant, meta.Ulid.ToString(), IndexHeader.FileName);
        var header = IndexHeader.FromFile(await File.ReadAllBytesAsync(path), path);

        var gate = new TaskCompletionSource<IndexHeader>(TaskCreationOptions.RunContinuationsAsynchronously);
        int loads = 0;
        var slot = new LazyIndexHeader(() => { Interlocked.Increment(ref loads); return gate.Task; }, null, lazy: true, store.Clock, new LazyIndexHeaderMetrics(new MetricsRegistry()));
        var users = Enumerable.Range(0, 16).Select(_ => Task.Run(() => slot.AcquireAsync(CancellationToken.None))).ToArray();
        gate.SetResult(header);
        Assert.All(await Task.WhenAll(users), h => Assert.Same(header, h));
        Assert.Equal(1, loads);

        // Held by 16 users: never dropped, however idle; idle time counts from the last release.
        store.Clock.Now += 2 * s_idle;
        Assert.False(slot.TryUnloadIfIdle(s_idle));
        for (int i = 0; i < users.Length; i++)
        {
            slot.Release();
        }

        Assert.False(slot.TryUnloadIfIdle(s_idle));
        store.Clock.Now += s_idle;
        Assert.True(slot.TryUnloadIfIdle(s_idle));
        Assert.False(slot.IsLoaded);
        Assert.Throws<InvalidOperationException>(() => slot.Current);
    }

    [Fact]
    public async Task A_failed_load_is_not_kept_and_the_next_use_loads_again()
    {
        var store = NewStore();
        var meta = await store.ShipBlockAsync(0, 200 * Step, 60, BucketBlockTests.ManySeries(10, 200));
        await store.Stores.SyncAsync();
        string path = Path.Combine(store.SyncDir, TestStore.Tenant, meta.Ulid.ToString(), IndexHeader.FileName);
        var registry = new MetricsRegistry();
        int calls = 0;
        var slot = new LazyIndexHeader(
            async () => ++calls == 1 ? throw new IOException("disk") : IndexHeader.FromFile(await File.ReadAllBytesAsync(path), path),
            null,
            lazy: true,
            store.Clock,
            new LazyIndexHeaderMetrics(registry));

        await Assert.ThrowsAsync<IOException>(() => slot.AcquireAsync(CancellationToken.None));
        Assert.NotNull(await slot.AcquireAsync(CancellationToken.None));
        Assert.Contains("cortex_bucket_store_indexheader_lazy_load_failed_total 1", registry.WriteText(), StringComparison.Ordinal);
    }

    private static async Task ShipThreeAsync(TestStore store)
    {
        for (int b = 0; b < 3; b++)
        {
            await store.ShipBlockAsync(b * 200 * Step, (b + 1) * 200 * Step, 60, BucketBlockTests.ManySeries(40, 200, start: b * 200 * Step));
        }
    }

    private static double Metric(TestStore store, string series) =>
        double.Parse(store.Registry.WriteText().Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], CultureInfo.InvariantCulture);

    private TestStore NewStore(Action<BucketStoreOptions>? configure = null)
    {
        var s = new TestStore(configure);
        _stores.Add(s);
        return s;
    }
}

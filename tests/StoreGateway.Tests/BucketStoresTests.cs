using MetricsCluster.Core;
using MetricsCluster.ObjectStore;
using MetricsCluster.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.StoreGateway.Tests;

public sealed class BucketStoresTests : IDisposable
{
    private const long Hour = 3_600_000;
    private const long Step = 30_000;

    private static readonly Labels s_upA = Labels.FromStrings("__name__", "up", "job", "a");
    private static readonly Labels s_upB = Labels.FromStrings("__name__", "up", "job", "b");
    private static readonly Labels s_downA = Labels.FromStrings("__name__", "down", "job", "a");

    private readonly TestStore _store = new();

    /// <summary>What was written: label set → samples by time (first write of a timestamp wins).</summary>
    private readonly Dictionary<Labels, SortedDictionary<long, double>> _written = [];

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData(0, 4 * Hour, MatcherType.Equal, "__name__", "up")]
    [InlineData(0, 4 * Hour, MatcherType.Regex, "job", ".+")]
    [InlineData(0, 4 * Hour, MatcherType.NotEqual, "__name__", "up")]
    [InlineData(0, 4 * Hour, MatcherType.Equal, "job", "b")]
    [InlineData(Hour + 1, 3 * Hour, MatcherType.Regex, "__name__", "up|down")]
    [InlineData(2 * Hour, 2 * Hour, MatcherType.Equal, "job", "a")]
    [InlineData(-Hour, Hour - 1, MatcherType.Equal, "job", "a")]
    [InlineData(3 * Hour + 15_000, 3 * Hour + 15_000, MatcherType.Equal, "job", "a")]
    [InlineData(5 * Hour, 6 * Hour, MatcherType.Regex, "job", ".*")]
    [InlineData(0, 4 * Hour, MatcherType.Equal, "job", "missing")]
    public async Task Synced_blocks_answer_with_exactly_the_written_samples(long mint, long maxt, MatcherType type, string name, string value)
    {
        await ShipThreeBlocksAsync();
        await _store.Stores.SyncAsync();

        var matcher = new Matcher(type, name, value);
        var actual = await TestStore.SelectAsync(_store.Stores, mint, maxt, matcher);

        AssertSeries(Expected(mint, maxt, matcher), actual);
    }

    [Fact]
    public async Task Overlapping_blocks_merge_one_series_by_time_without_duplicates()
    {
        await ShipThreeBlocksAsync();
        await _store.Stores.SyncAsync();

        var all = await TestStore.SelectAsync(_store.Stores, 0, 4 * Hour, Matcher.Eq("job", "a"));

        var up = Assert.Single(all, s => s.Labels == s_upA.ToString()).Samples;
        Assert.Equal(up.Select(s => s.T).Distinct().Order(), up.Select(s => s.T));

        // Two adjacent 2h blocks at 30s plus an overlapping one at 30s offset by 15s over [1h, 3h).
        Assert.Equal((4 * Hour / Step) + (2 * Hour / Step), up.Count);
        Assert.Equal(3, _store.Stores.Blocks(TestStore.Tenant).Count);
    }

    [Fact]
    public async Task A_block_deleted_from_the_bucket_disappears_after_the_next_sync()
    {
        var metas = await ShipThreeBlocksAsync();
        await _store.Stores.SyncAsync();
        string localDir = Path.Combine(_store.SyncDir, TestStore.Tenant, metas[1].Ulid.ToString());
        Assert.True(Directory.Exists(localDir));

        await foreach (string key in _store.Bucket.ListAsync($"{TestStore.Tenant}/{metas[1].Ulid}/", recursive: true))
        {
            await _store.Bucket.DeleteAsync(key);
        }

        // Blocks are read lazily: until the next sync drops it, a query touching the block fails naming the object
        // (why the compactor marks blocks for deletion and waits before deleting them).
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => TestStore.SelectAsync(_store.Stores, 0, 4 * Hour));
        Assert.Contains(metas[1].Ulid.ToString(), e.Message, StringComparison.Ordinal);
        await _store.Stores.SyncAsync();

        Assert.Equal(new[] { metas[0].Ulid, metas[2].Ulid }.Order(), _store.Stores.Blocks(TestStore.Tenant).Select(m => m.Ulid).Order());
        Assert.DoesNotContain(await TestStore.SelectAsync(_store.Stores, 0, 4 * Hour), s => s.Labels == s_downA.ToString());
        Assert.False(Directory.Exists(localDir));
    }

    [Fact]
    public async Task A_block_without_meta_json_is_skipped_until_it_has_one()
    {
        var metas = await ShipThreeBlocksAsync();
        string metaKey = $"{TestStore.Tenant}/{metas[2].Ulid}/meta.json";
        byte[] meta;
        using (var s = await _store.Bucket.GetAsync(metaKey))
        using (var m = new MemoryStream())
        {
            await s.CopyToAsync(m);
            meta = m.ToArray();
        }

        await _store.Bucket.DeleteAsync(metaKey);
        Assert.False(_store.Stores.IsReady);
        await _store.Stores.SyncAsync();

        Assert.True(_store.Stores.IsReady);
        Assert.Equal(new[] { metas[0].Ulid, metas[1].Ulid }.Order(), _store.Stores.Blocks(TestStore.Tenant).Select(m => m.Ulid).Order());

        await _store.Bucket.UploadAsync(metaKey, new MemoryStream(meta));
        await _store.Stores.SyncAsync();
        Assert.Equal(3, _store.Stores.Blocks(TestStore.Tenant).Count);
    }

    [Fact]
    public async Task A_corrupt_block_is_skipped_and_the_others_still_sync()
    {
        var metas = await ShipThreeBlocksAsync();
        await _store.Bucket.UploadAsync($"{TestStore.Tenant}/{metas[0].Ulid}/index", new MemoryStream([1, 2, 3]));

        await _store.Stores.SyncAsync();

        Assert.Equal(new[] { metas[1].Ulid, metas[2].Ulid }.Order(), _store.Stores.Blocks(TestStore.Tenant).Select(m => m.Ulid).Order());
        Assert.True(_store.Stores.IsReady);
        Assert.False(Directory.Exists(Path.Combine(_store.SyncDir, TestStore.Tenant, metas[0].Ulid.ToString())));
    }

    [Fact]
    public async Task The_bucket_index_lists_the_blocks_when_present()
    {
        var metas = await ShipThreeBlocksAsync();
        await new BucketIndexWriter(_store.Bucket, TimeProvider.System, NullLogger.Instance).WriteAsync(TestStore.Tenant);
        var late = await _store.ShipBlockAsync(4 * Hour, 6 * Hour, (s_upB, TestStore.Range(4 * Hour, (6 * Hour) - Step, Step)));

        await _store.Stores.SyncAsync();

        Assert.Equal(metas.Select(m => m.Ulid).Order(), _store.Stores.Blocks(TestStore.Tenant).Select(m => m.Ulid).Order());
        await new BucketIndexWriter(_store.Bucket, TimeProvider.System, NullLogger.Instance).WriteAsync(TestStore.Tenant);
        await _store.Stores.SyncAsync();
        Assert.Contains(late.Ulid, _store.Stores.Blocks(TestStore.Tenant).Select(m => m.Ulid));
    }

    [Fact]
    public async Task A_restart_loads_the_index_headers_from_disk_without_reading_the_indexes_again()
    {
        var metas = await ShipThreeBlocksAsync();
        await _store.Stores.SyncAsync();
        Assert.All(metas, m => Assert.True(File.Exists(Path.Combine(_store.SyncDir, TestStore.Tenant, m.Ulid.ToString(), "index-header"))));
        Assert.Contains(_store.Bucket.Reads, r => r.Key.EndsWith("/index", StringComparison.Ordinal));

        _store.Bucket.Reset();
        await _store.Restart().SyncAsync();

        Assert.DoesNotContain(_store.Bucket.Reads, r => r.Key.EndsWith("/index", StringComparison.Ordinal) || r.Key.EndsWith("/meta.json", StringComparison.Ordinal));
        Assert.Equal(3, _store.Stores.Blocks(TestStore.Tenant).Count);

        var matcher = Matcher.Eq("__name__", "up");
        AssertSeries(Expected(0, 4 * Hour, matcher), await TestStore.SelectAsync(_store.Stores, 0, 4 * Hour, matcher));
    }

    [Fact]
    public async Task Label_names_and_values_span_the_overlapping_blocks_only()
    {
        await ShipThreeBlocksAsync();
        await _store.Stores.SyncAsync();

        await using var all = _store.Stores.Querier(TestStore.Tenant, 0, 4 * Hour);
        Assert.Equal(["__name__", "job"], await all.LabelNamesAsync([], CancellationToken.None));
        Assert.Equal(["down", "up"], await all.LabelValuesAsync("__name__", [], CancellationToken.None));

        // Only the first block covers [0, 30m]; "down" lives in the second.
        await using var early = _store.Stores.Querier(TestStore.Tenant, 0, Hour / 2);
        Assert.Equal(["up"], await early.LabelValuesAsync("__name__", [], CancellationToken.None));
        await using var other = _store.Stores.Querier("no-such-tenant", 0, 4 * Hour);
        Assert.Empty(await other.LabelNamesAsync([], CancellationToken.None));
    }

    /// <summary>
    /// Block 0 [0, 2h): up{a}, up{b}. Block 1 [2h, 4h): up{a}, down{a}. Block 2 [1h, 3h), overlapping both: up{a}
    /// at 30s offset by 15s (interleaved) and up{b} again on the same timestamps as block 0 (duplicates).
    /// </summary>
    private async Task<List<Tsdb.Block.BlockMeta>> ShipThreeBlocksAsync()
    {
        var first = TestStore.Range(0, (2 * Hour) - Step, Step);
        var second = TestStore.Range(2 * Hour, (4 * Hour) - Step, Step, offset: 1000);
        var interleaved = TestStore.Range(Hour + 15_000, (3 * Hour) - 15_000, Step, offset: 5000);
        var duplicates = TestStore.Range(Hour, (2 * Hour) - Step, Step, offset: Hour / Step);
        return
        [
            await ShipAsync(0, 2 * Hour, (s_upA, first), (s_upB, first)),
            await ShipAsync(2 * Hour, 4 * Hour, (s_upA, second), (s_downA, second)),
            await ShipAsync(Hour, 3 * Hour, (s_upA, interleaved), (s_upB, duplicates)),
        ];
    }

    private Task<Tsdb.Block.BlockMeta> ShipAsync(long minT, long maxT, params (Labels Labels, (long T, double V)[] Samples)[] series)
    {
        foreach (var (labels, samples) in series)
        {
            if (!_written.TryGetValue(labels, out var into))
            {
                into = [];
                _written[labels] = into;
            }

            foreach (var (t, v) in samples)
            {
                into.TryAdd(t, v);
            }
        }

        return _store.ShipBlockAsync(minT, maxT, series);
    }

    private List<(string Labels, List<(long T, double V)> Samples)> Expected(long mint, long maxt, Matcher matcher) =>
        [.. _written
            .Where(kv => matcher.Matches(kv.Key))
            .OrderBy(kv => kv.Key, Comparer<Labels>.Create(Labels.Compare))
            .Select(kv => (kv.Key.ToString(), kv.Value.Where(s => s.Key >= mint && s.Key <= maxt).Select(s => (s.Key, s.Value)).ToList()))
            .Where(s => s.Item2.Count > 0)];

    /// <summary>Compares label sets in order, then each series' samples (lists compare by reference in tuples).</summary>
    private static void AssertSeries(List<(string Labels, List<(long T, double V)> Samples)> expected, List<(string Labels, List<(long T, double V)> Samples)> actual)
    {
        Assert.Equal(expected.Select(s => s.Labels), actual.Select(s => s.Labels));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Samples, actual[i].Samples);
        }
    }
}

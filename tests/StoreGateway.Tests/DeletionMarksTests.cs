using System.Text;
using MetricsCluster.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>Blocks marked for deletion (src/StoreGateway/DeletionMarks.cs and the filter in BucketStores).</summary>
public sealed class DeletionMarksTests : IDisposable
{
    private const long Step = 15_000;

    private readonly TestStore _store = new(o => o.IgnoreDeletionMarksDelay = TimeSpan.FromHours(1));

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_marked_block_is_served_until_its_mark_is_older_than_the_delay(bool viaBucketIndex)
    {
        var kept = await _store.ShipBlockAsync(0, 100 * Step, 60, BucketBlockTests.ManySeries(5, 100));
        var marked = await _store.ShipBlockAsync(100 * Step, 200 * Step, 60, BucketBlockTests.ManySeries(5, 100, start: 100 * Step));
        long markedAt = _store.Clock.GetUtcNow().ToUnixTimeSeconds();
        string mark = $"{{\"id\":\"{marked.Ulid}\",\"deletion_time\":{markedAt},\"version\":1}}";
        await _store.Bucket.UploadAsync($"{TestStore.Tenant}/markers/{marked.Ulid}-deletion-mark.json", new MemoryStream(Encoding.UTF8.GetBytes(mark)));
        if (viaBucketIndex)
        {
            await new BucketIndexWriter(_store.Bucket, _store.Clock, NullLogger.Instance).WriteAsync(TestStore.Tenant);
        }

        await _store.Stores.SyncAsync();
        Assert.Equal(2, _store.Stores.Blocks(TestStore.Tenant).Count);

        // Exactly the delay is not yet older than it (Mimir: ignored once time.Since(mark) > delay).
        _store.Clock.Now = _store.Clock.Now.AddHours(1);
        await _store.Stores.SyncAsync();
        Assert.Equal(2, _store.Stores.Blocks(TestStore.Tenant).Count);

        _store.Clock.Now = _store.Clock.Now.AddSeconds(1);
        await _store.Stores.SyncAsync();
        Assert.Equal([kept.Ulid], _store.Stores.Blocks(TestStore.Tenant).Select(m => m.Ulid));
        Assert.False(Directory.Exists(Path.Combine(_store.SyncDir, TestStore.Tenant, marked.Ulid.ToString())));
        var series = await TestStore.SelectAsync(_store.Stores, 0, 200 * Step, Core.Matcher.Eq("i", "0001"));
        Assert.Equal(100, Assert.Single(series).Samples.Count);
    }

    [Fact]
    public async Task An_unreadable_mark_leaves_the_block_served()
    {
        var meta = await _store.ShipBlockAsync(0, 100 * Step, 60, BucketBlockTests.ManySeries(5, 100));
        await _store.Bucket.UploadAsync($"{TestStore.Tenant}/markers/{meta.Ulid}-deletion-mark.json", new MemoryStream("{not json"u8.ToArray()));
        _store.Clock.Now = _store.Clock.Now.AddDays(1);

        await _store.Stores.SyncAsync();

        Assert.Single(_store.Stores.Blocks(TestStore.Tenant));
    }
}

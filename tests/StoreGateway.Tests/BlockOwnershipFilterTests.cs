using MetricsCluster.Core;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>The sync loads only the blocks <see cref="BucketStoreOptions.OwnsBlock"/> admits (store-gateway sharding).</summary>
public sealed class BlockOwnershipFilterTests : IDisposable
{
    private const long Hour = 3_600_000;

    private static readonly Labels s_up = Labels.FromStrings("__name__", "up");

    private readonly HashSet<Ulid> _owned = [];
    private readonly TestStore _store;

    public BlockOwnershipFilterTests() => _store = new TestStore(o => o.OwnsBlock = _owned.Contains);

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Only_owned_blocks_are_loaded_read_and_recorded_and_ownership_changes_apply_at_the_next_sync()
    {
        var metas = new List<BlockMeta>();
        for (int i = 0; i < 3; i++)
        {
            metas.Add(await _store.ShipBlockAsync(i * 2 * Hour, (i + 1) * 2 * Hour, (s_up, TestStore.Range(i * 2 * Hour, ((i + 1) * 2 * Hour) - 1, 60_000))));
        }

        var ids = metas.Select(m => m.Ulid).ToHashSet();
        _owned.UnionWith([metas[0].Ulid, metas[2].Ulid]);
        await _store.Stores.SyncAsync();

        Assert.Equal([metas[0].Ulid, metas[2].Ulid], _store.Stores.Blocks(TestStore.Tenant).Select(m => m.Ulid));
        Assert.Equal([metas[0].Ulid, metas[2].Ulid], (await ReadAsync(ids)).Order());

        // The ring moved block 0 elsewhere and block 1 here.
        _owned.Remove(metas[0].Ulid);
        _owned.Add(metas[1].Ulid);
        await _store.Stores.SyncAsync();

        Assert.Equal([metas[1].Ulid, metas[2].Ulid], _store.Stores.Blocks(TestStore.Tenant).Select(m => m.Ulid));
        Assert.Equal([metas[1].Ulid, metas[2].Ulid], (await ReadAsync(ids)).Order());
        Assert.False(Directory.Exists(Path.Combine(_store.SyncDir, TestStore.Tenant, metas[0].Ulid.ToString())));
    }

    [Fact]
    public async Task Without_a_predicate_every_block_is_owned()
    {
        using var store = new TestStore();
        var meta = await store.ShipBlockAsync(0, 2 * Hour, (s_up, TestStore.Range(0, (2 * Hour) - 1, 60_000)));

        await store.Stores.SyncAsync();

        Assert.Equal([meta.Ulid], store.Stores.Blocks(TestStore.Tenant).Select(m => m.Ulid));
    }

    /// <summary>Reads every sample of <paramref name="ids"/> and returns the blocks the store-gateway reported as read.</summary>
    private async Task<IReadOnlyCollection<Ulid>> ReadAsync(IReadOnlySet<Ulid> ids)
    {
        var queried = new QueriedBlocks();
        await using var q = _store.Stores.Querier(TestStore.Tenant, 0, 6 * Hour, ids, queried);
        int samples = 0;
        await foreach (var s in q.SelectAsync(true, null, [Matcher.Eq("__name__", "up")], CancellationToken.None))
        {
            var it = s.Iterator(null);
            while (it.Next())
            {
                samples++;
            }
        }

        // One sample a minute over each loaded 2h block.
        Assert.Equal(queried.Ids.Count * 120, samples);
        return queried.Ids;
    }
}

using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Tests.Shared;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Ring;

public sealed class MemoryRingStoreTests
{
    private static RingDesc With(RingDesc? desc, string id, uint token)
    {
        desc ??= new RingDesc();
        var i = new InstanceDesc { Id = id };
        i.Tokens.Add(token);
        desc.Instances[id] = i;
        return desc;
    }

    [Fact]
    public async Task Cas_creates_updates_and_counts_versions()
    {
        var store = new MemoryRingStore();
        Assert.Null(await store.GetAsync("ingester", default));

        VersionedRingDesc? first = await store.CasAsync("ingester", d => With(d, "a", 1), default);
        Assert.Equal(1, first!.Version);
        VersionedRingDesc? second = await store.CasAsync("ingester", d => With(d, "b", 2), default);
        Assert.Equal(2, second!.Version);
        Assert.Equal(["a", "b"], second.Desc.Instances.Keys.Order());

        // Null means "no change": nothing is written, even if the copy was modified.
        VersionedRingDesc? same = await store.CasAsync(
            "ingester",
            d =>
            {
                d!.Instances.Clear();
                return null;
            },
            default);
        Assert.Equal(2, same!.Version);
        Assert.Equal(2, (await store.GetAsync("ingester", default))!.Desc.Instances.Count);

        // Other keys are separate rings.
        Assert.Null(await store.GetAsync("store-gateway", default));
    }

    [Fact]
    public async Task Callers_get_copies()
    {
        var store = new MemoryRingStore();
        await store.CasAsync("ingester", d => With(d, "a", 1), default);
        VersionedRingDesc got = (await store.GetAsync("ingester", default))!;
        got.Desc.Instances.Clear();
        Assert.Single((await store.GetAsync("ingester", default))!.Desc.Instances);
    }

    [Fact]
    public async Task Two_writers_racing_lose_no_update()
    {
        var store = new MemoryRingStore();
        const int PerWriter = 300;

        // Each update increments a counter kept in one token: a lost update would show as a smaller count.
        async Task Writer(string id)
        {
            await Task.Yield();
            for (int i = 0; i < PerWriter; i++)
            {
                await store.CasAsync(
                    "ingester",
                    d =>
                    {
                        d ??= new RingDesc();
                        uint count = d.Instances.TryGetValue("counter", out var c) ? c.Tokens[0] : 0;
                        With(d, "counter", count + 1);
                        With(d, id, (uint)i);
                        return d;
                    },
                    default);
            }
        }

        await Task.WhenAll(Task.Run(() => Writer("w1")), Task.Run(() => Writer("w2")));
        VersionedRingDesc final = (await store.GetAsync("ingester", default))!;
        Assert.Equal(2u * PerWriter, final.Desc.Instances["counter"].Tokens[0]);
        Assert.Equal(2L * PerWriter, final.Version);
    }

    [Fact]
    public async Task Watch_yields_current_then_changes_then_polls()
    {
        var clock = new ManualTimeProvider();
        var store = new MemoryRingStore(TimeSpan.FromSeconds(1), clock);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var watch = store.WatchAsync("ingester", cts.Token).GetAsyncEnumerator(cts.Token);

        // A ring never written watches as empty, version 0.
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(0, watch.Current.Version);
        Assert.Empty(watch.Current.Desc.Instances);

        ValueTask<bool> next = watch.MoveNextAsync();
        await store.CasAsync("ingester", d => With(d, "a", 1), default);
        Assert.True(await next);
        Assert.Equal(1, watch.Current.Version);

        // Nothing changes: the watch still yields once the poll interval has passed (advance until it does).
        next = watch.MoveNextAsync();
        await Eventually.TrueAsync(() => next.IsCompleted, "a poll yield", () => clock.Advance(TimeSpan.FromSeconds(1)));
        Assert.True(await next);
        Assert.Equal(1, watch.Current.Version);
    }
}

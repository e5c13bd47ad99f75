using System.Diagnostics;
using System.Threading.Channels;
using MetricsCluster.Cluster.Store;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Store;

/// <summary>The postgres ring store while its server is stopped and restarted; a server of its own, since it stops it.</summary>
public sealed class PostgresRingStoreOutageTests : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);

    // What "fails fast" allows on a loaded machine beyond the configured timeout (scheduling, one reconnect).
    private static readonly TimeSpan s_slack = TimeSpan.FromSeconds(10);

    private readonly PostgresFixture _pg;

    public PostgresRingStoreOutageTests(PostgresFixture pg) => _pg = pg;

    [Fact]
    public async Task Stopped_server_fails_calls_fast_pauses_watches_and_both_recover_after_restart()
    {
        var options = _pg.Options();
        options.OperationTimeout = TimeSpan.FromSeconds(2);
        options.PollInterval = TimeSpan.FromMilliseconds(200);
        await using var store = PostgresFixture.Store(options);
        await store.CasAsync("ingester", d => RingDescs.With(d, "a"), CancellationToken.None);

        using var stopWatch = new CancellationTokenSource();
        var yields = Channel.CreateUnbounded<long>();
        var watch = Task.Run(async () =>
        {
            await foreach (var v in store.WatchAsync("ingester", stopWatch.Token))
            {
                yields.Writer.TryWrite(v.Version);
            }
        });
        Assert.Equal(1, await NextYieldAsync(yields));

        await _pg.Server.StopAsync();

        await AssertFailsFastAsync(() => store.GetAsync("ingester", CancellationToken.None), options.OperationTimeout);
        await AssertFailsFastAsync(() => store.CasAsync("ingester", d => RingDescs.With(d, "b"), CancellationToken.None), options.OperationTimeout);

        // The watch neither yields nor ends while the server is down: drain what it read before the stop, then
        // give it many poll intervals to misbehave.
        while (yields.Reader.TryRead(out _))
        {
        }

        await Task.Delay(options.PollInterval * 10);
        Assert.False(yields.Reader.TryRead(out long unexpected), $"the watch yielded version {unexpected} with the server stopped");
        Assert.False(watch.IsCompleted, $"the watch ended while the server was down: {watch.Exception}");

        await _pg.Server.RestartAsync();

        Assert.Equal(1, await NextYieldAsync(yields));
        var written = await store.CasAsync("ingester", d => RingDescs.With(d, "b"), CancellationToken.None);
        Assert.Equal(2, written!.Version);
        Assert.Equal(["a", "b"], (await store.GetAsync("ingester", CancellationToken.None))!.Desc.Instances.Keys.Order());
        while (await NextYieldAsync(yields) != 2)
        {
        }

        await stopWatch.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);
    }

    [Fact]
    public async Task First_calls_after_a_restart_succeed_although_the_pool_holds_dead_connections()
    {
        var options = _pg.Options();
        await using var store = PostgresFixture.Store(options);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            store.CasAsync("ingester", d => RingDescs.With(d, "i" + i), CancellationToken.None)));

        // No call while the server is down, so nothing has told the pool that its idle connections died.
        await _pg.Server.StopAsync();
        await _pg.Server.RestartAsync();

        Assert.Equal(4, (await store.GetAsync("ingester", CancellationToken.None))!.Desc.Instances.Count);
        Assert.Equal(5, (await store.CasAsync("ingester", d => RingDescs.With(d, "after"), CancellationToken.None))!.Version);
    }

    private static async Task AssertFailsFastAsync(Func<Task> call, TimeSpan operationTimeout)
    {
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<RingStoreUnavailableException>(call);
        Assert.True(clock.Elapsed < operationTimeout + s_slack, $"took {clock.Elapsed}, over {operationTimeout} + {s_slack}: {e.Message}");
        Assert.Contains("127.0.0.1", e.Message, StringComparison.Ordinal);
    }

    private static async Task<long> NextYieldAsync(Channel<long> yields)
    {
        using var cts = new CancellationTokenSource(s_patience);
        return await yields.Reader.ReadAsync(cts.Token);
    }
}

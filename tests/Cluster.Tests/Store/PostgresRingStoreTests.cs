using System.Collections.Concurrent;
using Google.Protobuf;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.Cluster.Tests.Store;

/// <summary>The postgres ring store against a real server; each test works in a table of its own.</summary>
public sealed class PostgresRingStoreTests : IClassFixture<PostgresFixture>
{
    // Generous bound for "promptly" on a loaded 2-core machine: far above a NOTIFY round trip, far below a test timeout.
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);

    private readonly PostgresFixture _pg;
    private readonly ITestOutputHelper _output;

    public PostgresRingStoreTests(PostgresFixture pg, ITestOutputHelper output)
    {
        _pg = pg;
        _output = output;
    }

    [Fact]
    public async Task Creates_the_table_in_a_fresh_database_on_first_use()
    {
        _output.WriteLine($"PostgresServer.StartAsync took {_pg.Server.StartupTime.TotalMilliseconds:F0} ms");
        string db = await _pg.Server.CreateDatabaseAsync();
        Assert.False(await TableExistsAsync(db, "ring_descriptors"));

        await using var store = PostgresFixture.Store(_pg.Options("ring_descriptors", db));
        Assert.Null(await store.GetAsync("ingester", CancellationToken.None));

        Assert.True(await TableExistsAsync(db, "ring_descriptors"));
        Assert.Equal(
            ["key:text:NO", "updated_at:timestamp with time zone:NO", "value:bytea:NO", "version:bigint:NO"],
            await ColumnsAsync(db, "ring_descriptors"));
    }

    [Fact]
    public async Task Several_stores_creating_the_table_at_once_all_succeed()
    {
        string db = await _pg.Server.CreateDatabaseAsync();
        var stores = Enumerable.Range(0, 8).Select(_ => PostgresFixture.Store(_pg.Options("ring_descriptors", db))).ToArray();
        try
        {
            // Each store runs CREATE TABLE IF NOT EXISTS on its first call; the losers of that race must not fail.
            await Task.WhenAll(stores.Select(s => s.GetAsync("ingester", CancellationToken.None)));
            Assert.True(await TableExistsAsync(db, "ring_descriptors"));
        }
        finally
        {
            foreach (var s in stores)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Cas_inserts_at_version_1_then_each_update_adds_one()
    {
        var options = _pg.Options();
        await using var store = PostgresFixture.Store(options);

        var first = await store.CasAsync("ingester", d => RingDescs.With(d, "a"), CancellationToken.None);
        Assert.Equal(1, first!.Version);
        var second = await store.CasAsync("ingester", d =>
        {
            Assert.NotNull(d);
            Assert.Equal(["a"], d.Instances.Keys);
            return RingDescs.With(d, "b");
        }, CancellationToken.None);
        Assert.Equal(2, second!.Version);

        var read = await store.GetAsync("ingester", CancellationToken.None);
        Assert.Equal(2, read!.Version);
        Assert.Equal(second.Desc, read.Desc);
        Assert.Equal(["a", "b"], read.Desc.Instances.Keys.Order());

        // The stored value is exactly the descriptor's protobuf bytes (docs/format/ring.md).
        var (version, value) = await RawRowAsync(options, "ingester");
        Assert.Equal(2, version);
        Assert.Equal(read.Desc.ToByteArray(), value);

        // Keys are independent rows.
        Assert.Null(await store.GetAsync("store-gateway", CancellationToken.None));
        Assert.Equal(1, (await store.CasAsync("store-gateway", d => RingDescs.With(d, "sg"), CancellationToken.None))!.Version);
    }

    [Fact]
    public async Task Cas_update_returning_null_writes_nothing()
    {
        var options = _pg.Options();
        await using var store = PostgresFixture.Store(options);

        Assert.Null(await store.CasAsync("ingester", _ => null, CancellationToken.None));
        Assert.Null(await store.GetAsync("ingester", CancellationToken.None));
        Assert.Equal(0, await RowCountAsync(options));

        await store.CasAsync("ingester", d => RingDescs.With(d, "a"), CancellationToken.None);
        DateTime before = await UpdatedAtAsync(options, "ingester");
        var unchanged = await store.CasAsync("ingester", _ => null, CancellationToken.None);
        Assert.Equal(1, unchanged!.Version);
        Assert.Equal(["a"], unchanged.Desc.Instances.Keys);
        Assert.Equal(1, (await RawRowAsync(options, "ingester")).Version);
        Assert.Equal(before, await UpdatedAtAsync(options, "ingester"));
    }

    [Fact]
    public async Task Two_stores_racing_lose_no_update_and_every_write_gets_its_own_version()
    {
        const int perStore = 50;
        var options = _pg.Options();
        options.MaxCasRetries = 1000; // 100 writers on one key: conflicts are the point here, exhaustion is tested below.
        await using var a = PostgresFixture.Store(options);
        await using var b = PostgresFixture.Store(options);

        using var stopWatch = new CancellationTokenSource();
        var seen = new List<long>();
        var watch = Task.Run(async () =>
        {
            try
            {
                await foreach (var v in a.WatchAsync("ingester", stopWatch.Token))
                {
                    seen.Add(v.Version);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var versions = new ConcurrentBag<long>();
        var writers = new List<Task>();
        foreach (var (store, name) in new[] { (a, "a"), (b, "b") })
        {
            for (int i = 0; i < perStore; i++)
            {
                string id = $"{name}-{i}";
                writers.Add(Task.Run(async () =>
                    versions.Add((await store.CasAsync("ingester", d => RingDescs.Increment(d, id), CancellationToken.None))!.Version)));
            }
        }

        await Task.WhenAll(writers);
        var final = await b.GetAsync("ingester", CancellationToken.None);
        await stopWatch.CancelAsync();
        await watch;

        Assert.Equal(2 * perStore, final!.Desc.Instances["counter"].RegisteredTimestamp);
        Assert.Equal((2 * perStore) + 1, final.Desc.Instances.Count);
        Assert.Equal(2 * perStore, final.Version);
        Assert.Equal(Enumerable.Range(1, 2 * perStore).Select(v => (long)v), versions.Order());

        // What a watcher saw never went backwards.
        Assert.NotEmpty(seen);
        Assert.Equal(seen.Order(), seen);
    }

    [Fact]
    public async Task Cas_gives_up_after_max_attempts_when_every_attempt_conflicts()
    {
        var options = _pg.Options();
        options.MaxCasRetries = 3;
        await using var loser = PostgresFixture.Store(options);
        await using var rival = PostgresFixture.Store(options);
        await rival.CasAsync("ingester", d => RingDescs.With(d, "seed"), CancellationToken.None);

        int calls = 0;
        var e = await Assert.ThrowsAsync<RingStoreUnavailableException>(() => loser.CasAsync("ingester", d =>
        {
            // Between the loser's read and its write, the rival writes: the version check fails every time.
            calls++;
            rival.CasAsync("ingester", r => RingDescs.With(r, "rival-" + calls), CancellationToken.None).GetAwaiter().GetResult();
            return RingDescs.With(d, "loser");
        }, CancellationToken.None));

        Assert.Equal(3, calls);
        Assert.Contains("'ingester'", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempts", e.Message, StringComparison.Ordinal);
        var stored = await rival.GetAsync("ingester", CancellationToken.None);
        Assert.Equal(4, stored!.Version);
        Assert.DoesNotContain("loser", stored.Desc.Instances.Keys);
    }

    [Fact]
    public async Task Watch_sees_another_stores_write_through_notify_long_before_its_poll()
    {
        var options = _pg.Options();
        var watcherOptions = _pg.Options(options.PostgresTable);
        watcherOptions.PollInterval = TimeSpan.FromMinutes(10); // Only a NOTIFY can wake the watch within the test.
        await using var writer = PostgresFixture.Store(options);
        await using var watcher = PostgresFixture.Store(watcherOptions);
        await writer.CasAsync("ingester", d => RingDescs.With(d, "a"), CancellationToken.None);

        using var cts = new CancellationTokenSource(s_patience);
        await using var e = watcher.WatchAsync("ingester", cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await e.MoveNextAsync());
        Assert.Equal(1, e.Current.Version);

        // Writes to another key of the same table notify the same channel but must not end the wait for ours.
        await writer.CasAsync("store-gateway", d => RingDescs.With(d, "sg"), CancellationToken.None);
        await writer.CasAsync("ingester", d => RingDescs.With(d, "b"), CancellationToken.None);
        Assert.True(await e.MoveNextAsync());
        Assert.Equal(2, e.Current.Version);
        Assert.Equal(["a", "b"], e.Current.Desc.Instances.Keys.Order());
    }

    [Fact]
    public async Task Watch_yields_every_poll_interval_without_writes()
    {
        var options = _pg.Options();
        options.PollInterval = TimeSpan.FromMilliseconds(200);
        await using var store = PostgresFixture.Store(options);

        using var cts = new CancellationTokenSource(s_patience);
        var yields = new List<VersionedRingDesc>();
        var sinceFirst = new System.Diagnostics.Stopwatch();
        await foreach (var v in store.WatchAsync("ingester", cts.Token))
        {
            sinceFirst.Start();
            yields.Add(v);
            if (yields.Count == 4)
            {
                break;
            }
        }

        // Paced by the poll interval, not a busy loop: a lower bound, which a slow machine only makes easier to meet
        // (less 50 ms for the granularity of the two clocks).
        Assert.True(
            sinceFirst.Elapsed >= (options.PollInterval * 3) - TimeSpan.FromMilliseconds(50),
            $"4 yields in {sinceFirst.Elapsed}, under 3 poll intervals of {options.PollInterval}");

        // A key never written: an empty descriptor at version 0, yielded again and again as a liveness signal.
        Assert.All(yields, v => Assert.Equal(0, v.Version));
        Assert.All(yields, v => Assert.Empty(v.Desc.Instances));
    }

    private static async Task<bool> TableExistsAsync(string connectionString, string table)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", conn);
        cmd.Parameters.AddWithValue("t", table);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> ColumnsAsync(string connectionString, string table)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT column_name || ':' || data_type || ':' || is_nullable FROM information_schema.columns WHERE table_name = @t ORDER BY column_name", conn);
        cmd.Parameters.AddWithValue("t", table);
        var columns = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static async Task<(long Version, byte[] Value)> RawRowAsync(RingStoreOptions options, string key)
    {
        await using var conn = new NpgsqlConnection(options.PostgresConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT version, value FROM {options.PostgresTable} WHERE key = @k", conn);
        cmd.Parameters.AddWithValue("k", key);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt64(0), (byte[])reader.GetValue(1));
    }

    private static async Task<DateTime> UpdatedAtAsync(RingStoreOptions options, string key)
    {
        await using var conn = new NpgsqlConnection(options.PostgresConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT updated_at FROM {options.PostgresTable} WHERE key = @k", conn);
        cmd.Parameters.AddWithValue("k", key);
        return (DateTime)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<long> RowCountAsync(RingStoreOptions options)
    {
        await using var conn = new NpgsqlConnection(options.PostgresConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {options.PostgresTable}", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}

using MetricsCluster.Cluster.Replication;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Core.Storage;
using MetricsCluster.ObjectStore;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Querier.Api;
using MetricsCluster.Querier.Blocks;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Querier.Tests;

/// <summary>
/// The per-tenant fetch limits through the real engine and the querier's readers: the ingesters alone, the
/// store-gateways alone, both (a series in both counted once) and ingester replicas (counted once), each failing
/// with Mimir's text as soon as the limit is crossed, without reading the rest.
/// </summary>
public sealed class QueryFetchLimitsTests : IDisposable
{
    private const string Tenant = "t1";
    private const long Hour = 3_600_000;
    private const long Now = 100 * Hour;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fetch-limits-" + Guid.NewGuid().ToString("N"));
    private readonly FilesystemBucket _bucket;
    private readonly QueryEngine _engine = new(new EngineOptions());
    private readonly Clock _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(Now));

    public QueryFetchLimitsTests() => _bucket = new FilesystemBucket(_dir);

    public void Dispose()
    {
        _engine.Dispose();
        _bucket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Ingester_only_query_fails_at_the_first_series_over_the_limit_and_other_tenants_keep_theirs()
    {
        var ingester = new ChunkIngester(Series(0, 10), Now - (13 * Hour), Now);
        var runner = await Runner(ingester, new ChunkStoreGateway([], 0, 0), new Limits { MaxFetchedSeriesPerQuery = 5 });

        var r = await runner.InstantQueryAsync(Tenant, "count(m)", Now, default);

        Assert.Equal(new QueryError(QueryErrorType.Execution, QueryLimitExceededException.MaxSeriesMessage(5)), r.Error);
        Assert.Equal(6, ingester.Yielded);

        // The override is the tenant's: another tenant has the default (no limit) and reads all ten.
        var other = await runner.InstantQueryAsync("t2", "count(m)", Now, default);
        Assert.Null(other.Error);
        Assert.Equal(10, Single(other));
    }

    [Fact]
    public async Task Store_only_query_fails_at_the_first_series_over_the_limit()
    {
        var store = new ChunkStoreGateway(Series(0, 10), Now - (20 * Hour), Now - (18 * Hour));
        var ingester = new ChunkIngester([], 0, 0);

        var ok = await (await Runner(ingester, store, new Limits { MaxFetchedSeriesPerQuery = 10 })).InstantQueryAsync(Tenant, "count(m)", Now - (19 * Hour), default);
        Assert.Null(ok.Error);
        Assert.Equal(10, Single(ok));
        Assert.Equal(0, ingester.Yielded);

        var before = store.Yielded;
        var r = await (await Runner(ingester, store, new Limits { MaxFetchedSeriesPerQuery = 9 })).InstantQueryAsync(Tenant, "count(m)", Now - (19 * Hour), default);
        Assert.Equal(QueryLimitExceededException.MaxSeriesMessage(9), r.Error?.Message);
        Assert.Equal(10, store.Yielded - before);
    }

    [Theory]
    [InlineData(8, true)]
    [InlineData(7, false)]
    public async Task Both_stores_count_a_series_they_share_once(int limit, bool ok)
    {
        // Ingesters: m{i=0..5}; blocks: m{i=2..7}. Eight series, four of them in both.
        var ingester = new ChunkIngester(Series(0, 6), Now - (13 * Hour), Now);
        var store = new ChunkStoreGateway(Series(2, 6), Now - (20 * Hour), Now - (18 * Hour));
        var runner = await Runner(ingester, store, new Limits { MaxFetchedSeriesPerQuery = limit });

        var r = await runner.RangeQueryAsync(Tenant, "count(m)", Now - (19 * Hour), Now, Hour, default);

        Assert.Equal(ok ? null : QueryLimitExceededException.MaxSeriesMessage(limit), r.Error?.Message);
        Assert.True(ingester.Yielded > 0 && store.Yielded > 0);
    }

    [Fact]
    public async Task Chunk_and_byte_limits_allow_exactly_what_the_query_fetches()
    {
        var ingester = new ChunkIngester(Series(0, 4), Now - (13 * Hour), Now);
        var unlimited = await (await Runner(ingester, new ChunkStoreGateway([], 0, 0), new Limits { MaxFetchedChunksPerQuery = 0 })).RangeQueryAsync(Tenant, "count(m)", Now - (10 * Hour), Now, Hour, default);
        Assert.Null(unlimited.Error);
        long chunks = ingester.ChunksYielded, bytes = ingester.BytesYielded;
        Assert.True(chunks > 4, "several chunks per series");

        Assert.Null((await Range(ingester, new Limits { MaxFetchedChunksPerQuery = (int)chunks, MaxFetchedChunkBytesPerQuery = bytes })).Error);
        Assert.Equal(QueryLimitExceededException.MaxChunksMessage(chunks - 1), (await Range(ingester, new Limits { MaxFetchedChunksPerQuery = (int)chunks - 1 })).Error?.Message);
        Assert.Equal(QueryLimitExceededException.MaxChunkBytesMessage(bytes - 1), (await Range(ingester, new Limits { MaxFetchedChunkBytesPerQuery = bytes - 1 })).Error?.Message);
    }

    [Fact]
    public async Task Ingester_replicas_count_a_series_and_its_identical_chunks_once()
    {
        var replicas = Enumerable.Range(0, 3).ToDictionary(i => "ingester-" + i, _ => new ChunkIngester(Series(0, 10), Now - (13 * Hour), Now));
        var ring = new FixedRing([.. replicas.Keys.Select(FixedRing.Instance)]);
        var client = new ReplicatedIngesterClient(ring, i => replicas[i.Id], NullLogger<ReplicatedIngesterClient>.Instance);

        var r = await (await Runner(client, new ChunkStoreGateway([], 0, 0), new Limits { MaxFetchedSeriesPerQuery = 10, MaxFetchedChunksPerQuery = (int)replicas["ingester-0"].ChunksYielded + 10 })).InstantQueryAsync(Tenant, "count(m)", Now, default);
        Assert.Null(r.Error);
        Assert.Equal(10, Single(r));

        // One chunk per series per replica was fetched; the merged replicas hold ten, which is what counts.
        var chunks = await (await Runner(client, new ChunkStoreGateway([], 0, 0), new Limits { MaxFetchedChunksPerQuery = 10 })).InstantQueryAsync(Tenant, "count(m)", Now, default);
        Assert.Null(chunks.Error);

        var over = await (await Runner(client, new ChunkStoreGateway([], 0, 0), new Limits { MaxFetchedSeriesPerQuery = 9 })).InstantQueryAsync(Tenant, "count(m)", Now, default);
        Assert.Equal(QueryLimitExceededException.MaxSeriesMessage(9), over.Error?.Message);
    }

    [Fact]
    public async Task Each_ingester_replica_stops_streaming_once_the_series_limit_is_crossed()
    {
        var replicas = Enumerable.Range(0, 3).ToDictionary(i => "ingester-" + i, _ => new ChunkIngester(Series(0, 10), Now - (13 * Hour), Now));
        var ring = new FixedRing([.. replicas.Keys.Select(FixedRing.Instance)]);
        var client = new ReplicatedIngesterClient(ring, i => replicas[i.Id], NullLogger<ReplicatedIngesterClient>.Instance);

        var r = await (await Runner(client, new ChunkStoreGateway([], 0, 0), new Limits { MaxFetchedSeriesPerQuery = 3 })).InstantQueryAsync(Tenant, "count(m)", Now, default);

        // The limit's error, not a lost quorum; and no replica sent all ten series: each stopped within two series of
        // the limit (the fourth new series fails; a replica may first pass one another replica already counted; one
        // cancelled once the others failed may have sent none).
        Assert.Equal(QueryLimitExceededException.MaxSeriesMessage(3), r.Error?.Message);
        Assert.All(replicas.Values, i => Assert.InRange(i.Yielded, 0, 5));
    }

    private static Labels[] Series(int first, int count) =>
        [.. Enumerable.Range(first, count).Select(i => Labels.FromStrings("__name__", "m", "i", i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)))];

    private static double Single(QueryResult r) => Assert.Single(Assert.IsType<VectorValue>(r.Value).Samples).F;

    private async Task<QueryResult> Range(IIngesterClient ingester, Limits limits) =>
        await (await Runner(ingester, new ChunkStoreGateway([], 0, 0), limits)).RangeQueryAsync(Tenant, "count(m)", Now - (10 * Hour), Now, Hour, default);

    /// <summary>The querier as the host wires it: ingesters merged with the blocks of one 2h block 20h ago, under per-tenant limits.</summary>
    private async Task<EngineQueryRunner> Runner(IIngesterClient ingesters, IStoreGatewayClient store, Limits tenantLimits)
    {
        var index = new BucketIndex { UpdatedAt = _clock.GetUtcNow().ToUnixTimeSeconds() };
        index.Blocks.Add(new BucketIndexBlock(Ulid.New(1, new Random(1)), Now - (20 * Hour), Now - (18 * Hour), DateTimeOffset.FromUnixTimeMilliseconds(10 * Hour).ToUnixTimeSeconds()));
        await _bucket.UploadAsync(BucketIndex.Key(Tenant), new MemoryStream(index.ToGzip()));

        var options = new BlocksStoreOptions();
        var blocks = new BlocksStoreQueryable(
            new BucketIndexBlocksFinder(new BucketIndexReader(_bucket), options, _clock),
            store,
            new BlocksConsistencyChecker(options, _clock, new MetricsRegistry()));
        var queryable = new MergeQueryable(new IngesterQueryable(ingesters), blocks, new MergeQueryableOptions(), _clock);
        var overrides = new StaticOverrides(new Limits { MaxFetchedChunksPerQuery = 0 }, new Dictionary<string, Limits> { [Tenant] = tenantLimits });
        return new EngineQueryRunner(_engine, queryable, overrides);
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

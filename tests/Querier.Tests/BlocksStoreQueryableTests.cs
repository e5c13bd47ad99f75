using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Core.Storage;
using MetricsCluster.ObjectStore;
using MetricsCluster.Querier.Blocks;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Querier.Tests;

/// <summary>
/// The querier's long-term side: blocks come from the bucket index, exactly those are asked for, and a block that
/// should have been read but was not fails the query (Mimir's consistency check), with its grace periods.
/// </summary>
public sealed class BlocksStoreQueryableTests : IDisposable
{
    private const string Tenant = "t1";
    private const long Hour = 3_600_000;

    // Now = 100h after the epoch; blocks are 2h long and were uploaded at 10h unless a test says otherwise.
    private static readonly DateTimeOffset s_now = DateTimeOffset.FromUnixTimeMilliseconds(100 * Hour);
    private static readonly Ulid s_b0 = Ulid.New(1, new Random(1));
    private static readonly Ulid s_b1 = Ulid.New(2, new Random(2));
    private static readonly Ulid s_b2 = Ulid.New(3, new Random(3));

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "blocks-store-" + Guid.NewGuid().ToString("N"));
    private readonly FilesystemBucket _bucket;
    private readonly FakeStoreGateway _store = new();
    private readonly MetricsRegistry _registry = new();
    private readonly Clock _clock = new(s_now);

    public BlocksStoreQueryableTests() => _bucket = new FilesystemBucket(_dir);

    public void Dispose()
    {
        _bucket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Reads_exactly_the_indexed_blocks_overlapping_the_range()
    {
        await WriteIndex(s_now, [Block(s_b0, 0), Block(s_b1, 2 * Hour), Block(s_b2, 4 * Hour)]);

        var series = await Select((2 * Hour) + 1, (4 * Hour) - 1);

        Assert.Equal([s_b1], _store.Asked.Single());
        Assert.Equal([s_b1.ToString()], series);
        Assert.Contains("metricscluster_querier_blocks_consistency_checks_total 1", _registry.WriteText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_block_the_store_gateway_did_not_read_fails_the_query_naming_it()
    {
        await WriteIndex(s_now, [Block(s_b0, 0), Block(s_b1, 2 * Hour)]);
        _store.Lose.Add(s_b1);

        var e = await Assert.ThrowsAsync<BlocksStoreException>(() => Select(0, 4 * Hour));

        Assert.Contains(s_b1.ToString(), e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(s_b0.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains("store-consistency-check-failed", e.Message, StringComparison.Ordinal);
        Assert.Contains("metricscluster_querier_blocks_consistency_checks_failed_total 1", _registry.WriteText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Label_queries_are_checked_too()
    {
        await WriteIndex(s_now, [Block(s_b0, 0)]);
        _store.Lose.Add(s_b0);

        await Assert.ThrowsAsync<BlocksStoreException>(async () => await Queryable().Querier(Tenant, 0, Hour).LabelNamesAsync([], default));
    }

    [Fact]
    public async Task A_recently_uploaded_block_may_be_missing()
    {
        // Uploaded 40 minutes ago: within 3 sync intervals (45m), the store-gateway may not have loaded it yet.
        await WriteIndex(s_now, [Block(s_b0, 0), Block(s_b1, 2 * Hour) with { UploadedAt = (s_now - TimeSpan.FromMinutes(40)).ToUnixTimeSeconds() }]);
        _store.Lose.Add(s_b1);

        Assert.Equal([s_b0.ToString()], await Select(0, 4 * Hour));
    }

    [Fact]
    public async Task Deletion_marks_exempt_then_exclude_blocks()
    {
        // b0 marked 2h ago: past the 1h ignore delay, not asked for. b1 marked 40m ago: asked for, but past the 30m
        // grace period, so a store-gateway that already dropped it is no error. b2 marked 10m ago: must be read.
        await WriteIndex(
            s_now,
            [Block(s_b0, 0), Block(s_b1, 2 * Hour), Block(s_b2, 4 * Hour)],
            [Mark(s_b0, TimeSpan.FromHours(2)), Mark(s_b1, TimeSpan.FromMinutes(40)), Mark(s_b2, TimeSpan.FromMinutes(10))]);
        _store.Lose.Add(s_b1);

        Assert.Equal([s_b2.ToString()], await Select(0, 6 * Hour));
        Assert.Equal([s_b1, s_b2], _store.Asked.Single().Order());

        _store.Lose.Add(s_b2);
        var e = await Assert.ThrowsAsync<BlocksStoreException>(() => Select(0, 6 * Hour));
        Assert.Contains(s_b2.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_without_a_bucket_index_has_no_blocks_until_its_index_appears()
    {
        var queryable = Queryable();
        Assert.Empty(await Select(0, 4 * Hour, queryable));
        Assert.Empty(_store.Asked);

        await WriteIndex(s_now, [Block(s_b0, 0)]);
        Assert.Equal([s_b0.ToString()], await Select(0, 4 * Hour, queryable));
    }

    [Fact]
    public async Task A_stale_bucket_index_fails_the_query()
    {
        await WriteIndex(s_now - TimeSpan.FromHours(2), [Block(s_b0, 0)]);

        var e = await Assert.ThrowsAsync<BlocksStoreException>(() => Select(0, Hour));

        Assert.Contains("bucket-index-too-old", e.Message, StringComparison.Ordinal);
        Assert.Contains(Tenant, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_index_is_cached_for_one_sync_interval()
    {
        await WriteIndex(s_now, [Block(s_b0, 0)]);
        var queryable = Queryable();
        await Select(0, 4 * Hour, queryable);

        await WriteIndex(s_now, [Block(s_b0, 0), Block(s_b1, 2 * Hour)]);
        await Select(0, 4 * Hour, queryable);
        _clock.Now += TimeSpan.FromMinutes(15);
        await Select(0, 4 * Hour, queryable);

        Assert.Equal([[s_b0], [s_b0], [s_b0, s_b1]], _store.Asked.Select(a => a.Order().ToArray()));
    }

    private static BucketIndexBlock Block(Ulid id, long minTime) =>
        new(id, minTime, minTime + (2 * Hour), DateTimeOffset.FromUnixTimeMilliseconds(10 * Hour).ToUnixTimeSeconds());

    private static BlockDeletionMark Mark(Ulid id, TimeSpan ago) => new(id, (s_now - ago).ToUnixTimeSeconds());

    private async Task WriteIndex(DateTimeOffset updated, BucketIndexBlock[] blocks, BlockDeletionMark[]? marks = null)
    {
        var index = new BucketIndex { UpdatedAt = updated.ToUnixTimeSeconds() };
        index.Blocks.AddRange(blocks);
        index.BlockDeletionMarks.AddRange(marks ?? []);
        await _bucket.UploadAsync(BucketIndex.Key(Tenant), new MemoryStream(index.ToGzip()));
    }

    private BlocksStoreQueryable Queryable()
    {
        var options = new BlocksStoreOptions();
        return new BlocksStoreQueryable(
            new BucketIndexBlocksFinder(new BucketIndexReader(_bucket), options, _clock),
            _store,
            new BlocksConsistencyChecker(options, _clock, _registry));
    }

    /// <summary>Runs a select and returns the block names of the series (each fake block answers one series named after it).</summary>
    private async Task<List<string>> Select(long mint, long maxt, BlocksStoreQueryable? queryable = null)
    {
        var names = new List<string>();
        await using var q = (queryable ?? Queryable()).Querier(Tenant, mint, maxt);
        await foreach (var s in q.SelectAsync(true, null, [], default))
        {
            names.Add(s.Labels.Get("block"));
        }

        return names;
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Answers one series per block it was asked for and reads, except the ones in <see cref="Lose"/>.</summary>
    private sealed class FakeStoreGateway : IStoreGatewayClient
    {
        public HashSet<Ulid> Lose { get; } = [];

        public List<Ulid[]> Asked { get; } = [];

        public IQuerier Querier(string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried)
        {
            Asked.Add([.. blocks]);
            return new Q([.. blocks.Where(b => !Lose.Contains(b)).Order()], queried);
        }

        private sealed class Q(Ulid[] read, QueriedBlocks queried) : IQuerier
        {
            public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
            {
                await Task.Yield();
                foreach (var b in read)
                {
                    queried.Add(b);
                    yield return new SampleArraySeries(Labels.FromStrings("block", b.ToString()), [new Sample(1, 1)]);
                }
            }

            public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
            {
                foreach (var b in read)
                {
                    queried.Add(b);
                }

                return ValueTask.FromResult<IReadOnlyList<string>>(["block"]);
            }

            public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
                ValueTask.FromResult<IReadOnlyList<string>>([]);

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}

using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using Xunit;

namespace MetricsCluster.Core.Tests;

public sealed class QueryLimiterTests
{
    private static Labels L(int i) => Labels.FromStrings("__name__", "m", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void A_series_seen_again_is_not_counted_again_and_the_first_one_over_the_limit_fails()
    {
        var limiter = new QueryLimiter(maxSeries: 2, maxChunkBytes: 0, maxChunks: 0);

        // The same label set from three replicas, two selectors or both stores: one series.
        for (int replica = 0; replica < 3; replica++)
        {
            limiter.AddSeries(L(1));
            limiter.AddSeries(L(2));
        }

        Assert.Equal(2, limiter.SeriesCount);
        var e = Assert.Throws<QueryLimitExceededException>(() => limiter.AddSeries(L(3)));
        Assert.Equal(
            "the query exceeded the maximum number of series (limit: 2 series) (err-mc-max-series-per-query). Consider reducing the time range and/or number of series selected by the query. One way to reduce the number of selected series is to add more label matchers to the query. Otherwise, to adjust the related per-tenant limit, configure -querier.max-fetched-series-per-query, or contact your service administrator.",
            e.Message);

        // The query is over: every later charge fails with the same error, even a series already counted (a replica
        // sending only those must not finish the query) and chunks.
        Assert.Equal(e.Message, Assert.Throws<QueryLimitExceededException>(() => limiter.AddSeries(L(1))).Message);
        Assert.Equal(e.Message, Assert.Throws<QueryLimitExceededException>(() => limiter.AddChunks(1, 1)).Message);
    }

    [Fact]
    public void Chunks_and_bytes_are_counted_as_fetched_up_to_their_limits()
    {
        var limiter = new QueryLimiter(maxSeries: 0, maxChunkBytes: 1000, maxChunks: 10);
        limiter.AddChunks(4, 400);
        limiter.AddChunks(6, 600);
        Assert.Equal((10L, 1000L), (limiter.ChunkCount, limiter.ChunkBytes));

        var chunks = Assert.Throws<QueryLimitExceededException>(() => limiter.AddChunks(1, 0));
        Assert.Equal(
            "the query exceeded the maximum number of chunks (limit: 10 chunks) (err-mc-max-chunks-per-query). Consider reducing the time range and/or number of series selected by the query. One way to reduce the number of selected series is to add more label matchers to the query. Otherwise, to adjust the related per-tenant limit, configure -querier.max-fetched-chunks-per-query, or contact your service administrator.",
            chunks.Message);

        var bytes = Assert.Throws<QueryLimitExceededException>(() => new QueryLimiter(0, 1000, 0).AddChunks(1, 1001));
        Assert.Equal(
            "the query exceeded the aggregated chunks size limit (limit: 1000 bytes) (err-mc-max-chunks-bytes-per-query). Consider reducing the time range and/or number of series selected by the query. One way to reduce the number of selected series is to add more label matchers to the query. Otherwise, to adjust the related per-tenant limit, configure -querier.max-fetched-chunk-bytes-per-query, or contact your service administrator.",
            bytes.Message);
    }

    [Fact]
    public void Zero_limits_are_no_limits()
    {
        var limiter = new QueryLimiter(0, 0, 0);
        for (int i = 0; i < 10_000; i++)
        {
            limiter.AddSeries(L(i));
            limiter.AddChunks(100, 1 << 20);
        }

        // Without a series limit the series are not even tracked.
        Assert.Equal(0, limiter.SeriesCount);
        Assert.Equal(1_000_000, limiter.ChunkCount);
    }

    [Fact]
    public async Task Concurrent_sources_count_each_series_once()
    {
        var limiter = new QueryLimiter(1000, 0, 0);

        // Four readers (ingester replicas, store-gateways) deliver the same 1000 series at once.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                limiter.AddSeries(L(i));
                limiter.AddChunks(1, 10);
            }
        })));

        Assert.Equal(1000, limiter.SeriesCount);
        Assert.Equal(4000, limiter.ChunkCount);
        Assert.Equal(40_000, limiter.ChunkBytes);
    }

    [Fact]
    public async Task The_current_limiter_flows_with_the_query_and_ends_with_it()
    {
        var limiter = new QueryLimiter(1, 0, 0);
        Assert.Null(QueryLimiter.Current);
        using (QueryLimiter.Begin(limiter))
        {
            await Task.Yield();
            Assert.Same(limiter, await Task.Run(() => QueryLimiter.Current));
        }

        Assert.Null(QueryLimiter.Current);
    }
}

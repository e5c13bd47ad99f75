using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Tsdb.Chunks;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// Runs representative queries over a small synthetic store before the process reports ready, so that the first
/// real query does not pay for compiling the engine, the chunk decoding and the JSON rendering. The binary runs
/// with tiered compilation off (every method fully optimised on its first call, for ingest throughput), so without
/// this the first query after a start was 40–100 times slower than the same query warm (scripts/bench-startup.sh).
/// The synthetic series are XOR chunks read through <see cref="EncodedChunkSeries"/>, the shape ingesters and
/// store-gateways answer with, and each answer is rendered as the API renders it.
/// </summary>
public static class QueryPathWarmup
{
    private const long StepMs = 15_000;
    private const int SamplesPerSeries = 240; // one hour at 15 s: two chunks per series, as a 1h dashboard reads.

    // Shapes of the queries dashboards and rules send; each runs as an instant and as a range query.
    private static readonly string[] s_queries =
    [
        "warmup_requests_total",
        "warmup_requests_total{job=\"api\",instance=~\"10\\\\.0\\\\.0\\\\.[0-9]+:9100\"}",
        "{__name__=~\"warmup_.*\",job!=\"db\"}",
        "rate(warmup_requests_total[5m])",
        "irate(warmup_requests_total[5m]) + increase(warmup_requests_total[10m])",
        "sum by (job) (rate(warmup_requests_total[5m]))",
        "avg without (instance) (warmup_in_flight) * 2 - min(warmup_in_flight) / max(warmup_in_flight)",
        "count by (job) (warmup_in_flight > 1) or count(warmup_in_flight)",
        "topk(3, rate(warmup_requests_total[5m])) and bottomk(3, rate(warmup_requests_total[5m]))",
        "quantile(0.9, warmup_in_flight) unless absent(warmup_nothing)",
        "histogram_quantile(0.9, sum by (le) (rate(warmup_latency_bucket[5m])))",
        "rate(warmup_requests_total[5m]) / on(instance) group_left(job) warmup_in_flight",
        "avg_over_time(warmup_in_flight[10m]) + max_over_time(warmup_in_flight[10m]) - quantile_over_time(0.5, warmup_in_flight[10m])",
        "max_over_time(sum by (job) (rate(warmup_requests_total[5m]))[30m:1m])",
        "label_replace(sort_desc(warmup_in_flight offset 1m), \"host\", \"$1\", \"instance\", \"(.*):.*\")",
        "count(count by (__name__) ({__name__=~\".+\"}))",
        "time() - timestamp(warmup_in_flight) > bool 60",
    ];

    /// <summary>How many queries the warm-up runs (each twice: instant and range).</summary>
    public static int QueryCount => s_queries.Length;

    /// <summary>Runs every warm-up query once as an instant and once as a range query, and renders the answers.</summary>
    /// <returns>The number of queries that answered without an error (a failing one is no reason to stop).</returns>
    public static async Task<int> RunAsync(QueryEngine engine, CancellationToken cancellationToken)
    {
        long end = SamplesPerSeries * StepMs;
        var store = new SyntheticStore(end);
        int ok = 0;
        foreach (string query in s_queries)
        {
            var instant = await engine.InstantQueryAsync(store, "warmup", query, end, cancellationToken).ConfigureAwait(false);
            var range = await engine.RangeQueryAsync(store, "warmup", query, end - 3_600_000 + StepMs, end, 60_000, cancellationToken).ConfigureAwait(false);
            foreach (var result in (ReadOnlySpan<QueryResult>)[instant, range])
            {
                if (result.Error is null && result.Value is { } value)
                {
                    QueryResponse.Success(w => QueryResponse.WriteQueryData(w, value), result.Warnings, result.Infos);
                    ok++;
                }
            }
        }

        return ok;
    }

    /// <summary>Counters, gauges and a histogram over two jobs and eight instances, one hour at 15 s.</summary>
    private sealed class SyntheticStore : IQueryable
    {
        private readonly List<(Labels Labels, EncodedChunk[] Chunks)> _series = [];

        public SyntheticStore(long end)
        {
            string[] les = ["0.1", "0.5", "1", "+Inf"];
            for (int i = 0; i < 8; i++)
            {
                string job = i % 2 == 0 ? "api" : "db";
                string instance = $"10.0.0.{i}:9100";
                Add(end, i, Labels.FromStrings("__name__", "warmup_requests_total", "instance", instance, "job", job), counter: true);
                Add(end, i, Labels.FromStrings("__name__", "warmup_in_flight", "instance", instance, "job", job), counter: false);
                foreach (string le in les)
                {
                    Add(end, i, Labels.FromStrings("__name__", "warmup_latency_bucket", "instance", instance, "job", job, "le", le), counter: true);
                }
            }

            _series.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
        }

        public IQuerier Querier(string tenant, long mint, long maxt) => new SyntheticQuerier(_series, mint, maxt);

        private void Add(long end, int seed, Labels labels, bool counter)
        {
            var chunks = new List<EncodedChunk>();
            XorChunk? chunk = null;
            double value = seed;
            for (int k = 0; k < SamplesPerSeries; k++)
            {
                if (chunk is null || chunk.NumSamples == XorChunk.MaxSamplesPerChunk)
                {
                    Flush(chunk, chunks);
                    chunk = new XorChunk();
                }

                value = counter ? value + (k % 7) + seed : (k * 31 + seed) % 13;
                chunk.Append(end - ((SamplesPerSeries - 1 - k) * StepMs), value);
            }

            Flush(chunk, chunks);
            _series.Add((labels, chunks.ToArray()));
        }

        private static void Flush(XorChunk? chunk, List<EncodedChunk> chunks)
        {
            if (chunk is { NumSamples: > 0 })
            {
                chunks.Add(new EncodedChunk(chunk.MinTime, chunk.MaxTime, ChunkEncoding.Xor, chunk.AsMemory().ToArray()));
            }
        }
    }

    private sealed class SyntheticQuerier(List<(Labels Labels, EncodedChunk[] Chunks)> series, long mint, long maxt) : IQuerier
    {
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            foreach (var (labels, chunks) in series)
            {
                if (matchers.All(m => m.Matches(labels)))
                {
                    yield return new EncodedChunkSeries(labels, chunks, mint, maxt);
                }
            }
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>([]);

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>([]);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

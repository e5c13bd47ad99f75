using MetricsCluster.Core.Metrics;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Querier.Blocks;

/// <summary>
/// Checks that the store-gateways read every block the bucket index says covers a query's range (Mimir
/// <c>BlocksConsistencyChecker</c>). Two kinds of block are exempt, because not reading them loses nothing:
/// blocks uploaded within the upload grace period (the ingesters still serve their data) and blocks marked for
/// deletion longer ago than the deletion grace period (replaced by a compacted block, or past retention).
/// </summary>
public sealed class BlocksConsistencyChecker
{
    private readonly BlocksStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly Counter _checks;
    private readonly Counter _failed;
    private readonly CounterFamily _read;

    /// <summary>Initializes a new instance of the <see cref="BlocksConsistencyChecker"/> class.</summary>
    /// <param name="options">The grace periods.</param>
    /// <param name="time">The clock (G6).</param>
    /// <param name="registry">Receives the check counters.</param>
    public BlocksConsistencyChecker(BlocksStoreOptions options, TimeProvider time, MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _options = options;
        _time = time;
        _checks = registry.Counter("metricscluster_querier_blocks_consistency_checks_total", "Total number of consistency checks run on queried blocks.").WithLabels();
        _failed = registry.Counter("metricscluster_querier_blocks_consistency_checks_failed_total", "Total number of consistency checks failed on queried blocks.").WithLabels();

        // Which resolution answers are read from (docs/query-api.md#downsampled-data): the three Thanos levels exist from the start.
        _read = registry.Counter("metricscluster_querier_blocks_read_total", "Blocks the store-gateways read for queries, by downsampling resolution in ms (0 = raw).", "resolution");
        foreach (string r in (string[])["0", "300000", "3600000"])
        {
            _read.WithLabels(r);
        }
    }

    /// <summary>The blocks of <paramref name="expected"/> that had to be read and were not.</summary>
    /// <param name="expected">The blocks the bucket index lists for the range.</param>
    /// <param name="queried">The blocks the store-gateways report as read.</param>
    /// <returns>The missing blocks; empty when the answer is complete.</returns>
    public IReadOnlyList<Ulid> Missing(BlocksForRange expected, QueriedBlocks queried)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(queried);
        _checks.Inc();
        var now = _time.GetUtcNow();
        long uploadedAfter = (now - _options.UploadGracePeriod).ToUnixTimeSeconds();
        long markedBefore = (now - _options.DeletionGracePeriod).ToUnixTimeSeconds();
        var missing = new List<Ulid>();
        foreach (var block in expected.Blocks)
        {
            if (block.UploadedAt > uploadedAfter)
            {
                continue;
            }

            if (expected.DeletionMarks.TryGetValue(block.Id, out var mark) && mark.DeletionTime < markedBefore)
            {
                continue;
            }

            if (!queried.Contains(block.Id))
            {
                missing.Add(block.Id);
            }
        }

        foreach (var block in expected.Blocks.Where(b => queried.Contains(b.Id)))
        {
            _read.WithLabels(block.Resolution.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        }

        if (missing.Count > 0)
        {
            _failed.Inc();
        }

        return missing;
    }
}

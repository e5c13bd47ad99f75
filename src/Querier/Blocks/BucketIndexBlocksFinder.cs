using System.Collections.Concurrent;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Querier.Blocks;

/// <summary>The blocks a query must read, with the deletion marks the consistency check needs.</summary>
/// <param name="Blocks">Blocks overlapping the range, oldest first.</param>
/// <param name="DeletionMarks">Deletion marks of those blocks, by ID.</param>
public sealed record BlocksForRange(IReadOnlyList<BucketIndexBlock> Blocks, IReadOnlyDictionary<Ulid, BlockDeletionMark> DeletionMarks);

/// <summary>
/// Finds a tenant's blocks for a time range from its bucket index (Mimir <c>BucketIndexBlocksFinder</c>): the index is
/// cached per tenant and re-read every <see cref="BlocksStoreOptions.SyncInterval"/>; a tenant without an index has no
/// blocks (asked again at the next query); blocks marked for deletion longer ago than the ignore delay are left out; an index older than the max stale
/// period fails the query instead of silently answering from an outdated list.
/// </summary>
public sealed class BucketIndexBlocksFinder
{
    private readonly BucketIndexReader _reader;
    private readonly BlocksStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Cached> _cache = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="BucketIndexBlocksFinder"/> class.</summary>
    /// <param name="reader">Reads bucket indexes.</param>
    /// <param name="options">Intervals and delays; validated here.</param>
    /// <param name="time">The clock (G6).</param>
    public BucketIndexBlocksFinder(BucketIndexReader reader, BlocksStoreOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _reader = reader;
        _options = options;
        _time = time;
    }

    /// <summary>The blocks of <paramref name="tenant"/> that may hold samples in [mint, maxt].</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="mint">Inclusive start, ms.</param>
    /// <param name="maxt">Inclusive end, ms.</param>
    /// <param name="cancellationToken">Cancels the index read.</param>
    /// <param name="maxResolution">
    /// The coarsest downsampling resolution allowed, ms (<see cref="ResolutionPicker"/>): 0, the default, reads raw
    /// blocks only, so the answer is exact.
    /// </param>
    /// <returns>The blocks and their deletion marks.</returns>
    /// <exception cref="BlocksStoreException">The index is older than the max stale period.</exception>
    public async Task<BlocksForRange> GetBlocksAsync(string tenant, long mint, long maxt, CancellationToken cancellationToken, long maxResolution = 0)
    {
        var now = _time.GetUtcNow();
        // A missing index is not cached: the compactor writes a tenant's first index at any moment, and until then
        // each query asks again (one failed GET) rather than answering "no blocks" for a whole sync interval.
        if (!_cache.TryGetValue(tenant, out var cached) || cached.Index is null || now - cached.ReadAt >= _options.SyncInterval)
        {
            var read = await _reader.ReadAsync(tenant, cancellationToken).ConfigureAwait(false);
            cached = new Cached(read, read?.BlockDeletionMarks.ToDictionary(m => m.Id) ?? [], now);
            _cache[tenant] = cached;
        }

        var index = cached.Index;
        if (index is null)
        {
            return new BlocksForRange([], new Dictionary<Ulid, BlockDeletionMark>());
        }

        var updated = DateTimeOffset.FromUnixTimeSeconds(index.UpdatedAt);
        if (now - updated > _options.MaxStalePeriod)
        {
            throw new BlocksStoreException(
                $"the bucket index of tenant {tenant} was last updated at {updated:O}, more than {_options.MaxStalePeriod} ago; is the compactor running? (err-mimir-bucket-index-too-old)");
        }

        // Built once per index read, not per query; nobody changes it (the next read replaces the whole entry).
        var marks = cached.Marks;
        long ignoreBefore = (now - _options.IgnoreDeletionMarksDelay).ToUnixTimeSeconds();
        var blocks = index.Blocks
            .Where(b => b.MinTime <= maxt && b.MaxTime > mint)
            .Where(b => !marks.TryGetValue(b.Id, out var m) || m.DeletionTime > ignoreBefore)
            .ToList();
        return new BlocksForRange(ResolutionPicker.Pick(blocks, mint, maxt, maxResolution), marks);
    }

    private sealed record Cached(BucketIndex? Index, Dictionary<Ulid, BlockDeletionMark> Marks, DateTimeOffset ReadAt);
}

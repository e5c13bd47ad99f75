using System.Globalization;
using MetricsCluster.PromQL;
using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.QueryFrontend;

/// <summary>The results cache stage (Mimir's <c>splitAndCacheMiddleware</c>, cache half).</summary>
public sealed partial class QueryFrontendRunner
{
    /// <summary>
    /// The newest step that may be cached for this query (now − <see cref="QueryFrontendOptions.MaxCacheFreshness"/>),
    /// or null when the query is not cached at all: caching off, a start that is not a multiple of the step (unless
    /// <see cref="QueryFrontendOptions.CacheUnalignedRequests"/>), or an <c>@ &lt;time&gt;</c> newer than that (Mimir).
    /// </summary>
    private long? CacheableUntil(Expr expr, long startMs, long stepMs)
    {
        if (_cache is null || (!_options.CacheUnalignedRequests && startMs % stepMs != 0))
        {
            return null;
        }

        long maxCacheTime = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.MaxCacheFreshness.TotalMilliseconds;
        return QuerySplitter.LatestAt(expr) is { } at && at > maxCacheTime ? null : maxCacheTime;
    }

    /// <summary>
    /// One split: straight downstream when not cacheable; otherwise the cached extents under the split's key are
    /// used, only the steps they lack are asked downstream, and what is at most <paramref name="cacheUntil"/> old is
    /// stored back, merged with what was there.
    /// </summary>
    private async Task<QueryResult> RunSplitAsync(string tenant, string query, long start, long end, long step, long? cacheUntil, ShardedRun? sharded, CancellationToken cancellationToken)
    {
        if (_cache is null || cacheUntil is not { } maxCacheTime || start > maxCacheTime)
        {
            return await RangeAsync(tenant, query, start, end, step, sharded, cancellationToken);
        }

        string key = CacheKey(tenant, query, start, step, sharded?.Plan.Shards ?? 0);
        var found = await _cache.GetAsync(key, cancellationToken);
        Counters.AddCacheLookup(found is not null);
        var cached = found ?? [];
        var parts = new List<(long Start, QueryResult Result)>();
        var extents = new List<Extent>(cached);
        foreach (var e in cached)
        {
            if (e.End >= start && e.Start <= end)
            {
                parts.Add((e.Start, new QueryResult(new MatrixValue(e.Series), null, [], [])));
            }
        }

        var gaps = Gaps(cached, start, end, step);
        foreach (var (gapStart, gapEnd) in gaps)
        {
            var fetched = await RangeAsync(tenant, query, gapStart, gapEnd, step, sharded, cancellationToken);
            if (fetched.Error is not null)
            {
                return fetched;
            }

            parts.Add((gapStart, fetched));

            // Annotated answers are not cached: the cached extents carry no annotations to replay.
            if (fetched is { Value: MatrixValue m, Warnings.Count: 0, Infos.Count: 0 })
            {
                extents.Add(new Extent(gapStart, LastStep(gapStart, gapEnd, step), m.Series));
            }
        }

        if (gaps.Count > 0)
        {
            await _cache.SetAsync(key, Coalesce(Trim(extents, maxCacheTime, step), step), cancellationToken);
        }

        parts.Sort((a, b) => a.Start.CompareTo(b.Start));
        return ResultMerger.Merge(parts.ConvertAll(p => p.Result), start, end);
    }

    /// <summary>
    /// Mimir's key: tenant, query, step and the split window's index, plus the start's offset from the step grid when
    /// not zero, plus <c>:shards=N</c> when the query is sharded (as Mimir, so answers combined from different shard
    /// counts, whose sums may differ in their last bits, never mix in one entry).
    /// </summary>
    internal string CacheKey(string tenant, string query, long start, long step, int shards = 0)
    {
        long interval = (long)_options.SplitQueriesByInterval.TotalMilliseconds;
        long window = FloorDiv(start, interval);
        long offset = Mod(start, step);
        string key = offset == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{tenant}:{query}:{step}:{window}")
            : string.Create(CultureInfo.InvariantCulture, $"{tenant}:{query}:{step}:{window}:{offset}");
        return shards > 1 ? string.Create(CultureInfo.InvariantCulture, $"{key}:shards={shards}") : key;
    }

    /// <summary>The step ranges of [start, end] no extent covers; extents are on the same grid (the key fixes step and offset).</summary>
    internal static List<(long Start, long End)> Gaps(IReadOnlyList<Extent> extents, long start, long end, long step)
    {
        var gaps = new List<(long, long)>();
        long next = start;
        foreach (var e in extents.OrderBy(e => e.Start))
        {
            if (e.End < next)
            {
                continue;
            }

            if (e.Start > end)
            {
                break;
            }

            if (e.Start > next)
            {
                gaps.Add((next, e.Start - step));
            }

            next = e.End + step;
        }

        if (next <= end)
        {
            gaps.Add((next, end));
        }

        return gaps;
    }

    /// <summary>Cuts every extent at the last step not newer than <paramref name="maxCacheTime"/>; extents wholly newer go.</summary>
    private static List<Extent> Trim(List<Extent> extents, long maxCacheTime, long step)
    {
        var kept = new List<Extent>(extents.Count);
        foreach (var e in extents)
        {
            if (e.Start > maxCacheTime)
            {
                continue;
            }

            long last = Math.Min(e.End, LastStep(e.Start, maxCacheTime, step));
            kept.Add(last == e.End ? e : new Extent(e.Start, last, Slice(e.Series, last)));
        }

        return kept;
    }

    /// <summary>Joins extents that touch or overlap (the next starts at most one step after the previous ends).</summary>
    private static List<Extent> Coalesce(List<Extent> extents, long step)
    {
        extents.Sort((a, b) => a.Start.CompareTo(b.Start));
        var joined = new List<Extent>(extents.Count);
        foreach (var e in extents)
        {
            if (joined.Count > 0 && e.Start <= joined[^1].End + step)
            {
                var prev = joined[^1];
                var merged = ResultMerger.Merge(
                    [new QueryResult(new MatrixValue(prev.Series), null, [], []), new QueryResult(new MatrixValue(e.Series), null, [], [])]);
                joined[^1] = new Extent(prev.Start, Math.Max(prev.End, e.End), ((MatrixValue)merged.Value!).Series);
            }
            else
            {
                joined.Add(e);
            }
        }

        return joined;
    }

    private static List<Series> Slice(IReadOnlyList<Series> series, long maxT)
    {
        var sliced = new List<Series>(series.Count);
        foreach (var s in series)
        {
            var points = s.Floats.FindAll(p => p.T <= maxT);
            if (points.Count > 0)
            {
                sliced.Add(new Series(s.Metric, points, s.DropName));
            }
        }

        return sliced;
    }

    /// <summary>The last step start + k·step not after <paramref name="t"/>.</summary>
    private static long LastStep(long start, long t, long step) => start + ((t - start) / step * step);

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    private static long Mod(long a, long b) => ((a % b) + b) % b;
}

using System.Globalization;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.ObjectStore;
using MetricsCluster.Tsdb;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// One block read lazily from the bucket (Mimir <c>bucketBlock</c> with its <c>bucketIndexReader</c> and
/// <c>bucketChunkReader</c>): matchers are resolved against the local <see cref="IndexHeader"/>; postings lists
/// and series entries are fetched with ranged reads of the <c>index</c> object (through the
/// <see cref="IndexCache"/>), chunks with ranged reads of <c>chunks/NNNNNN</c>. Nearby ranges are merged into one
/// request (<see cref="RangePartitioner"/>). Errors name the object key (tenant and block ULID included) and the
/// byte offset (G17). Thread-safe.
/// </summary>
internal sealed partial class BucketBlock
{
    private readonly IBucket _bucket;
    private readonly IndexCache _cache;
    private readonly ChunksCache? _chunksCache;
    private readonly BucketStoreOptions _options;
    private readonly string _indexKey;
    private readonly LazyIndexHeader _header;

    public BucketBlock(string tenant, BlockMeta meta, LazyIndexHeader header, IBucket bucket, IndexCache cache, ChunksCache? chunksCache, BucketStoreOptions options)
    {
        Tenant = tenant;
        Meta = meta;
        _header = header;
        _bucket = bucket;
        _cache = cache;
        _chunksCache = chunksCache;
        _options = options;
        _indexKey = ObjectKey(tenant, meta.Ulid, "index");
    }

    public string Tenant { get; }

    public BlockMeta Meta { get; }

    /// <summary>Gets the index-header, in memory while the caller holds a use of <see cref="HeaderSlot"/>.</summary>
    public IndexHeader Header => _header.Current;

    /// <summary>Gets the lazily loaded index-header (acquired per block read by <see cref="StoreQuerier"/>).</summary>
    public LazyIndexHeader HeaderSlot => _header;

    /// <summary>The bucket key of a block's file, e.g. <c>tenant-1/01H…/chunks/000001</c>.</summary>
    public static string ObjectKey(string tenant, Ulid block, string file) => $"{tenant}/{block}/{file}";

    /// <summary>
    /// Refs (ascending, hence in label order) of the series matching every matcher, with Prometheus'
    /// <c>PostingsForMatchers</c> semantics (as <see cref="IndexReader.SelectSeriesRefs"/>): a matcher rejecting ""
    /// intersects the union of the postings of the values it accepts; one accepting "" subtracts the union of the
    /// values it rejects. Every postings list needed is fetched in one batch first.
    /// </summary>
    /// <remarks>A <c>__query_shard__</c> matcher is ignored here: it needs the series' labels, see <see cref="SelectSeriesAsync"/>.</remarks>
    public async Task<ulong[]> SelectSeriesRefsAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        // The shard matcher is left out: it needs the series' labels, and every shard shares the expanded postings.
        QueryShard.Split(matchers, out matchers);

        // The matchers' text identifies the set (the same query sends them in the same order).
        string key = string.Join(',', matchers);
        if (_cache.TryGetExpandedPostings(Tenant, Meta.Ulid, key, out ulong[] cached))
        {
            return cached;
        }

        var refs = await ExpandPostingsAsync(matchers, cancellationToken).ConfigureAwait(false);
        _cache.StoreExpandedPostings(Tenant, Meta.Ulid, key, refs);
        return refs;
    }

    private async Task<ulong[]> ExpandPostingsAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var plan = matchers.Select(m => (Matcher: m, Subtract: m.MatchesEmpty, Values: ValuesFor(m, !m.MatchesEmpty, cancellationToken))).ToList();
        var keys = plan.SelectMany(p => p.Values.Select(v => (p.Matcher.Name, v))).ToList();
        bool needAll = plan.All(p => p.Subtract);
        if (needAll)
        {
            keys.Add((string.Empty, string.Empty));
        }

        var lists = await PostingsAsync(keys, cancellationToken).ConfigureAwait(false);
        ulong[]? result = null;
        foreach (var p in plan.Where(p => !p.Subtract))
        {
            // One value (an equality matcher) needs no union: its freshly decoded list is used as is.
            var union = p.Values.Count == 1 ? lists[(p.Matcher.Name, p.Values[0])] : RefSets.UnionAll([.. p.Values.Select(v => lists[(p.Matcher.Name, v)])]);
            result = result is null ? union : RefSets.Intersect(result, union);
        }

        result ??= lists[(string.Empty, string.Empty)];
        foreach (var p in plan.Where(p => p.Subtract && p.Values.Count > 0))
        {
            result = RefSets.Subtract(result, RefSets.UnionAll([.. p.Values.Select(v => lists[(p.Matcher.Name, v)])]));
        }

        return result;
    }

    /// <summary>
    /// The series entries (labels and chunk metas) matching every matcher, in ref order. A <c>__query_shard__</c>
    /// matcher (<see cref="QueryShard"/>) keeps the entries whose labels hash falls in the shard; it is applied as
    /// soon as the entries are read and before any chunk is, as Mimir's store-gateway does, so a shard fetches only
    /// its own chunks and sends only its own series.
    /// </summary>
    public async Task<IndexSeries[]> SelectSeriesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var shards = QueryShard.Split(matchers, out _);
        var refs = await SelectSeriesRefsAsync(matchers, cancellationToken).ConfigureAwait(false);
        var series = await SeriesAsync(refs, cancellationToken).ConfigureAwait(false);
        return shards.Length == 0 ? series : Array.FindAll(series, s => QueryShard.ContainsAll(shards, s.Labels.Hash));
    }

    /// <summary>Label names of the block (no matchers) or of the series matching <paramref name="matchers"/>.</summary>
    public async Task<IEnumerable<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        if (matchers.Count == 0)
        {
            return Header.LabelNames();
        }

        var series = await SelectSeriesAsync(matchers, cancellationToken).ConfigureAwait(false);
        return series.SelectMany(s => s.Labels.Pairs().Select(p => p.Key)).Distinct();
    }

    /// <summary>Values of <paramref name="name"/> in the block (no matchers) or among the matching series.</summary>
    public async Task<IEnumerable<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        if (matchers.Count == 0)
        {
            return Header.LabelValues(name);
        }

        var series = await SelectSeriesAsync(matchers, cancellationToken).ConfigureAwait(false);
        return series.Select(s => s.Labels.Get(name)).Where(v => v.Length > 0).Distinct();
    }

    /// <summary>Values of m's label for which <c>m.Matches(v) == selectMatching</c>, present in the block.</summary>
    private List<string> ValuesFor(Matcher m, bool selectMatching, CancellationToken cancellationToken)
    {
        if (selectMatching && m.Type == MatcherType.Equal)
        {
            return Header.TryGetPostingsRange(m.Name, m.Value, out _) ? [m.Value] : [];
        }

        var values = new List<string>();
        foreach (string v in Header.LabelValues(m.Name))
        {
            // Per value: a regex over a label with millions of values must stop with its query.
            cancellationToken.ThrowIfCancellationRequested();
            if (m.Matches(v) == selectMatching)
            {
                values.Add(v);
            }
        }

        return values;
    }

    /// <summary>Reads [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="key"/>; shorter at the object's end.</summary>
    private async Task<byte[]> ReadRangeAsync(string key, long start, long end, CancellationToken cancellationToken)
    {
        var stream = await _bucket.GetRangeAsync(key, start, end - start, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buf = new byte[end - start];
            int n = 0;
            while (n < buf.Length)
            {
                int read = await stream.ReadAsync(buf.AsMemory(n), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buf[..n];
                }

                n += read;
            }

            return buf;
        }
    }

    /// <summary>
    /// Reads <paramref name="ranges"/> (sorted by start) of <paramref name="key"/> in merged requests, run
    /// concurrently, and hands each input range's bytes (possibly shorter at the object's end) to <paramref name="use"/>.
    /// </summary>
    private async Task ReadRangesAsync(string key, List<ByteRange> ranges, Action<int, ReadOnlyMemory<byte>> use, CancellationToken cancellationToken)
    {
        var parts = RangePartitioner.Partition(ranges, _options.PartitionerMaxGapBytes);
        await Task.WhenAll(parts.Select(async part =>
        {
            var bytes = await ReadRangeAsync(key, part.Range.Start, part.Range.End, cancellationToken).ConfigureAwait(false);
            for (int i = part.First; i < part.First + part.Count; i++)
            {
                int from = (int)Math.Min(ranges[i].Start - part.Range.Start, bytes.Length);
                int to = (int)Math.Min(ranges[i].End - part.Range.Start, bytes.Length);
                use(i, bytes.AsMemory(from, to - from));
            }
        })).ConfigureAwait(false);
    }

    private static string SegmentFile(int segment) => "chunks/" + (segment + 1).ToString("D6", CultureInfo.InvariantCulture);
}

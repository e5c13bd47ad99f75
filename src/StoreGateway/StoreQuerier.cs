using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// Reads one tenant's blocks over [mint, maxt] (Mimir <c>BucketStore.Series</c> for one tenant). Only blocks
/// overlapping the range are read. A series found in several blocks (overlapping blocks from replicas, or a block
/// split at a range boundary) comes back once, its samples merged by time with duplicate timestamps removed.
/// </summary>
/// <remarks>
/// Per block (up to <see cref="BlockReadConcurrency"/> blocks at once): matchers against the index-header, then one
/// batch of postings ranges, one of series ranges (both through the index cache) and one of chunk ranges (through
/// the chunks cache). Samples are decoded while the block is leased and handed out as arrays, which costs the
/// query's samples in memory, as the PromQL engine needs them anyway; streaming chunks over RPC replaces it when
/// the store-gateway runs out of process.
/// </remarks>
/// <param name="tenant">The tenant's blocks.</param>
/// <param name="mint">Inclusive start, ms.</param>
/// <param name="maxt">Inclusive end, ms.</param>
/// <param name="only">When set, only these blocks are read (the querier's list from the bucket index).</param>
/// <param name="queried">When set, receives each block read to the end, for the querier's consistency check.</param>
internal sealed class StoreQuerier(BucketStores.TenantBlocks tenant, long mint, long maxt, IReadOnlySet<Ulid>? only = null, QueriedBlocks? queried = null) : IQuerier
{
    /// <summary>
    /// How many blocks one query reads at once. Against a remote bucket a block read is mostly waiting for its three
    /// request rounds, so several overlap; against the filesystem it is CPU, and more than a few only queue.
    /// </summary>
    internal const int BlockReadConcurrency = 8;

    public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool labelsOnly = hints?.Func == SelectHints.SeriesOnly;
        var perBlock = await ForEachBlockAsync((block, ct) => ReadBlockAsync(block.Block, matchers, labelsOnly, hints?.Func, ct), cancellationToken).ConfigureAwait(false);

        // Merged in block order (oldest first), so for equal timestamps the older block's sample comes first.
        var merged = new Dictionary<Labels, List<Sample>>();
        var downsampled = new HashSet<Labels>();
        var fetched = new Dictionary<Labels, (int Chunks, long Bytes)>();
        foreach (var series in perBlock)
        {
            foreach (var one in series)
            {
                if (merged.TryGetValue(one.Labels, out var into))
                {
                    into.AddRange(one.Samples);
                }
                else
                {
                    merged[one.Labels] = one.Samples;
                }

                var (n, bytes) = fetched.GetValueOrDefault(one.Labels);
                fetched[one.Labels] = (n + one.Chunks, bytes + one.Bytes);
                if (one.Downsampled)
                {
                    downsampled.Add(one.Labels);
                }
            }
        }

        var aggregate = AggrSelection.For(hints?.Func);
        var result = new List<FetchedSampleSeries>(merged.Count);
        foreach (var (labels, samples) in merged)
        {
            // Only a series read (partly) from downsampled blocks for a counter function gets resets removed; raw
            // answers stay exactly as stored.
            var deduped = aggregate == AggrType.Counter && downsampled.Contains(labels)
                ? DownsampledChunkReader.ApplyCounterResets(samples.OrderBy(s => s.T))
                : Dedup(samples);
            if (labelsOnly || deduped.Length > 0)
            {
                var (chunks, bytes) = fetched.GetValueOrDefault(labels);
                result.Add(new FetchedSampleSeries(labels, deduped, chunks, bytes));
            }
        }

        result.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
        foreach (var s in result)
        {
            yield return s;
        }
    }

    public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var perBlock = await ForEachBlockAsync((b, ct) => b.Block.LabelNamesAsync(matchers, ct), cancellationToken).ConfigureAwait(false);
        return [.. new SortedSet<string>(perBlock.SelectMany(n => n), StringComparer.Ordinal)];
    }

    public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var perBlock = await ForEachBlockAsync((b, ct) => b.Block.LabelValuesAsync(name, matchers, ct), cancellationToken).ConfigureAwait(false);
        return [.. new SortedSet<string>(perBlock.SelectMany(v => v), StringComparer.Ordinal)];
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// Runs <paramref name="read"/> on every overlapping block, up to <see cref="BlockReadConcurrency"/> at once,
    /// each under a lease and with its index-header acquired (loaded now if lazy loading dropped it).
    /// </summary>
    /// <returns>Per block read, oldest first, its result; blocks dropped meanwhile are left out.</returns>
    private async Task<List<T>> ForEachBlockAsync<T>(Func<StoreBlock, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var blocks = tenant.Blocks.Values.Where(b => b.Overlaps(mint, maxt) && (only is null || only.Contains(b.Meta.Ulid))).OrderBy(b => b.Meta.MinTime).ThenBy(b => b.Meta.Ulid).ToList();
        var results = new (bool Read, T Value)[blocks.Count];

        // Each block's read starts on this thread and runs until its first real wait, so a query served from the
        // caches never hops threads (on a busy machine every hop waits for a core); reads waiting on the bucket
        // overlap, at most BlockReadConcurrency at once. The first failure cancels the others.
        using var gate = new SemaphoreSlim(BlockReadConcurrency);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        async Task ReadOneAsync(int i)
        {
            await gate.WaitAsync(failed.Token).ConfigureAwait(false);
            try
            {
                results[i] = await ReadLeasedAsync(blocks[i], read, failed.Token).ConfigureAwait(false);
            }
            catch
            {
                await failed.CancelAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                gate.Release();
            }
        }

        var reads = new Task[blocks.Count];
        for (int i = 0; i < reads.Length; i++)
        {
            reads[i] = ReadOneAsync(i);
        }

        try
        {
            await Task.WhenAll(reads).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && reads.Any(t => t.IsFaulted))
        {
            // Task.WhenAll rethrew a read cancelled by another one's failure: surface that failure instead.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(reads.First(t => t.IsFaulted).Exception!.InnerException!);
        }

        return [.. results.Where(r => r.Read).Select(r => r.Value)];
    }

    /// <summary>Reads one block under a lease with its index-header acquired; not read when the block was dropped meanwhile.</summary>
    private async Task<(bool Read, T Value)> ReadLeasedAsync<T>(StoreBlock block, Func<StoreBlock, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        // A block dropped since the snapshot was taken is skipped: it left the bucket.
        if (!block.TryAcquire())
        {
            return default;
        }

        try
        {
            T value;
            await block.Block.HeaderSlot.AcquireAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                value = await read(block, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                block.Block.HeaderSlot.Release();
            }

            // Recorded only once the whole block was read: a failure half-way must count as not queried.
            queried?.Add(block.Meta.Ulid);
            return (true, value);
        }
        finally
        {
            block.Release();
        }
    }

    /// <summary>
    /// The block's matching series (with chunks in range) and their samples in range, in the block's series order, with
    /// the chunks and bytes read for each (what the querier's fetch limits charge) and whether they came from
    /// downsampled chunks (the aggregate <paramref name="func"/> needs).
    /// </summary>
    private async Task<List<BlockSeries>> ReadBlockAsync(BucketBlock block, IReadOnlyList<Matcher> matchers, bool labelsOnly, string? func, CancellationToken cancellationToken)
    {
        var series = (await block.SelectSeriesAsync(matchers, cancellationToken).ConfigureAwait(false))
            .Select(s => (s.Labels, Chunks: s.Chunks.Where(c => c.Overlaps(mint, maxt)).ToArray()))
            .Where(s => s.Chunks.Length > 0)
            .ToList();
        var chunks = labelsOnly ? [] : await block.ChunksAsync(series.SelectMany(s => s.Chunks.Select(c => c.Ref)), cancellationToken).ConfigureAwait(false);
        var xor = new XorIterator();
        var aggregates = new DownsampledChunkReader(func);
        var result = new List<BlockSeries>(series.Count);
        foreach (var (labels, metas) in series)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var samples = new List<Sample>(labelsOnly ? 0 : SampleCountHint(chunks, metas));
            int read = 0;
            long bytes = 0;
            bool downsampled = false;
            foreach (var meta in labelsOnly ? [] : metas)
            {
                var (encoding, data) = chunks[meta.Ref];
                read++;
                bytes += data.Length;
                if (encoding == ChunkEncoding.Aggr && block.Meta.Thanos is { DownsampleResolution: > 0 })
                {
                    ReadAggregate(aggregates, data, samples, block, meta);
                    downsampled = true;
                    continue;
                }

                if (encoding != ChunkEncoding.Xor)
                {
                    throw new NotSupportedException($"{BucketBlock.ObjectKey(block.Tenant, block.Meta.Ulid, "chunks")}: chunk 0x{meta.Ref:x} has encoding {encoding}; only XOR ({ChunkEncoding.Xor}) is supported.");
                }

                xor.Reset(data);
                Read(xor, samples, block, meta);
            }

            result.Add(new BlockSeries(labels, samples, read, bytes, downsampled));
        }

        return result;
    }

    /// <summary>
    /// The samples a series' chunks hold, from each XOR chunk's 2-byte count: its list is sized once instead of
    /// regrown and copied about 11 times on the way to a day of minutely samples. Only a size; the chunks' own
    /// decoding decides what is read.
    /// </summary>
    private static int SampleCountHint(Dictionary<ulong, (byte Encoding, ReadOnlyMemory<byte> Data)> chunks, ChunkMeta[] metas)
    {
        int n = 0;
        foreach (var meta in metas)
        {
            if (chunks.TryGetValue(meta.Ref, out var chunk) && chunk.Encoding == ChunkEncoding.Xor && chunk.Data.Length >= 2)
            {
                n += BinaryPrimitives.ReadUInt16BigEndian(chunk.Data.Span);
            }
        }

        return n;
    }

    /// <summary>One series as one block answered it.</summary>
    private readonly record struct BlockSeries(Labels Labels, List<Sample> Samples, int Chunks, long Bytes, bool Downsampled);

    private void Read(XorIterator it, List<Sample> into, BucketBlock block, ChunkMeta meta)
    {
        while (it.Next())
        {
            if (it.T >= mint && it.T <= maxt)
            {
                into.Add(new Sample(it.T, it.V));
            }
        }

        if (it.Error is { } e)
        {
            throw new InvalidDataException($"tenant {block.Tenant}, block {block.Meta.Ulid}: chunk 0x{meta.Ref:x} (segment {(meta.Ref >> 32) + 1}, byte {meta.Ref & 0xFFFF_FFFF}) does not decode", e);
        }
    }

    private void ReadAggregate(DownsampledChunkReader aggregates, ReadOnlyMemory<byte> data, List<Sample> into, BucketBlock block, ChunkMeta meta)
    {
        try
        {
            aggregates.Read(data, mint, maxt, into);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"tenant {block.Tenant}, block {block.Meta.Ulid}: chunk 0x{meta.Ref:x}: {e.Message}", e);
        }
    }

    /// <summary>Sorts by time (stable: for equal timestamps the older block wins) and keeps one sample per timestamp.</summary>
    private static Sample[] Dedup(List<Sample> samples)
    {
        // Chunks are time-ordered and blocks are merged oldest first, so the samples are nearly always sorted
        // already; the sort (an allocation and n log n compares per series) is only for overlapping blocks.
        var sorted = samples.ToArray();
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].T < sorted[i - 1].T)
            {
                sorted = [.. samples.OrderBy(s => s.T)];
                break;
            }
        }

        int n = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            if (n == 0 || sorted[i].T != sorted[n - 1].T)
            {
                sorted[n++] = sorted[i];
            }
        }

        return n == sorted.Length ? sorted : sorted[..n];
    }
}

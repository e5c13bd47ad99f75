using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Compactor.Downsampling;

/// <summary>
/// Decodes one source series' chunks into a <see cref="SeriesDownsampler"/>: XOR chunks of a raw block sample by
/// sample, aggregate chunks of a downsampled block window by window (count, sum, min and max in lock step, then the
/// counter sub-chunk). Any other encoding, or a chunk that does not decode, throws naming the block and the series.
/// Reused for every series of its block; not thread-safe.
/// </summary>
internal sealed class SourceSeriesReader(ChunkSegmentReader chunks, Ulid block)
{
    private readonly XorIterator[] _its = [new(), new(), new(), new(), new()];

    /// <summary>Feeds a raw series' samples to <paramref name="into"/>.</summary>
    public void FeedRaw(IndexSeries series, SeriesDownsampler into)
    {
        var it = _its[0];
        foreach (var meta in series.Chunks)
        {
            it.Reset(Data(series, meta, ChunkEncoding.Xor));
            while (it.Next())
            {
                into.AddRaw(it.T, it.V);
            }

            Check(it, series, meta);
        }
    }

    /// <summary>Feeds a downsampled series' aggregate chunks to <paramref name="into"/>, one input chunk at a time.</summary>
    public void FeedAggregates(IndexSeries series, SeriesDownsampler into)
    {
        foreach (var meta in series.Chunks)
        {
            var data = Data(series, meta, ChunkEncoding.Aggr);
            into.BeginInputChunk();
            bool all = true;
            for (int a = (int)AggrType.Count; a <= (int)AggrType.Max; a++)
            {
                all &= Open(data, (AggrType)a, series, meta);
            }

            // A chunk missing one of the four statistics cannot be re-aggregated window by window: only its counter is used.
            while (all && NextAll())
            {
                into.AddAggrStats(_its[0].T, _its[0].V, _its[1].V, _its[2].V, _its[3].V);
            }

            for (int a = 0; a < 4 && all; a++)
            {
                Check(_its[a], series, meta);
            }

            if (Open(data, AggrType.Counter, series, meta))
            {
                var c = _its[(int)AggrType.Counter];
                while (c.Next())
                {
                    into.AddAggrCounter(c.T, c.V);
                }

                Check(c, series, meta);
            }
        }
    }

    private bool NextAll()
    {
        bool any = _its[0].Next();
        for (int a = 1; a < 4; a++)
        {
            if (_its[a].Next() != any)
            {
                throw new InvalidDataException($"block {block}: the count, sum, min and max sub-chunks hold different numbers of windows");
            }
        }

        return any;
    }

    private bool Open(ReadOnlyMemory<byte> data, AggrType type, IndexSeries series, ChunkMeta meta)
    {
        try
        {
            if (!AggrChunk.TryGet(data, type, out var xor))
            {
                return false;
            }

            _its[(int)type].Reset(xor);
            return true;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"block {block}, series {series.Labels}, chunk 0x{meta.Ref:x}: {e.Message}", e);
        }
    }

    private ReadOnlyMemory<byte> Data(IndexSeries series, ChunkMeta meta, byte expected)
    {
        var (encoding, data) = chunks.Chunk(meta.Ref);
        if (encoding != expected)
        {
            throw new InvalidDataException($"block {block}, series {series.Labels}, chunk 0x{meta.Ref:x}: encoding {encoding}, expected {expected}");
        }

        return data;
    }

    private void Check(XorIterator it, IndexSeries series, ChunkMeta meta)
    {
        if (it.Error is { } e)
        {
            throw new InvalidDataException($"block {block}, series {series.Labels}, chunk 0x{meta.Ref:x} does not decode: {e.Message}", e);
        }
    }
}

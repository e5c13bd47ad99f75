using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Compactor.Tests.Downsampling;

/// <summary>Writes raw blocks in a per-test temp dir and reads downsampled ones back, aggregate by aggregate.</summary>
internal sealed class DownsampleTestBlocks : IDisposable
{
    /// <summary>Midnight UTC, aligned to 5m and 1h windows.</summary>
    public static readonly long T0 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private int _seed;

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), $"mc-downsample-{Guid.NewGuid():N}");

    public static long H(double hours) => T0 + (long)(hours * 3_600_000);

    /// <summary>Writes a raw block [minT, maxT) holding <paramref name="series"/>; returns its directory.</summary>
    public string WriteRaw(long minT, long maxT, params (Labels Labels, (long T, double V)[] Samples)[] series)
    {
        var id = Ulid.New(maxT, new Random(++_seed));
        var thanos = new ThanosMeta();
        thanos.Labels["__org_id__"] = "t";
        BlockWriter.Write(Dir, id, series.Select(s => ChunkedSeries.FromSamples(s.Labels, s.Samples)), new BlockWriteOptions { MinTime = minT, MaxTime = maxT, Thanos = thanos });
        return Path.Combine(Dir, id.ToString());
    }

    /// <summary>Downsamples <paramref name="source"/> to <paramref name="resolution"/>; returns the new block's directory and meta.</summary>
    public (string Dir, BlockMeta Meta) Downsample(string source, long resolution)
    {
        var id = Ulid.New(H(0), new Random(++_seed));
        var meta = Compactor.Downsampling.BlockDownsampler.Downsample(source, Dir, id, resolution);
        return (Path.Combine(Dir, id.ToString()), meta);
    }

    /// <summary>Every series of a downsampled block: per chunk, each aggregate's samples.</summary>
    public static Dictionary<Labels, List<Dictionary<AggrType, List<(long T, double V)>>>> Read(string blockDir)
    {
        using var index = IndexReader.Open(Path.Combine(blockDir, BlockWriter.IndexFileName));
        using var chunks = ChunkSegmentReader.Open(Path.Combine(blockDir, BlockWriter.ChunksDirName));
        var result = new Dictionary<Labels, List<Dictionary<AggrType, List<(long, double)>>>>();
        foreach (ulong r in index.AllPostings())
        {
            var series = index.Series(r);
            var list = new List<Dictionary<AggrType, List<(long, double)>>>();
            foreach (var meta in series.Chunks)
            {
                var (encoding, data) = chunks.Chunk(meta.Ref);
                Assert.Equal(ChunkEncoding.Aggr, encoding);
                var parts = new Dictionary<AggrType, List<(long, double)>>();
                foreach (var type in Enum.GetValues<AggrType>())
                {
                    Assert.True(AggrChunk.TryGet(data, type, out var xor));
                    var it = new XorIterator(xor);
                    var samples = new List<(long, double)>();
                    while (it.Next())
                    {
                        Assert.InRange(it.T, meta.MinT, meta.MaxT);
                        samples.Add((it.T, it.V));
                    }

                    Assert.Null(it.Error);
                    parts[type] = samples;
                }

                list.Add(parts);
            }

            result[series.Labels] = list;
        }

        return result;
    }

    /// <summary>The samples of one aggregate over all chunks of a series.</summary>
    public static List<(long T, double V)> All(List<Dictionary<AggrType, List<(long T, double V)>>> chunks, AggrType type) =>
        [.. chunks.SelectMany(c => c[type])];

    /// <summary>The counter sub-chunks read through <see cref="CounterResets"/>, as a reader does for rate.</summary>
    public static List<(long T, double V)> Counter(List<Dictionary<AggrType, List<(long T, double V)>>> chunks)
    {
        var resets = default(CounterResets);
        var result = new List<(long, double)>();
        foreach (var (t, v) in All(chunks, AggrType.Counter))
        {
            if (resets.Add(t, v, out long ot, out double ov))
            {
                result.Add((ot, ov));
            }
        }

        return result;
    }

    /// <summary>The raw counter with resets removed, at each sample (what rate sees), NaNs dropped.</summary>
    public static List<(long T, double V)> Adjusted((long T, double V)[] raw)
    {
        var result = new List<(long, double)>();
        double total = 0, last = 0;
        foreach (var (t, v) in raw.Where(s => !double.IsNaN(s.V)))
        {
            total = result.Count == 0 ? v : total + (v < last ? v : v - last);
            last = v;
            result.Add((t, total));
        }

        return result;
    }

    public void Dispose()
    {
        if (Directory.Exists(Dir))
        {
            Directory.Delete(Dir, recursive: true);
        }
    }
}

using BenchmarkDotNet.Attributes;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Tsdb.Benchmarks;

/// <summary>
/// Appending and iterating one full (120-sample) XOR chunk, as Prometheus'
/// <c>tsdb/chunkenc/benchmark_test.go</c> does. Budget (G19): iterating allocates 0 B; appending
/// allocates only the chunk and its buffer growths.
/// </summary>
[MemoryDiagnoser]
public class XorChunkBenchmarks
{
    private readonly long[] _times = new long[XorChunk.MaxSamplesPerChunk];
    private readonly double[] _values = new double[XorChunk.MaxSamplesPerChunk];
    private readonly XorIterator _iterator = new();
    private byte[] _encoded = [];

    /// <summary>The shape of the values: a steady counter, a noisy gauge, or constant.</summary>
    [Params("counter", "gauge", "constant")]
    public string Shape { get; set; } = "counter";

    [GlobalSetup]
    public void Setup()
    {
        // A fixed seed keeps runs comparable; scrape jitter of a few ms is typical.
        var rnd = new Random(1);
        long t = 1_700_000_000_000;
        double v = 1000;
        for (int i = 0; i < _times.Length; i++)
        {
            t += 15_000 + rnd.Next(-3, 4);
            v = Shape switch
            {
                "counter" => v + rnd.Next(0, 100),
                "gauge" => rnd.NextDouble() * 100,
                _ => v,
            };
            _times[i] = t;
            _values[i] = v;
        }

        var chunk = new XorChunk();
        for (int i = 0; i < _times.Length; i++)
        {
            chunk.Append(_times[i], _values[i]);
        }

        _encoded = chunk.ToArray();
    }

    [Benchmark]
    public int Append120()
    {
        var chunk = new XorChunk();
        for (int i = 0; i < _times.Length; i++)
        {
            chunk.Append(_times[i], _values[i]);
        }

        return chunk.SizeInBytes;
    }

    [Benchmark]
    public double Iterate120()
    {
        _iterator.Reset(_encoded);
        double sum = 0;
        while (_iterator.Next())
        {
            sum += _iterator.V;
        }

        return sum;
    }
}

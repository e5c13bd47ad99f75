using BenchmarkDotNet.Attributes;
using MetricsCluster.Agent.Parsing;

namespace MetricsCluster.Agent.Benchmarks;

/// <summary>
/// Parsing the captured node_exporter 1.5.0 page (507 samples, 75 KB) in text 0.0.4 and in OpenMetrics, as
/// Prometheus' <c>model/textparse/benchmark_test.go</c> does. Samples/s = <see cref="SamplesPerPage"/> / mean.
/// Budget (G19): 0 B allocated per page.
/// </summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private byte[] _page = [];

    /// <summary>The format of the page.</summary>
    [Params("text", "openmetrics")]
    public string Format { get; set; } = "text";

    /// <summary>Sample lines in the page.</summary>
    public int SamplesPerPage { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        string file = Format == "text" ? "node_exporter.txt" : "node_exporter.om.txt";
        _page = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "testdata", file));
        SamplesPerPage = (int)ParsePage();
        Console.WriteLine($"// {Format}: {SamplesPerPage} samples, {_page.Length} bytes per page");
    }

    /// <summary>Every entry of the page; returns the sample count plus a value checksum's integer part.</summary>
    [Benchmark]
    public double ParsePage()
    {
        int samples = 0;
        double sum = 0;
        if (Format == "text")
        {
            var p = new PromTextParser(_page);
            while (p.Next() is var kind && kind != EntryKind.EndOfInput)
            {
                if (kind == EntryKind.Series)
                {
                    samples++;
                    sum += p.Series.Length;
                }
            }
        }
        else
        {
            var p = new OpenMetricsParser(_page);
            while (p.Next() is var kind && kind != EntryKind.EndOfInput)
            {
                if (kind == EntryKind.Series)
                {
                    samples++;
                    sum += p.Series.Length;
                }
            }
        }

        return samples + (sum * 0);
    }
}

using System.Globalization;
using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.Tsdb.Tests.Block;

/// <summary>
/// Real Prometheus blocks: writes an OpenMetrics file (fixed seed, 30 series × 500 samples over ~4.2 h) and
/// converts it with <c>promtool tsdb create-blocks-from openmetrics</c> into a temp dir, deleted on dispose (G18).
/// </summary>
public sealed class PromtoolBlocks : IDisposable
{
    public const int SeriesCount = 30;
    public const int SamplesPerSeries = 500;
    public const long StartSeconds = 1_700_000_000;
    public const int StepSeconds = 30;

    public PromtoolBlocks()
    {
        Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mc-blockr-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        string input = System.IO.Path.Combine(Root, "input.om");
        Expected = Generate(out string text);
        File.WriteAllText(input, text, new UTF8Encoding(false));
        string outDir = System.IO.Path.Combine(Root, "data");
        PromtoolRunner.Run("tsdb", "create-blocks-from", "openmetrics", input, outDir);
        BlockDirs = [.. Directory.GetDirectories(outDir).Where(d => File.Exists(System.IO.Path.Combine(d, "index"))).Order(StringComparer.Ordinal)];
    }

    public string Root { get; }

    /// <summary>Every input series and its samples (ms timestamps as promtool computes them).</summary>
    public Dictionary<Labels, List<Sample>> Expected { get; }

    /// <summary>The block directories promtool wrote, in ULID order.</summary>
    public IReadOnlyList<string> BlockDirs { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static Dictionary<Labels, List<Sample>> Generate(out string text)
    {
        var rnd = new Random(20240601);
        string[] metrics = ["http_requests", "node_temperature_celsius", "queue_depth"];
        string[] jobs = ["api", "db"];
        var sb = new StringBuilder();
        var expected = new Dictionary<Labels, List<Sample>>();
        int perMetric = SeriesCount / metrics.Length;
        foreach (string metric in metrics)
        {
            sb.Append("# TYPE ").Append(metric).Append(" gauge\n");
            for (int s = 0; s < perMetric; s++)
            {
                var pairs = new List<(string, string)> { ("job", jobs[s % 2]), ("instance", $"host-{s / 2}:9100") };
                if (s % 3 == 0)
                {
                    pairs.Add(("zone", s % 2 == 0 ? "eu west" : "us-é"));
                }

                var nameValues = new List<string> { "__name__", metric };
                pairs.ForEach(p => nameValues.AddRange([p.Item1, p.Item2]));
                var labels = Labels.FromStrings([.. nameValues]);
                string labelText = string.Join(',', pairs.Select(p => $"{p.Item1}=\"{p.Item2}\""));
                var samples = new List<Sample>(SamplesPerSeries);
                double v = rnd.Next(-1000, 1000) / 8.0;
                for (int i = 0; i < SamplesPerSeries; i++)
                {
                    v = (i % 50) switch
                    {
                        0 => v,
                        7 => rnd.NextDouble() * 1e12,
                        _ => v + (rnd.Next(0, 4) == 0 ? 0 : Math.Round(rnd.NextDouble() * 10, rnd.Next(0, 4))),
                    };
                    string ts = $"{StartSeconds + ((long)i * StepSeconds)}.{rnd.Next(0, 1000):D3}";
                    string vs = v.ToString("R", CultureInfo.InvariantCulture);
                    sb.Append(metric).Append('{').Append(labelText).Append("} ").Append(vs).Append(' ').Append(ts).Append('\n');

                    // The OpenMetrics parser of Prometheus 2.42 computes int64(seconds * 1000), truncating.
                    long ms = (long)(double.Parse(ts, CultureInfo.InvariantCulture) * 1000);
                    samples.Add(new Sample(ms, double.Parse(vs, CultureInfo.InvariantCulture)));
                }

                expected.Add(labels, samples);
            }
        }

        sb.Append("# EOF\n");
        text = sb.ToString();
        return expected;
    }
}

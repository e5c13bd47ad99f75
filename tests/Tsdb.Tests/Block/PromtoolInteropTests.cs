using System.Globalization;
using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Block;

/// <summary>
/// Writes blocks with <see cref="BlockWriter"/> and reads them back with the real <c>promtool tsdb</c>
/// (list, dump, analyze): the dump must hold exactly the series and samples written.
/// </summary>
public class PromtoolInteropTests
{
    private const ulong StaleNaN = 0x7FF0000000000002;
    private const long Start = 1_700_000_000_000;

    [Theory]
    [InlineData(50, 1000, 42, false)]
    [InlineData(7, 3000, 7, true)]
    public void PromtoolDumpsExactlyWhatWasWritten(int numSeries, int samplesPerSeries, int seed, bool tinySegments)
    {
        using var dir = new BlockTestDir();
        var expected = Generate(numSeries, samplesPerSeries, seed);
        var ulid = Ulid.New(Start, new Random(seed));
        var options = new BlockWriteOptions
        {
            ChunkSegmentSize = tinySegments ? 16 * 1024 : ChunkSegmentWriter.DefaultSegmentSize,
            Thanos = new ThanosMeta { Labels = { ["__org_id__"] = "tenant-" + seed } },
        };
        var meta = BlockWriter.Write(dir.Root, ulid, expected.Values.Select(e => ChunkedSeries.FromSamples(e.Labels, e.Samples.ToArray())), options);

        string list = PromtoolRunner.Run("tsdb", "list", dir.Root);
        Assert.Contains(ulid.ToString(), list, StringComparison.Ordinal);
        string listRow = list.Split('\n').Single(l => l.StartsWith(ulid.ToString(), StringComparison.Ordinal));
        Assert.Contains((numSeries * samplesPerSeries).ToString(CultureInfo.InvariantCulture), listRow, StringComparison.Ordinal);

        string dump = Dump(dir.Root, $"--min-time={meta.MinTime}", $"--max-time={meta.MaxTime}");
        var actual = ParseDump(dump);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (series, (_, samples)) in expected)
        {
            var got = actual[series];
            Assert.Equal(samples.Count, got.Count);
            for (int i = 0; i < samples.Count; i++)
            {
                Assert.Equal(samples[i].T, got[i].T);
                if (double.IsNaN(samples[i].V))
                {
                    // Go's %g prints every NaN (stale marker included) as "NaN"; the bits are checked in XorChunk tests.
                    Assert.True(double.IsNaN(got[i].V), $"{series} @ {got[i].T}: expected NaN, got {got[i].V}");
                }
                else
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(samples[i].V), BitConverter.DoubleToInt64Bits(got[i].V));
                }
            }
        }

        string analyze = PromtoolRunner.Run("tsdb", "analyze", dir.Root, ulid.ToString());
        Assert.Contains($"Series: {numSeries}", analyze, StringComparison.Ordinal);
        Assert.True(Directory.GetFiles(Path.Combine(dir.Root, ulid.ToString(), "chunks")).Length > 1 == tinySegments);
    }

    [Fact]
    public void ReferenceWorkedExampleIsReadByPromtool()
    {
        using var dir = new BlockTestDir();
        var ulid = Ulid.Parse("01DXXFZDYD1MQW6079WK0K6EDQ");
        BlockWriter.Write(dir.Root, ulid, [ChunkedSeries.FromSamples(Labels.FromStrings("__name__", "up", "job", "a"), [(1000, 1.0), (16000, 2.0), (31000, 2.0), (46500, 3.5)])]);
        string dump = Dump(dir.Root);
        Assert.Equal("{__name__=\"up\", job=\"a\"} 1 1000\n{__name__=\"up\", job=\"a\"} 2 16000\n{__name__=\"up\", job=\"a\"} 2 31000\n{__name__=\"up\", job=\"a\"} 3.5 46500\n", dump);
    }

    /// <summary>
    /// Runs <c>promtool tsdb dump [flags] dataDir</c>. promtool 2.42's dump opens the head's WAL and fails with
    /// "read WAL: find last checkpoint: open …/wal: no such file or directory" on a directory holding only
    /// blocks, so an empty <c>wal</c> directory is created first (Prometheus' own data dirs always have one).
    /// </summary>
    internal static string Dump(string dataDir, params string[] flags)
    {
        Directory.CreateDirectory(Path.Combine(dataDir, "wal"));
        return PromtoolRunner.Run(["tsdb", "dump", .. flags, dataDir]);
    }

    /// <summary>Series keyed by their promtool text form (Go <c>labels.String</c>); timestamps jittered, values of every kind.</summary>
    private static Dictionary<string, (Labels Labels, List<(long T, double V)> Samples)> Generate(int numSeries, int samplesPerSeries, int seed)
    {
        var rnd = new Random(seed);
        var result = new Dictionary<string, (Labels, List<(long, double)>)>();
        for (int s = 0; s < numSeries; s++)
        {
            var labels = Labels.FromStrings(
                "__name__", s % 3 == 0 ? "http_requests_total" : "node_cpu_seconds",
                "instance", $"host-{s:D3}:9100",
                "job", s % 2 == 0 ? "api" : "nöde",
                "shard", (s % 5).ToString(CultureInfo.InvariantCulture));
            var samples = new List<(long, double)>(samplesPerSeries);
            long t = Start + rnd.Next(0, 15_000);
            double counter = rnd.Next(0, 1000);
            for (int i = 0; i < samplesPerSeries; i++)
            {
                t += 15_000 + rnd.Next(-500, 500);
                double v = (i % 97) switch
                {
                    13 => double.NaN,
                    14 => BitConverter.Int64BitsToDouble(unchecked((long)StaleNaN)),
                    15 => double.PositiveInfinity,
                    16 => -rnd.NextDouble() * 1e-300,
                    _ => s % 3 == 0 ? counter += rnd.Next(0, 10) : Math.Round(rnd.NextDouble() * 100, rnd.Next(0, 16)),
                };
                samples.Add((t, v));
            }

            result.Add(ToPromtoolString(labels), (labels, samples));
        }

        return result;
    }

    internal static string ToPromtoolString(Labels labels)
    {
        var sb = new StringBuilder("{");
        foreach (var (name, value) in labels.Pairs())
        {
            sb.Append(sb.Length > 1 ? ", " : string.Empty).Append(name).Append("=\"").Append(value).Append('"');
        }

        return sb.Append('}').ToString();
    }

    /// <summary>Go's %g: shortest round-trip digits (parsed exactly by .NET), and "+Inf", "-Inf", "NaN".</summary>
    private static double ParseGoFloat(string s) => s switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>Parses dump lines <c>{labels} value timestamp</c>; label values here need no escaping.</summary>
    internal static Dictionary<string, List<(long T, double V)>> ParseDump(string dump)
    {
        var result = new Dictionary<string, List<(long, double)>>();
        foreach (string line in dump.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int close = line.LastIndexOf('}');
            var rest = line[(close + 2)..].Split(' ');
            Assert.Equal(2, rest.Length);
            string series = line[..(close + 1)];
            if (!result.TryGetValue(series, out var list))
            {
                result.Add(series, list = []);
            }

            list.Add((long.Parse(rest[1], CultureInfo.InvariantCulture), ParseGoFloat(rest[0])));
        }

        return result;
    }
}

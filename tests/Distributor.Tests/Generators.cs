using FsCheck;
using FsCheck.Fluent;
using MetricsCluster.Core;
using MetricsCluster.Core.Wire.Prompb;

namespace MetricsCluster.Distributor.Tests;

/// <summary>FsCheck generators of valid remote-write requests, and the batch a correct parser must build from one.</summary>
public static class Generators
{
    private const string NameFirst = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    private const string NameRest = NameFirst + "0123456789";
    private static readonly string[] s_valuePieces = ["a", "b", "Z", "0", " ", "é", "日本", "😀", "\"", "\\", "\n", "job", "{}"];

    private static readonly double[] s_specialValues =
    [
        0, -0.0, 1, -1, double.MaxValue, double.Epsilon, double.PositiveInfinity, double.NegativeInfinity, double.NaN,
        BitConverter.Int64BitsToDouble(0x7FF0000000000002), // Stale marker.
        BitConverter.Int64BitsToDouble(0x7FF8000000000001), // Prometheus' normal NaN.
    ];

    public static Gen<string> Name(bool metric) =>
        from first in Gen.Elements((metric ? NameFirst + ":" : NameFirst).ToCharArray())
        from n in Gen.Choose(0, 8)
        from rest in Gen.ArrayOf(Gen.Elements((metric ? NameRest + ":" : NameRest).ToCharArray()), n)
        select first + new string(rest);

    public static Gen<string> Value() =>
        from n in Gen.Choose(1, 5)
        from pieces in Gen.ArrayOf(Gen.Elements(s_valuePieces), n)
        select string.Concat(pieces);

    public static Gen<double> SampleValue() =>
        Gen.OneOf(Gen.Elements(s_specialValues), ArbMap.Default.GeneratorFor<double>());

    /// <summary>Timestamps anywhere from years back to 5 minutes ahead of <paramref name="nowMs"/> (valid with default limits).</summary>
    public static Gen<long> Timestamp(long nowMs) =>
        from coarse in Gen.Choose(-100_000, 300)
        from fine in Gen.Choose(0, 999)
        select nowMs + (coarse * 1000L) + fine;

    public static Gen<TimeSeries> Series(long nowMs) =>
        from metric in Name(metric: true)
        from extra in Gen.Choose(0, 6)
        from names in Gen.ArrayOf(Name(metric: false), extra)
        from values in Gen.ArrayOf(Value(), extra + 1)
        from sampleCount in Gen.Choose(0, 4)
        from ts in Gen.ArrayOf(Timestamp(nowMs), sampleCount)
        from vs in Gen.ArrayOf(SampleValue(), sampleCount)
        select BuildSeries(metric, names, values, ts, vs);

    public static Gen<MetricMetadata> Metadata() =>
        from name in Name(metric: true)
        from type in Gen.Choose(0, 7)
        from help in Gen.OneOf(Gen.Constant(string.Empty), Value())
        from unit in Gen.Elements(string.Empty, "seconds", "bytes")
        select new MetricMetadata { MetricFamilyName = name, Type = (MetricMetadata.Types.MetricType)type, Help = help, Unit = unit };

    public static Gen<WriteRequest> Request(long nowMs) =>
        from n in Gen.Choose(0, 8)
        from series in Gen.ArrayOf(Series(nowMs), n)
        from m in Gen.Choose(0, 2)
        from metadata in Gen.ArrayOf(Metadata(), m)
        select BuildRequest(series, metadata);

    /// <summary>The series a correct parser must put in the batch for a valid request.</summary>
    public static List<string> ExpectedSeries(WriteRequest request) =>
        request.Timeseries.Where(ts => ts.Samples.Count > 0).Select(ts =>
        {
            var b = new LabelsBuilder();
            foreach (var l in ts.Labels)
            {
                b.Set(l.Name, l.Value);
            }

            var labels = b.Build();
            return Describe(labels, labels.Hash, ts.Samples.Select(s => (s.Timestamp, BitConverter.DoubleToInt64Bits(s.Value))));
        }).ToList();

    public static List<Core.Ingest.MetricMetadata> ExpectedMetadata(WriteRequest request) =>
        request.Metadata.Select(m => new Core.Ingest.MetricMetadata(m.MetricFamilyName, (Core.Ingest.MetricType)(int)m.Type, m.Help, m.Unit)).ToList();

    public static List<string> Describe(RecordedBatch batch) =>
        batch.Series.Select(s => Describe(s.Labels, s.Hash, s.Samples)).ToList();

    private static string Describe(Labels labels, ulong hash, IEnumerable<(long T, long VBits)> samples) =>
        $"{Convert.ToHexString(labels.Bytes)} {labels} #{hash:X16} [{string.Join(",", samples.Select(s => $"{s.T}:{s.VBits:X16}"))}]";

    private static TimeSeries BuildSeries(string metric, string[] names, string[] values, long[] ts, double[] vs)
    {
        var pairs = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["__name__"] = metric };
        for (int i = 0; i < names.Length; i++)
        {
            pairs.TryAdd(names[i], values[i + 1]);
        }

        var series = new TimeSeries();
        foreach (var (n, v) in pairs)
        {
            series.Labels.Add(new Label { Name = n, Value = v });
        }

        for (int i = 0; i < ts.Length; i++)
        {
            series.Samples.Add(new Sample { Timestamp = ts[i], Value = vs[i] });
        }

        return series;
    }

    private static WriteRequest BuildRequest(TimeSeries[] series, MetricMetadata[] metadata)
    {
        var r = new WriteRequest();
        r.Timeseries.AddRange(series);
        r.Metadata.AddRange(metadata);
        return r;
    }
}

using System.Globalization;
using Google.Protobuf;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Core.Snappy;
using MetricsCluster.Core.Wire.Prompb;

namespace MetricsCluster.Distributor.Tests;

/// <summary>A real <see cref="Distributor"/> over a recording ingester and a manual clock (G18).</summary>
public sealed class TestDistributor
{
    public const string Tenant = "tenant-1";

    private TestDistributor(DistributorOptions options, Limits defaults, IReadOnlyDictionary<string, Limits>? overrides)
    {
        Options = options;
        Distributor = new Distributor(Ingester, new StaticOverrides(defaults, overrides), options, Registry, Time);
    }

    public FakeIngesterClient Ingester { get; } = new();

    public ManualTimeProvider Time { get; } = new(ManualTimeProvider.DefaultStart);

    public MetricsRegistry Registry { get; } = new();

    public DistributorOptions Options { get; }

    public Distributor Distributor { get; }

    public long NowMs => Time.NowMs;

    /// <param name="distributor">Changes to the process-wide options.</param>
    /// <param name="limits">Every tenant's limits (default: Mimir's defaults).</param>
    /// <param name="overrides">Per-tenant limits replacing <paramref name="limits"/> for those tenants.</param>
    public static TestDistributor Create(Action<DistributorOptions>? distributor = null, Limits? limits = null, IReadOnlyDictionary<string, Limits>? overrides = null)
    {
        var d = new DistributorOptions();
        distributor?.Invoke(d);
        return new TestDistributor(d, limits ?? new Limits(), overrides);
    }

    public ValueTask<PushOutcome> PushProtobufAsync(byte[] protobuf, string tenant = Tenant) =>
        Distributor.PushAsync(tenant, SnappyEncoder.Encode(protobuf), "application/x-protobuf", "snappy", CancellationToken.None);

    public ValueTask<PushOutcome> PushAsync(WriteRequest request, string tenant = Tenant) => PushProtobufAsync(request.ToByteArray(), tenant);

    /// <summary>Reads one sample of the registry's text output, e.g. <c>metricscluster_x{user="t"}</c>; absent = null.</summary>
    public double? Metric(string nameAndLabels)
    {
        foreach (string line in Registry.WriteText().Split('\n'))
        {
            if (line.StartsWith(nameAndLabels + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(nameAndLabels.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}

/// <summary>Builders for generated remote-write messages.</summary>
public static class Requests
{
    public static TimeSeries Series(long t, double v, params string[] nameValues)
    {
        var ts = new TimeSeries();
        for (int i = 0; i < nameValues.Length; i += 2)
        {
            ts.Labels.Add(new Label { Name = nameValues[i], Value = nameValues[i + 1] });
        }

        ts.Samples.Add(new Sample { Timestamp = t, Value = v });
        return ts;
    }

    public static WriteRequest Of(params TimeSeries[] series)
    {
        var r = new WriteRequest();
        r.Timeseries.AddRange(series);
        return r;
    }
}

using System.Globalization;
using System.Text;
using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.PromQL.Tests.Scripts;

namespace MetricsCluster.QueryFrontend.Tests;

/// <summary>
/// The PromQL engine over an in-memory store with three days of data around two UTC midnights: counters with a
/// reset, gauges, a series with gaps longer than the lookback and a stale marker (G18: real objects).
/// </summary>
public sealed class EngineHarness : IDisposable
{
    /// <summary>2026-03-02T00:00:00Z, the first midnight inside the data.</summary>
    public static readonly long Midnight = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public const long Day = 86_400_000;

    public EngineHarness()
    {
        var rng = new Random(7);
        for (long t = Midnight - Day + 7_000; t <= Midnight + 2 * Day; t += 15_000)
        {
            foreach (string instance in new[] { "a", "b", "c" })
            {
                long n = (t - Midnight) / 15_000;
                double counter = instance == "b" && t > Midnight + 3_600_000 ? n - 240 : n + 1_000_000;
                Storage.Add(Labels.FromStrings("__name__", "http_requests_total", "instance", instance, "job", "api"), t, Math.Abs(counter) * (instance == "c" ? 3 : 1));
                Storage.Add(Labels.FromStrings("__name__", "gauge", "instance", instance, "job", "api"), t, Math.Round(rng.NextDouble() * 100, 2));
            }

            // On for an hour, off for 20 minutes (longer than the lookback), so series come and go across splits.
            if ((t - Midnight + Day) % 4_800_000 < 3_600_000)
            {
                Storage.Add(Labels.FromStrings("__name__", "sparse", "job", "batch"), t, (t / 1000) % 97);
            }
        }

        // A stale marker right at a midnight: the series must end there in every split.
        Storage.Add(Labels.FromStrings("__name__", "ends_at_midnight"), Midnight - 30_000, 1);
        Storage.Add(Labels.FromStrings("__name__", "ends_at_midnight"), Midnight - 15_000, 2);
        Storage.Add(Labels.FromStrings("__name__", "ends_at_midnight"), Midnight, StaleMarker.Value);
    }

    public MemoryStorage Storage { get; } = new();

    public QueryEngine Engine { get; } = new(new EngineOptions());

    /// <summary>The engine as a downstream, counting calls.</summary>
    public CountingDownstream Downstream() => new(new EngineDownstream(Engine, Storage));

    public void Dispose() => Engine.Dispose();

    /// <summary>A canonical text of a result: bit-exact values, labels, annotations and errors.</summary>
    public static string Canonical(QueryResult r)
    {
        var sb = new StringBuilder();
        if (r.Error is { } e)
        {
            sb.Append("error ").Append(e.TypeName).Append(": ").Append(e.Message).Append('\n');
        }

        foreach (string w in r.Warnings)
        {
            sb.Append("warning ").Append(w).Append('\n');
        }

        foreach (string i in r.Infos)
        {
            sb.Append("info ").Append(i).Append('\n');
        }

        if (r.Value is MatrixValue m)
        {
            foreach (var s in m.Series)
            {
                sb.Append(s.Metric.ToString()).Append(s.DropName ? " dropname" : string.Empty).Append('\n');
                foreach (var p in s.Floats)
                {
                    sb.Append(' ').Append(p.T.ToString(CultureInfo.InvariantCulture)).Append('=')
                        .Append(BitConverter.DoubleToInt64Bits(p.F).ToString("x16", CultureInfo.InvariantCulture));
                }

                sb.Append('\n');
            }
        }
        else if (r.Value is not null)
        {
            sb.Append("value ").Append(r.Value);
        }

        return sb.ToString();
    }
}

/// <summary>The engine over one store, as the host binds the querier's runner.</summary>
public sealed class EngineDownstream(QueryEngine engine, MemoryStorage storage) : IQueryDownstream
{
    public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
        engine.InstantQueryAsync(storage, tenant, query, timeMs, cancellationToken);

    public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken) =>
        engine.RangeQueryAsync(storage, tenant, query, startMs, endMs, stepMs, cancellationToken);
}

/// <summary>Records every range call it forwards.</summary>
public sealed class CountingDownstream(IQueryDownstream inner) : IQueryDownstream
{
    private readonly List<(long Start, long End)> _calls = [];

    public IReadOnlyList<(long Start, long End)> Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.Order().ToList();
            }
        }
    }

    public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
        inner.InstantQueryAsync(tenant, query, timeMs, cancellationToken);

    public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
    {
        lock (_calls)
        {
            _calls.Add((startMs, endMs));
        }

        return inner.RangeQueryAsync(tenant, query, startMs, endMs, stepMs, cancellationToken);
    }
}

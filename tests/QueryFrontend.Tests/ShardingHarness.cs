using System.Globalization;
using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.PromQL.Tests.Scripts;

namespace MetricsCluster.QueryFrontend.Tests;

/// <summary>
/// The engine over an in-memory store with enough series for 16 shards to matter: 48 counters and 48 gauges over
/// 4 jobs and 3 groups, with a reset, NaN and infinite values, series that come and go (gaps longer than the
/// lookback) and one that ends in a stale marker, two days around a UTC midnight at a 30 s interval (G18).
/// </summary>
public sealed class ShardingHarness : IDisposable
{
    public static readonly long Midnight = EngineHarness.Midnight;

    public ShardingHarness()
    {
        var rng = new Random(11);
        for (long t = Midnight - EngineHarness.Day; t <= Midnight + EngineHarness.Day; t += 30_000)
        {
            long n = (t - Midnight + EngineHarness.Day) / 30_000;
            for (int i = 0; i < 48; i++)
            {
                string inst = i.ToString("D2", CultureInfo.InvariantCulture);
                string job = "j" + (i % 4).ToString(CultureInfo.InvariantCulture);
                string g = "g" + (i % 3).ToString(CultureInfo.InvariantCulture);
                double counter = (i == 5 && t > Midnight + 3_600_000 ? n - 200 : n + 1000) * (1 + (i % 7));
                Storage.Add(Labels.FromStrings("__name__", "http_requests_total", "instance", inst, "job", job, "g", g), t, counter);
                double gauge = i == 7 && n % 500 == 3 ? double.NaN
                    : i == 9 && n % 700 == 5 ? double.PositiveInfinity
                    : Math.Round(rng.NextDouble() * 100, 3);
                Storage.Add(Labels.FromStrings("__name__", "gauge", "instance", inst, "job", job, "g", g), t, gauge);

                // On for an hour, off for 20 minutes, phase-shifted by series: they come and go at different steps.
                if (i % 3 == 0 && ((t - Midnight) + (i * 600_000)) % 4_800_000 is >= 0 and < 3_600_000)
                {
                    Storage.Add(Labels.FromStrings("__name__", "sparse", "instance", inst, "job", job), t, n % 97);
                }
            }
        }

        Storage.Add(Labels.FromStrings("__name__", "ends", "job", "j0"), Midnight - 60_000, 1);
        Storage.Add(Labels.FromStrings("__name__", "ends", "job", "j0"), Midnight - 30_000, 2);
        Storage.Add(Labels.FromStrings("__name__", "ends", "job", "j0"), Midnight, StaleMarker.Value);
    }

    public MemoryStorage Storage { get; } = new();

    public QueryEngine Engine { get; } = new(new EngineOptions());

    public void Dispose() => Engine.Dispose();
}

/// <summary>The engine as a downstream, recording every query text it is sent.</summary>
public sealed class RecordingDownstream(QueryEngine engine, MemoryStorage storage) : IQueryDownstream
{
    private readonly List<string> _queries = [];

    public IReadOnlyList<string> Queries
    {
        get
        {
            lock (_queries)
            {
                return [.. _queries];
            }
        }
    }

    public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken)
    {
        lock (_queries)
        {
            _queries.Add(query);
        }

        return engine.InstantQueryAsync(storage, tenant, query, timeMs, cancellationToken);
    }

    public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
    {
        lock (_queries)
        {
            _queries.Add(query);
        }

        return engine.RangeQueryAsync(storage, tenant, query, startMs, endMs, stepMs, cancellationToken);
    }
}

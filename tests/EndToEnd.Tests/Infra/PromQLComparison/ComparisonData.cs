using MetricsCluster.Core.Wire.Prompb;

namespace MetricsCluster.EndToEnd.Tests.Infra.PromQLComparison;

/// <summary>
/// Deterministic synthetic data (fixed seed) for the PromQL comparison: about 120 series, one sample every 15 s
/// for one hour ending at <see cref="EndSec"/>. Every sample sits 1234 ms past a 15 s step, so no sample is ever
/// on a query-window boundary (queries evaluate at whole seconds): Prometheus 2.x (closed windows) and 3.x
/// (left-open windows) then give the same answers.
/// </summary>
public sealed class ComparisonData
{
    /// <summary>Samples per series (when it lives the whole hour).</summary>
    public const int Points = 240;

    /// <summary>Scrape interval.</summary>
    public const long StepMs = 15_000;

    /// <summary>Offset of every sample past its 15 s step.</summary>
    public const long OffsetMs = 1_234;

    /// <summary>The Prometheus stale marker.</summary>
    public static readonly double StaleNaN = BitConverter.Int64BitsToDouble(0x7ff0000000000002);

    private readonly List<TimeSeries> _series = [];
    private readonly Random _rng = new(20261122);

    private ComparisonData(long endSec)
    {
        EndSec = endSec;
        StartSec = endSec - 3600;
        HttpRequests();
        CpuSeconds();
        Temperatures();
        QueueDepth();
        Histograms();
        Heartbeats();
        WeirdValues();
        InfoSeries();
    }

    /// <summary>Start of the data (whole minute, unix seconds); the first sample is 1.234 s later.</summary>
    public long StartSec { get; }

    /// <summary>End of the data (whole minute, unix seconds); the last sample is 13.766 s earlier.</summary>
    public long EndSec { get; }

    /// <summary>All series with all their samples.</summary>
    public IReadOnlyList<TimeSeries> Series => _series;

    /// <summary>Data ending at the whole minute at least three minutes before <paramref name="now"/>.</summary>
    public static ComparisonData Create(DateTimeOffset now) => new((now.ToUnixTimeSeconds() / 60 * 60) - 180);

    /// <summary>
    /// Snappy-compressed remote-write bodies, one per <paramref name="sliceMinutes"/> of time, in time order: each
    /// series' samples arrive in order and every request stays within Prometheus' head append window.
    /// </summary>
    public IEnumerable<byte[]> Bodies(int sliceMinutes = 10)
    {
        long sliceMs = sliceMinutes * 60_000L;
        for (long from = StartSec * 1000; from < EndSec * 1000; from += sliceMs)
        {
            var slice = new List<TimeSeries>();
            foreach (TimeSeries s in _series)
            {
                var part = new TimeSeries();
                part.Labels.AddRange(s.Labels);
                part.Samples.AddRange(s.Samples.Where(x => x.Timestamp >= from && x.Timestamp < from + sliceMs));
                if (part.Samples.Count > 0)
                {
                    slice.Add(part);
                }
            }

            yield return RemoteWrite.Body([.. slice]);
        }
    }

    private long T(int k) => (StartSec * 1000) + (k * StepMs) + OffsetMs;

    /// <summary>Adds a series; <paramref name="value"/> gives the value at step k or null for no sample there.</summary>
    private void Add(Func<int, double?> value, params string[] labels)
    {
        var samples = new List<(long, double)>();
        for (int k = 0; k < Points; k++)
        {
            if (value(k) is { } v)
            {
                samples.Add((T(k), v));
            }
        }

        _series.Add(RemoteWrite.Series(samples, labels));
    }

    /// <summary>Initial value of every counter (see <see cref="HttpRequests"/>).</summary>
    private const double CounterBase = 1e6;

    /// <summary>Counters with resets, one series starting late and one ending with a stale marker.</summary>
    private void HttpRequests()
    {
        (string Job, string Instance)[] targets = [("api", "10.0.0.1:8080"), ("api", "10.0.0.2:8080"), ("web", "10.0.1.1:80"), ("web", "10.0.1.2:80")];
        int n = 0;
        foreach (var (job, instance) in targets)
        {
            foreach (string method in new[] { "GET", "POST" })
            {
                foreach (string status in new[] { "200", "404", "500" })
                {
                    int idx = n++;
                    int rate = _rng.Next(1, 20);
                    // Counters start high: at the start of the data Prometheus 2.x and 3.x apply rate's zero-point cap in a
                    // different order, which only matters while durationToZero can be shorter than the window.
                    double v = CounterBase + _rng.Next(0, 100);
                    int resetAt = idx % 5 == 1 ? 60 + (idx * 7 % 120) : -1;
                    int startAt = instance == "10.0.1.2:80" && method == "POST" ? 80 : 0;
                    int staleAt = instance == "10.0.0.2:8080" && method == "POST" && status == "500" ? 170 : -1;
                    double[] values = new double[Points];
                    for (int k = 0; k < Points; k++)
                    {
                        v = k == resetAt ? _rng.Next(0, 5) : v + _rng.Next(0, rate * 2);
                        values[k] = v;
                    }

                    Add(k => k < startAt || (staleAt >= 0 && k > staleAt) ? null : k == staleAt ? StaleNaN : values[k],
                        "__name__", "http_requests_total", "job", job, "instance", instance, "method", method, "status", status);
                }
            }
        }
    }

    /// <summary>Fractional counters; one instance restarts (reset) halfway.</summary>
    private void CpuSeconds()
    {
        foreach (string instance in new[] { "host-a", "host-b", "host-c" })
        {
            foreach (string mode in new[] { "user", "system", "idle" })
            {
                double speed = mode == "idle" ? 12 : mode == "user" ? 2.5 : 0.7;
                double v = CounterBase + (_rng.NextDouble() * 1000);
                double[] values = new double[Points];
                for (int k = 0; k < Points; k++)
                {
                    v = instance == "host-c" && k == 120 ? _rng.NextDouble() : v + (_rng.NextDouble() * speed);
                    values[k] = v;
                }

                Add(k => values[k], "__name__", "node_cpu_seconds_total", "instance", instance, "mode", mode);
            }
        }
    }

    /// <summary>Gauges around zero with negatives, exact zeros, one NaN and one +Inf sample.</summary>
    private void Temperatures()
    {
        string[] hosts = ["host-a", "host-b", "host-c", "host-d"];
        for (int h = 0; h < hosts.Length; h++)
        {
            foreach (string sensor in new[] { "cpu", "board" })
            {
                double phase = _rng.NextDouble() * 6;
                double scale = sensor == "cpu" ? 30 : 8;
                double[] values = new double[Points];
                for (int k = 0; k < Points; k++)
                {
                    values[k] = Math.Round((scale * Math.Sin((k / 20.0) + phase)) + (_rng.NextDouble() * 4) - 2, 2);
                }

                string host = hosts[h];
                Add(k => (host, sensor, k) switch
                    {
                        ("host-b", "board", _) when k % 17 == 0 => 0,
                        ("host-c", "cpu", 100) => double.NaN,
                        ("host-d", "board", 101) => double.PositiveInfinity,
                        _ => values[k],
                    },
                    "__name__", "node_temperature_celsius", "instance", host, "sensor", sensor);
            }
        }
    }

    /// <summary>Integer random walks clamped at zero (many zeros, many changes, "resets" when falling).</summary>
    private void QueueDepth()
    {
        foreach (string queue in new[] { "email", "sms", "push", "webhook", "batch" })
        {
            int v = _rng.Next(0, 10);
            int[] values = new int[Points];
            for (int k = 0; k < Points; k++)
            {
                v = Math.Max(0, v + _rng.Next(-4, 5));
                values[k] = queue == "batch" && k % 30 < 10 ? 0 : v;
            }

            Add(k => values[k], "__name__", "queue_depth", "queue", queue);
        }
    }

    /// <summary>Classic histograms; web/a resets halfway, batch/b has a bucket lower than the one before it.</summary>
    private void Histograms()
    {
        string[] les = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];
        double[] bounds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, double.PositiveInfinity];
        foreach (string job in new[] { "api", "web", "batch" })
        {
            foreach (string instance in new[] { "a", "b" })
            {
                double[,] buckets = new double[Points, les.Length];
                double[] sum = new double[Points];
                double[] count = new double[Points];
                double[] cum = Enumerable.Range(0, les.Length).Select(b => CounterBase + (1000.0 * b)).ToArray();
                double s = CounterBase, c = cum[^1];
                double typical = job == "batch" ? 1.2 : job == "web" ? 0.3 : 0.12;
                for (int k = 0; k < Points; k++)
                {
                    if (job == "web" && instance == "a" && k == 150)
                    {
                        Array.Clear(cum);
                        s = c = 0;
                    }

                    int observations = _rng.Next(0, 30);
                    for (int o = 0; o < observations; o++)
                    {
                        double d = Math.Round(-typical * Math.Log(1 - _rng.NextDouble()), 3);
                        s += d;
                        c++;
                        for (int b = 0; b < les.Length; b++)
                        {
                            cum[b] += d <= bounds[b] ? 1 : 0;
                        }
                    }

                    for (int b = 0; b < les.Length; b++)
                    {
                        // Non-monotonic case: batch/b reports le="0.5" with the count of le="0.1".
                        buckets[k, b] = job == "batch" && instance == "b" && b == 3 ? cum[1] : cum[b];
                    }

                    sum[k] = Math.Round(s, 3);
                    count[k] = c;
                }

                for (int b = 0; b < les.Length; b++)
                {
                    int bucket = b;
                    Add(k => buckets[k, bucket], "__name__", "request_duration_seconds_bucket", "job", job, "instance", instance, "le", les[b]);
                }

                Add(k => sum[k], "__name__", "request_duration_seconds_sum", "job", job, "instance", instance);
                Add(k => count[k], "__name__", "request_duration_seconds_count", "job", job, "instance", instance);
            }
        }
    }

    /// <summary>Series that start late, stop with or without a stale marker.</summary>
    private void Heartbeats()
    {
        (string Worker, int Start, int Stop, bool Stale)[] workers =
        [
            ("w1", 0, Points, false), ("w2", 0, 100, true), ("w3", 0, 130, false), ("w4", 60, Points, false), ("w5", 30, 200, true),
        ];
        foreach (var (worker, start, stop, stale) in workers)
        {
            double baseValue = _rng.Next(100, 200);
            Add(k => k < start || k > stop ? null : k == stop ? (stale ? StaleNaN : null) : baseValue + k,
                "__name__", "worker_heartbeat_seconds", "worker", worker);
        }
    }

    /// <summary>NaN and ±Inf mixed into ordinary values, a series of NaN only, and huge magnitudes.</summary>
    private void WeirdValues()
    {
        Add(k => k % 10 == 3 ? double.NaN : k * 0.5, "__name__", "weird_values", "kind", "nan_sometimes");
        Add(k => k % 25 == 0 ? double.PositiveInfinity : k % 25 == 12 ? double.NegativeInfinity : 100 - k, "__name__", "weird_values", "kind", "inf_sometimes");
        Add(_ => double.NaN, "__name__", "weird_values", "kind", "all_nan");
        Add(k => (k % 2 == 0 ? 1 : -1) * 1e300 * (1 + (k % 7)), "__name__", "weird_values", "kind", "huge");
    }

    /// <summary>Info-style series for joins and label_replace/label_join.</summary>
    private void InfoSeries()
    {
        (string Service, string Region, string Pod)[] services =
        [
            ("payments-api-v2", "eu-west-1", "payments-api-7f9c-abcde"),
            ("checkout-web-v1", "us-east-1", "checkout-web-5d8b-fghij"),
            ("search-api-v10", "eu-west-1", "search-api-66aa-klmno"),
            ("billing-worker", "ap-south-1", "billing-worker-0"),
        ];
        foreach (var (service, region, pod) in services)
        {
            Add(_ => 1, "__name__", "service_info", "service", service, "region", region, "pod", pod);
        }

        string[] versions = ["1.2.3", "1.2.3", "2.0.0-rc.1", "0.9.12"];
        string[] hosts = ["host-a", "host-b", "host-c", "host-d"];
        for (int h = 0; h < hosts.Length; h++)
        {
            Add(_ => 1, "__name__", "node_info", "instance", hosts[h], "version", versions[h], "os", h % 2 == 0 ? "linux" : "freebsd");
        }

        (string Job, string Instance)[] targets = [("api", "10.0.0.1:8080"), ("api", "10.0.0.2:8080"), ("web", "10.0.1.1:80"), ("web", "10.0.1.2:80")];
        foreach (var (job, instance) in targets)
        {
            Add(k => instance == "10.0.0.2:8080" && k % 40 >= 35 ? 0 : 1, "__name__", "up", "job", job, "instance", instance);
        }
    }
}

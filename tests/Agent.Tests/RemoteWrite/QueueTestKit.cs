using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MetricsCluster.Agent.RemoteWrite;
using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using Xunit;

namespace MetricsCluster.Agent.Tests.RemoteWrite;

/// <summary>
/// Builds real queues in a per-test temp directory (G18) with short deadlines and backoffs, so tests
/// run quickly, and polls for outcomes with a generous timeout instead of sleeping.
/// </summary>
public sealed class QueueTestKit : IAsyncDisposable
{
    public const string Name = "test";

    private readonly List<RemoteWriteQueue> _queues = [];
    private readonly List<HttpRemoteWriteTransport> _transports = [];

    public QueueTestKit()
    {
        Directory = Path.Combine(Path.GetTempPath(), "mc-agent-rw-" + Guid.NewGuid().ToString("N"));
    }

    public string Directory { get; }

    public MetricsRegistry Registry { get; } = new();

    public ListLogger<RemoteWriteQueue> Logger { get; } = new();

    public RemoteWriteOptions Options(Uri url, Action<RemoteWriteOptions>? tweak = null)
    {
        var options = new RemoteWriteOptions
        {
            Url = url,
            Name = Name,
            QueueDirectory = Directory,
            MinShards = 4,
            MaxShards = 4,
            MaxSamplesPerSend = 50,
            BatchSendDeadline = TimeSpan.FromMilliseconds(50),
            MinBackoff = TimeSpan.FromMilliseconds(10),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
            AckPersistInterval = TimeSpan.FromMilliseconds(50),
            RemoteTimeout = TimeSpan.FromSeconds(30),
        };
        tweak?.Invoke(options);
        return options;
    }

    public RemoteWriteQueue Start(Uri url, Action<RemoteWriteOptions>? tweak = null)
    {
        var options = Options(url, tweak);
        var transport = new HttpRemoteWriteTransport(options, TimeProvider.System);
        _transports.Add(transport);
        var queue = new RemoteWriteQueue(options, transport, Registry, Logger, TimeProvider.System);
        _queues.Add(queue);
        return queue;
    }

    public double Counter(string name, Uri url) => Registry.Counter(name, string.Empty, "remote_name", "url").WithLabels(Name, url.ToString()).Value;

    public double Gauge(string name, Uri url) => Registry.Gauge(name, string.Empty, "remote_name", "url").WithLabels(Name, url.ToString()).Value;

    public string[] SegmentFiles() =>
        [.. System.IO.Directory.GetFiles(Directory).Select(Path.GetFileName).Where(n => QueueFormat.TryParseSegmentName(n!, out _)).Order(StringComparer.Ordinal)!];

    public async ValueTask DisposeAsync()
    {
        foreach (var q in _queues)
        {
            await q.DisposeAsync();
        }

        foreach (var t in _transports)
        {
            t.Dispose();
        }

        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after a minute.</summary>
    public static async Task UntilAsync(Func<bool> condition, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                Assert.Fail("timed out waiting: " + what());
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Scrapes of <paramref name="series"/> series, <paramref name="rounds"/> rounds: one batch per round,
    /// one sample per series, timestamps strictly increasing per series. Values cover the awkward bit
    /// patterns (stale marker, other NaN, infinities, negative zero); the last round marks odd series stale.
    /// </summary>
    public static List<ScrapedSample[]> Scrapes(int series, int rounds, long startMs = 1_700_000_000_000, string metric = "agent_test_metric")
    {
        // No -0.0: proto3 omits a double equal to 0, so remote write (Prometheus' too) delivers it as +0.
        double[] special = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, 1e300, -1e-300];
        var batches = new List<ScrapedSample[]>();
        for (int r = 0; r < rounds; r++)
        {
            var batch = new ScrapedSample[series];
            for (int s = 0; s < series; s++)
            {
                var labels = Labels.FromStrings("__name__", metric, "job", "agent", "instance", "host-" + s, "le", s % 3 == 0 ? "x\"y\\z" : "π");
                double value = r == rounds - 1 && s % 2 == 1 ? StaleMarker.Value
                    : (r + s) % 7 == 0 ? special[(r + s) % special.Length]
                    : (r * 1000.25) + s;
                batch[s] = new ScrapedSample(labels, startMs + (r * 15_000) + s, value);
            }

            batches.Add(batch);
        }

        return batches;
    }

    /// <summary>The receiver's view of a written sample.</summary>
    public static Received Expected(ScrapedSample s) =>
        new("{" + string.Join(",", s.Labels.Pairs().Select(p => $"{p.Key}=\"{p.Value}\"")) + "}", s.TimestampMs, BitConverter.DoubleToInt64Bits(s.Value));

    public static List<Received> Sorted(IEnumerable<Received> samples) =>
        [.. samples.OrderBy(r => r.Series, StringComparer.Ordinal).ThenBy(r => r.TimestampMs).ThenBy(r => r.ValueBits)];

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Asserts every written sample arrived exactly (bits included) and per-series order held.</summary>
    /// <param name="written">The batches written.</param>
    /// <param name="received">What the receiver accepted.</param>
    /// <param name="exactlyOnce">Whether duplicates are a failure (no restart in between).</param>
    public static void AssertAllArrivedInOrder(IEnumerable<ScrapedSample[]> written, IReadOnlyList<Received> received, bool exactlyOnce = true)
    {
        var expected = written.SelectMany(b => b).Select(Expected).ToList();
        Assert.Equal(Sorted(expected), Sorted(received.Distinct()));
        if (exactlyOnce)
        {
            Assert.Equal(expected.Count, received.Count);
        }

        foreach (var series in received.GroupBy(r => r.Series))
        {
            // Duplicates are allowed (at-least-once) but a series' samples never go back in time, except
            // when a batch is resent whole; compare the deduplicated sequence in arrival order.
            var arrival = series.Select(r => r.TimestampMs).Distinct().ToList();
            Assert.Equal(arrival.Order().ToList(), arrival);
        }
    }
}

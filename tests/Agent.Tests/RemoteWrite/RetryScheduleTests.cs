using System.Collections.Concurrent;
using MetricsCluster.Agent.RemoteWrite;
using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using Xunit;

namespace MetricsCluster.Agent.Tests.RemoteWrite;

/// <summary>
/// The exact retry schedule (Prometheus' backoff: double from min_backoff up to max_backoff, Retry-After
/// wins when present), observed through a scripted in-process transport and a clock that records every
/// delay asked of it and lets short ones elapse at once.
/// </summary>
public sealed class RetryScheduleTests
{
    [Fact]
    public async Task BackoffDoublesUpToMaxAndRetryAfterOverridesIt()
    {
        RemoteWriteResponse[] script =
        [
            new(503, null, string.Empty),
            new(503, null, string.Empty),
            new(500, null, string.Empty),
            new(503, null, string.Empty),
            new(429, TimeSpan.FromSeconds(3), string.Empty),
            new(503, null, string.Empty),
            new(204, null, string.Empty),
        ];
        var transport = new ScriptedTransport(script);
        var time = new RecordingTimeProvider();
        string dir = Path.Combine(Path.GetTempPath(), "mc-agent-retry-" + Guid.NewGuid().ToString("N"));
        var options = new RemoteWriteOptions
        {
            QueueDirectory = dir,
            MaxSamplesPerSend = 1,
            MinBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromMilliseconds(400),
            BatchSendDeadline = TimeSpan.FromSeconds(30),
            AckPersistInterval = TimeSpan.FromSeconds(30),
        };
        var registry = new MetricsRegistry();
        try
        {
            await using (var queue = new RemoteWriteQueue(options, transport, registry, new ListLogger<RemoteWriteQueue>(), time))
            {
                await queue.WriteAsync([new ScrapedSample(Labels.FromStrings("__name__", "m"), 1000, 1)], CancellationToken.None);
                await QueueTestKit.UntilAsync(() => transport.Attempts.Count == script.Length, () => $"{transport.Attempts.Count}/{script.Length} attempts");
            }

            Assert.Equal([0, 1, 2, 3, 4, 5, 6], transport.Attempts);
            double[] delays = [.. time.Delays.Where(d => d < TimeSpan.FromSeconds(5)).Select(d => d.TotalMilliseconds)];
            Assert.Equal([100, 200, 400, 400, 3000, 400], delays.Where(d => d > 0));
            Assert.Equal(6, registry.Counter("prometheus_remote_storage_samples_retried_total", string.Empty, "remote_name", "url").WithLabels("default", ScriptedTransport.Name).Value);
            Assert.Equal(1, registry.Counter("prometheus_remote_storage_samples_total", string.Empty, "remote_name", "url").WithLabels("default", ScriptedTransport.Name).Value);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class ScriptedTransport(RemoteWriteResponse[] script) : IRemoteWriteTransport
    {
        public const string Name = "scripted://";
        private int _calls;

        public ConcurrentQueue<int> Attempts { get; } = new();

        public string Endpoint => Name;

        public Task<RemoteWriteResponse> SendAsync(ReadOnlyMemory<byte> body, int attempt, CancellationToken cancellationToken)
        {
            Attempts.Enqueue(attempt);
            int call = Interlocked.Increment(ref _calls) - 1;
            return Task.FromResult(script[Math.Min(call, script.Length - 1)]);
        }
    }

    /// <summary>Records every timer due time; timers under 5 s fire at once, longer ones run on real time.</summary>
    private sealed class RecordingTimeProvider : TimeProvider
    {
        private static readonly TimeSpan s_short = TimeSpan.FromSeconds(5);

        public ConcurrentQueue<TimeSpan> Delays { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Delays.Enqueue(dueTime);
            return System.CreateTimer(callback, state, dueTime < s_short ? TimeSpan.Zero : dueTime, period);
        }
    }
}

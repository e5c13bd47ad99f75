using System.Globalization;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Head;

namespace MetricsCluster.Tsdb.Benchmarks;

/// <summary>
/// GC heap bytes per head series after N series × 1440 samples (15 s apart: 6 h, 12 chunks per series, 11 of them
/// closed). Run: <c>dotnet run -c Release --project benchmarks/Tsdb.Benchmarks -- head-memory [series]</c>.
/// A console measurement rather than a BenchmarkDotNet job: the figure is a retained size, not a time.
/// </summary>
public static class HeadMemoryMeasurement
{
    private const int SamplesPerSeries = 1440;
    private const int SamplesPerPush = 144;
    private const long Step = 15_000;

    /// <summary>Runs the measurement and prints the figures.</summary>
    public static void Run(int seriesCount)
    {
        string dir = Path.Combine(Path.GetTempPath(), "head-memory-" + Guid.NewGuid().ToString("N"));
        var labels = Enumerable.Range(0, seriesCount)
            .Select(i => Labels.FromStrings("__name__", "node_cpu_seconds_total", "instance", "host-" + (i / 100).ToString(CultureInfo.InvariantCulture), "cpu", (i % 100).ToString(CultureInfo.InvariantCulture)))
            .ToArray();
        try
        {
            long before = HeapBytes();
            var head = new Head.Head(new HeadOptions { ChunkDirectory = Path.Combine(dir, "chunks_head") }, wal: null);

            // Time slices across all series, as scrapes arrive: every push is inside the appendable window.
            var random = new Random(42);
            for (int first = 0; first < SamplesPerSeries; first += SamplesPerPush)
            {
                using var batch = new PushBatch();
                foreach (var l in labels)
                {
                    batch.AddSeries(l.Bytes, l.Hash);
                    for (int i = first; i < first + SamplesPerPush; i++)
                    {
                        // A counter with jittered increments, so chunks are not trivially small.
                        batch.AddSample(i * Step, Math.Round(i * 10 + random.NextDouble(), 2));
                    }
                }

                var result = new FailOnReject();
                head.Append(batch, result, 0);
                if (result.FirstError is not null)
                {
                    throw new InvalidOperationException(result.FirstError);
                }
            }

            long after = HeapBytes();
            long onDisk = Directory.Exists(Path.Combine(dir, "chunks_head"))
                ? Directory.GetFiles(Path.Combine(dir, "chunks_head")).Sum(f => new FileInfo(f).Length)
                : 0;
            Console.WriteLine($"series={seriesCount} samples/series={SamplesPerSeries} heap_bytes_per_series={(after - before) / seriesCount} chunks_head_bytes={onDisk}");
            GC.KeepAlive(head);
            GC.KeepAlive(labels);
            head.Dispose();
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static long HeapBytes()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    // The measurement pushes only valid samples; any rejection means the load generator is wrong.
    private sealed class FailOnReject : IAppendSink
    {
        public string? FirstError { get; private set; }

        public void Accepted(int samples)
        {
        }

        public void SampleRejected(AppendError error, long timestamp, in Labels series) => FirstError ??= $"{error} at {timestamp} in {series}";

        public void SeriesRejected(AppendError error, ReadOnlySpan<byte> labels, int samples, long limit) => FirstError ??= $"{error}: {LabelsEncoding.Format(labels)}";
    }
}

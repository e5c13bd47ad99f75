using System.Diagnostics;
using System.Globalization;

namespace MetricsCluster.Tools.LoadGen;

/// <summary>The totals of one run and their printed form.</summary>
internal sealed class RunReport
{
    public required LoadGenOptions Options { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public long OkRequests { get; init; }

    public long FailedRequests { get; init; }

    public long OkSamples { get; init; }

    public long FailedSamples { get; init; }

    public long Retries { get; init; }

    public long RawBytes { get; init; }

    public long CompressedBytes { get; init; }

    public int RoundsCompleted { get; init; }

    public bool StoppedEarly { get; init; }

    public required double[] SortedLatenciesMs { get; init; }

    public required SortedDictionary<int, long> StatusCounts { get; init; }

    /// <summary>When the last writer finished each round that every writer finished.</summary>
    public required TimeSpan[] RoundEnds { get; init; }

    /// <summary>CPU time of this process (all threads) during the run.</summary>
    public TimeSpan ProcessCpu { get; init; }

    public TimeSpan ProtobufTime { get; init; }

    public TimeSpan SnappyTime { get; init; }

    public long SamplesSent => OkSamples + FailedSamples;

    public double SamplesPerSecond => Elapsed > TimeSpan.Zero ? OkSamples / Elapsed.TotalSeconds : 0;

    public static RunReport Combine(
        LoadGenOptions options, TimeSpan elapsed, TimeSpan processCpu, WriterStats[] writers, RequestEncoder[] encoders)
    {
        int rounds = writers.Min(w => w.RoundEnds.Count);
        var roundEnds = new TimeSpan[rounds];
        for (int r = 0; r < rounds; r++)
        {
            roundEnds[r] = writers.Max(w => w.RoundEnds[r]);
        }

        var latencies = new List<double>();
        var statuses = new SortedDictionary<int, long>();
        foreach (WriterStats w in writers)
        {
            latencies.AddRange(w.LatenciesMs);
            foreach ((int status, long count) in w.StatusCounts)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + count;
            }
        }

        double[] sorted = [.. latencies];
        Array.Sort(sorted);
        return new RunReport
        {
            Options = options,
            Elapsed = elapsed,
            OkRequests = writers.Sum(w => w.OkRequests),
            FailedRequests = writers.Sum(w => w.FailedRequests),
            OkSamples = writers.Sum(w => w.OkSamples),
            FailedSamples = writers.Sum(w => w.FailedSamples),
            Retries = writers.Sum(w => w.Retries),
            CompressedBytes = writers.Sum(w => w.CompressedBytes),
            RoundsCompleted = writers.Min(w => w.RoundsCompleted),
            StoppedEarly = writers.Any(w => w.StoppedEarly),
            SortedLatenciesMs = sorted,
            RoundEnds = roundEnds,
            ProcessCpu = processCpu,
            StatusCounts = statuses,
            RawBytes = encoders.Sum(e => e.RawBytes),
            ProtobufTime = Stopwatch.GetElapsedTime(0, encoders.Sum(e => e.ProtobufTicks)),
            SnappyTime = Stopwatch.GetElapsedTime(0, encoders.Sum(e => e.SnappyTicks)),
        };
    }

    /// <summary>Nearest-rank percentile of the per-attempt latencies; 0 when there were none.</summary>
    public double Percentile(double p)
    {
        if (SortedLatenciesMs.Length == 0)
        {
            return 0;
        }

        int rank = (int)Math.Ceiling(p / 100 * SortedLatenciesMs.Length);
        return SortedLatenciesMs[Math.Clamp(rank - 1, 0, SortedLatenciesMs.Length - 1)];
    }

    public void Print(TextWriter output)
    {
        LoadGenOptions o = Options;
        CultureInfo c = CultureInfo.InvariantCulture;
        double genSeconds = (ProtobufTime + SnappyTime).TotalSeconds;
        long encodedSamples = SamplesSent;
        output.WriteLine(o.DryRun ? "loadgen: dry run (nothing sent)" : $"loadgen: done, target {o.Url}");
        output.WriteLine(string.Create(c, $"  rounds            {RoundsCompleted} of {o.Rounds} completed by every writer{(StoppedEarly ? " (stopped early: --duration cap or cancel)" : string.Empty)}"));
        output.WriteLine(string.Create(c, $"  samples sent      {SamplesSent:N0} (ok {OkSamples:N0}, failed {FailedSamples:N0})"));
        output.WriteLine(string.Create(c, $"  requests          {OkRequests:N0} ok, {FailedRequests:N0} failed, {Retries:N0} retries"));
        foreach ((int status, long count) in StatusCounts)
        {
            output.WriteLine(string.Create(c, $"    failed with {(status == 0 ? "no response" : "HTTP " + status.ToString(c))}: {count:N0}"));
        }

        output.WriteLine(string.Create(c, $"  bytes             protobuf {RawBytes / 1048576.0:0.0} MiB, snappy {CompressedBytes / 1048576.0:0.0} MiB in request bodies (retries included)"));
        output.WriteLine(string.Create(c, $"  elapsed           {Elapsed.TotalSeconds:0.000} s"));
        output.WriteLine(string.Create(c, $"  throughput        {SamplesPerSecond:N0} samples/s accepted"));
        output.WriteLine(string.Create(c, $"  latency (ms)      p50 {Percentile(50):0.00}  p90 {Percentile(90):0.00}  p99 {Percentile(99):0.00}  max {(SortedLatenciesMs.Length > 0 ? SortedLatenciesMs[^1] : 0):0.00}  ({SortedLatenciesMs.Length:N0} responses)"));
        if (RoundEnds.Length >= 2 && FailedSamples == 0)
        {
            // Round 1 creates every series; later rounds only append. Writers overlap rounds a
            // little, so these split the run at the moment the slowest writer finished round 1.
            TimeSpan first = RoundEnds[0];
            TimeSpan rest = RoundEnds[^1] - first;
            output.WriteLine(string.Create(c, $"  by phase          round 1 (new series) {o.Series / first.TotalSeconds:N0} samples/s in {first.TotalSeconds:0.000} s; rounds 2..{RoundEnds.Length} (appends) {(long)o.Series * (RoundEnds.Length - 1) / rest.TotalSeconds:N0} samples/s in {rest.TotalSeconds:0.000} s"));
        }

        output.WriteLine(string.Create(c, $"  loadgen CPU       {ProcessCpu.TotalSeconds:0.000} s = {ProcessCpu / Elapsed:0.00} cores on average (of {Environment.ProcessorCount}); GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (gen0/1/2), GC pauses {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms"));
        output.WriteLine(string.Create(c, $"  generation        {genSeconds:0.000} s in the encoder (protobuf {ProtobufTime.TotalSeconds:0.000} s, snappy {SnappyTime.TotalSeconds:0.000} s) = {(genSeconds > 0 ? encodedSamples / genSeconds : 0):N0} samples/s per writer thread, overlapped with sending (wall time: includes preemption when threads outnumber cores)"));
        if (RoundEnds.Length >= 2 && FailedSamples == 0)
        {
            TimeSpan rest = RoundEnds[^1] - RoundEnds[0];
            output.WriteLine(string.Create(
                c,
                $"PHASES first_round_samples_per_sec={o.Series / RoundEnds[0].TotalSeconds:0} later_rounds_samples_per_sec={(long)o.Series * (RoundEnds.Length - 1) / rest.TotalSeconds:0}"));
        }

        output.WriteLine(string.Create(
            c,
            $"RESULT samples_per_sec={SamplesPerSecond:0} p50_ms={Percentile(50):0.###} p99_ms={Percentile(99):0.###} errors={FailedRequests}"));
    }
}

using System.Diagnostics;
using MetricsCluster.PromQL;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// The <c>stats</c> object of a query answer. Any non-empty <c>stats</c> parameter asks for Prometheus' shape
/// (<c>timings</c> in seconds and <c>samples</c>); <c>stats=explain</c> adds this project's <c>explain</c> object
/// for the UI: the parse time and every selector with the range it fetched, its series, samples and storage time.
/// What the engine does not measure is reported as such: <c>execQueueTime</c> and <c>resultSortTime</c> are 0 and
/// <c>peakSamples</c> is the total loaded (an upper bound of the peak).
/// </summary>
internal sealed class StatsReport
{
    private readonly long _began = Stopwatch.GetTimestamp();
    private readonly bool _explain;
    private readonly TimeSpan _parse;
    private TimeSpan _total;

    private StatsReport(IStatsQueryRunner runner, bool explain, TimeSpan parse)
    {
        Runner = runner;
        _explain = explain;
        _parse = parse;
    }

    /// <summary>The runner that collects the stats.</summary>
    public IStatsQueryRunner Runner { get; }

    /// <summary>What the query read.</summary>
    public QueryStats Stats { get; } = new();

    /// <summary>A report when the request asks for stats and the runner can collect them; null otherwise.</summary>
    public static StatsReport? Requested(ApiParams p, IQueryRunner runner, string query)
    {
        if (p.One("stats") is not { Length: > 0 } mode || runner is not IStatsQueryRunner statsRunner)
        {
            return null;
        }

        bool explain = mode == "explain";
        var parse = TimeSpan.Zero;
        if (explain)
        {
            // The engine parses again; this second parse is timed alone for the explain view.
            long began = Stopwatch.GetTimestamp();
            try
            {
                Parser.ParseExpr(query);
            }
            catch (PromQLParseException)
            {
                // The engine reports it.
            }

            parse = Stopwatch.GetElapsedTime(began);
        }

        return new StatsReport(statsRunner, explain, parse);
    }

    /// <summary>Ends the timing of the query; returns this report.</summary>
    public StatsReport Stop()
    {
        _total = Stopwatch.GetElapsedTime(_began);
        return this;
    }

    /// <summary>Appends <c>,"stats":{…}</c> to the data object.</summary>
    public void Write(PromJsonWriter w)
    {
        double total = _total.TotalSeconds;
        double storage = Math.Min(Stats.StorageTime.TotalSeconds, total);
        long samples = Stats.TotalSamples;
        w.Raw(",\"stats\":{\"timings\":{\"evalTotalTime\":"u8).Number(total)
            .Raw(",\"resultSortTime\":0,\"queryPreparationTime\":"u8).Number(storage)
            .Raw(",\"innerEvalTime\":"u8).Number(total - storage)
            .Raw(",\"execQueueTime\":0,\"execTotalTime\":"u8).Number(total)
            .Raw("},\"samples\":{\"totalQueryableSamples\":"u8).Number(samples)
            .Raw(",\"peakSamples\":"u8).Number(samples).Raw((byte)'}');
        if (_explain)
        {
            WriteExplain(w);
        }

        w.Raw((byte)'}');
    }

    private void WriteExplain(PromJsonWriter w)
    {
        w.Raw(",\"explain\":{\"parseTime\":"u8).Number(_parse.TotalSeconds).Raw(",\"storageTime\":"u8).Number(Stats.StorageTime.TotalSeconds)
            .Raw(",\"selectors\":["u8);
        bool first = true;
        foreach (var s in Stats.Selectors)
        {
            w.Raw(first ? "{\"matchers\":"u8 : ",{\"matchers\":"u8).String(s.Matchers)
                .Raw(",\"minTime\":"u8).Number(s.MinTime)
                .Raw(",\"maxTime\":"u8).Number(s.MaxTime)
                .Raw(",\"step\":"u8).Number(s.Step)
                .Raw(",\"func\":"u8).String(s.Func ?? string.Empty)
                .Raw(",\"series\":"u8).Number(s.Series)
                .Raw(",\"samples\":"u8).Number(s.Samples)
                .Raw(",\"storageTime\":"u8).Number(s.Elapsed.TotalSeconds).Raw((byte)'}');
            first = false;
        }

        w.Raw("],\"asked\":["u8);
        first = true;
        foreach (var (component, instance, calls) in Stats.Trace.Asked)
        {
            w.Raw(first ? "{\"component\":"u8 : ",{\"component\":"u8).String(component)
                .Raw(",\"instance\":"u8).String(instance)
                .Raw(",\"calls\":"u8).Number(calls).Raw((byte)'}');
            first = false;
        }

        w.Raw("]}"u8);
    }
}

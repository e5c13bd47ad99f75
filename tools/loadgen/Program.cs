using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;

namespace MetricsCluster.Tools.LoadGen;

/// <summary>
/// <c>loadgen</c>: a Prometheus remote-write 1.0 load generator. Exit codes: 0 all requests
/// accepted, 1 some request failed, 2 bad options.
/// </summary>
internal static class Program
{
    /// <summary>Samples must stay inside the last two hours (a TSDB head's window); keep a margin for the run itself.</summary>

    public static int Main(string[] args)
    {
        var url = new Option<Uri?>("--url")
        {
            Description = "Remote write URL, e.g. http://127.0.0.1:9009/api/v1/push",
            CustomParser = ParseUrl,
        };
        var series = new Option<int>("--series") { Description = "Active series", DefaultValueFactory = _ => 100_000 };
        var perRequest = new Option<int>("--samples-per-request")
        {
            Description = "Samples (series × 1 sample) per request; Prometheus' max_samples_per_send",
            DefaultValueFactory = _ => 2000,
        };
        var rounds = new Option<int>("--rounds") { Description = "New samples per series", DefaultValueFactory = _ => 10 };
        var interval = new Option<TimeSpan>("--interval")
        {
            Description = "Simulated scrape interval between a series' samples (15s, 500ms, 1m30s)",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(15),
            CustomParser = ParseDuration,
        };
        var concurrency = new Option<int>("--concurrency") { Description = "Parallel writers; each owns a slice of the series", DefaultValueFactory = _ => 4 };
        var tenant = new Option<string?>("--tenant") { Description = "Sent as X-Scope-OrgID when given" };
        var metricNames = new Option<int>("--metric-names") { Description = "Distinct metric names", DefaultValueFactory = _ => 100 };
        var duration = new Option<TimeSpan?>("--duration")
        {
            Description = "Stop sending after this long, even if rounds remain",
            CustomParser = r => ParseDuration(r),
        };
        var retry = new Option<bool>("--retry") { Description = "Retry 5xx, 429 and connection errors with backoff (30ms doubling to 5s, Retry-After honoured), like Prometheus" };
        var maxRetries = new Option<int>("--max-retries") { Description = "Retries per request with --retry", DefaultValueFactory = _ => 10 };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "Per-request timeout",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
            CustomParser = ParseDuration,
        };
        var showErrors = new Option<int>("--show-errors") { Description = "Print status and body of this many failed requests", DefaultValueFactory = _ => 5 };
        var maxHistory = new Option<TimeSpan>("--max-history")
        {
            Description = "How far back the first round may start; --interval is shrunk to fit (1h50m keeps every sample inside a fresh head's 2h window; raise it to backfill, e.g. 24h)",
            DefaultValueFactory = _ => TimeSpan.FromHours(2) - TimeSpan.FromMinutes(10),
            CustomParser = ParseDuration,
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Encode every request but send nothing: measures the generator alone" };

        var root = new RootCommand(
            "Prometheus remote-write 1.0 load generator. Round r sends every series' r-th sample, batched into " +
            "requests; timestamps start at now - rounds × interval (clamped into --max-history, 1h50m by default).")
        {
            url, series, perRequest, rounds, interval, concurrency, tenant, metricNames, duration, retry, maxRetries,
            timeout, showErrors, maxHistory, dryRun,
        };
        root.SetAction(async (result, cancellationToken) =>
        {
            var options = new LoadGenOptions
            {
                Url = result.GetValue(url),
                Series = result.GetValue(series),
                SamplesPerRequest = result.GetValue(perRequest),
                Rounds = result.GetValue(rounds),
                Interval = result.GetValue(interval),
                Concurrency = result.GetValue(concurrency),
                Tenant = result.GetValue(tenant),
                MetricNames = result.GetValue(metricNames),
                Duration = result.GetValue(duration),
                Retry = result.GetValue(retry),
                MaxRetries = result.GetValue(maxRetries),
                Timeout = result.GetValue(timeout),
                ShowErrors = result.GetValue(showErrors),
                DryRun = result.GetValue(dryRun),
                MaxHistory = result.GetValue(maxHistory),
            };
            return await RunAsync(options, cancellationToken);
        });
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (ParseError error in parsed.Errors)
            {
                Console.Error.WriteLine($"loadgen: {error.Message}");
            }

            Console.Error.WriteLine("loadgen: see --help");
            return 2;
        }

        return parsed.Invoke();
    }

    private static async Task<int> RunAsync(LoadGenOptions options, CancellationToken cancellationToken)
    {
        if (options.Validate() is { } problem)
        {
            await Console.Error.WriteLineAsync($"loadgen: {problem}");
            return 2;
        }

        if (options.Rounds > (long)options.MaxHistory.TotalMilliseconds)
        {
            await Console.Error.WriteLineAsync($"loadgen: --rounds {options.Rounds} cannot fit into --max-history {options.MaxHistory} at 1 ms per sample");
            return 2;
        }

        TextWriter log = Console.Error;
        Timeline timeline = MakeTimeline(options, log);
        Stopwatch prepare = Stopwatch.StartNew();
        var set = SeriesSet.Create(options.Series, options.MetricNames);
        prepare.Stop();
        log.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"loadgen: {set.Count:N0} series ({set.MetricNames} metric names, 6 labels, {set.TotalLabelBytes / (double)set.Count:0} label bytes/series) prepared in {prepare.ElapsedMilliseconds} ms; e.g. {SeriesSet.Describe(0, options.MetricNames)}"));
        log.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"loadgen: {options.Rounds} rounds × {options.Series:N0} series = {(long)options.Rounds * options.Series:N0} samples, {options.SamplesPerRequest} per request, {options.Concurrency} writers, timestamps {DateTimeOffset.FromUnixTimeMilliseconds(timeline.StartMs):u} + {TimeSpan.FromMilliseconds(timeline.IntervalMs)} per round"));

        using HttpClient? client = options.DryRun ? null : Runner.CreateClient(options);
        var runner = new Runner(options, set, timeline, client, log);
        RunReport report = await runner.RunAsync(cancellationToken);
        report.Print(Console.Out);
        return report.FailedRequests > 0 ? 1 : 0;
    }

    /// <summary>
    /// Starts <c>rounds × interval</c> before now; if that reaches back further than <c>--max-history</c>, shrinks the
    /// interval so every sample still falls inside that window.
    /// </summary>
    private static Timeline MakeTimeline(LoadGenOptions options, TextWriter log)
    {
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long intervalMs = (long)options.Interval.TotalMilliseconds;
        long maxHistoryMs = (long)options.MaxHistory.TotalMilliseconds;
        if (intervalMs * options.Rounds > maxHistoryMs)
        {
            long clamped = maxHistoryMs / options.Rounds;
            log.WriteLine($"loadgen: --interval clamped from {options.Interval} to {TimeSpan.FromMilliseconds(clamped)} so all samples fall within --max-history {options.MaxHistory}");
            intervalMs = clamped;
        }

        return new Timeline(nowMs - (intervalMs * options.Rounds), intervalMs, options.Series);
    }

    private static Uri? ParseUrl(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri))
        {
            return uri;
        }

        result.AddError($"'{text}' is not an absolute URL (example: http://127.0.0.1:9009/api/v1/push)");
        return null;
    }

    private static TimeSpan ParseDuration(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (LoadGenOptions.TryParseDuration(text, out TimeSpan value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration (examples: 15s, 500ms, 1m30s, 2h)");
        return default;
    }
}

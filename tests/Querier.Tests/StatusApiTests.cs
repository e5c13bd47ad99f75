using System.Net;
using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;
using MetricsCluster.Querier.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier.Tests;

/// <summary>Status, cardinality, ruler stubs and federation, on real Kestrel with a fake ingester and storage.</summary>
public sealed class StatusApiTests : IAsyncLifetime
{
    private const long Now = 1_700_000_000_000;

    private static readonly Labels[] s_series =
    [
        Labels.FromStrings("__name__", "up", "instance", "h:1", "job", "a"),
        Labels.FromStrings("__name__", "up", "instance", "h:2", "job", "b"),
        Labels.FromStrings("__name__", "http_requests_total", "code", "200", "job", "a"),
    ];

    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var b = WebApplication.CreateSlimBuilder();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        _app = b.Build();
        var status = new ProcessStatus(() => "target: all\n", () => new Dictionary<string, string> { ["target"] = "all", ["data.dir"] = "./data" },
            new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero), "0s");
        _app.MapPrometheusStatus("/prometheus", status);
        _app.MapEmptyRulerApi("/prometheus", ctx => ("t1", null));
        _app.MapEmptyTargets("/prometheus");
        _app.MapCardinality("/prometheus", new FakeIngester(), new CardinalityLimits(MaxSeries: 3), ctx => ("t1", null));
        _app.MapFederate("/prometheus", new FakeStorage(), new FederateLimits(MaxSeries: 2), ctx => ("t1", null), new FixedTime());
        _app.MapFormatQuery("/prometheus");
        await _app.StartAsync();
        var addr = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(addr) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("/prometheus/api/v1/status/config", 200, """{"status":"success","data":{"yaml":"target: all\n"}}""")]
    [InlineData("/prometheus/api/v1/status/flags", 200, """{"status":"success","data":{"data.dir":"./data","target":"all"}}""")]
    [InlineData("/prometheus/api/v1/rules", 200, """{"status":"success","data":{"groups":[]}}""")]
    [InlineData("/prometheus/api/v1/rules?type=bogus", 400, """{"status":"error","errorType":"bad_data","error":"invalid parameter \"type\": not supported value \"bogus\""}""")]
    [InlineData("/prometheus/api/v1/alerts", 200, """{"status":"success","data":{"alerts":[]}}""")]
    [InlineData("/prometheus/api/v1/targets", 200, """{"status":"success","data":{"activeTargets":[],"droppedTargets":[]}}""")]
    [InlineData("/prometheus/api/v1/format_query?query=foo(", 400, """{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"}""")]
    [InlineData("/prometheus/api/v1/status/tsdb?limit=2", 200,
        """{"status":"success","data":{"headStats":{"numSeries":3,"numLabelPairs":7,"chunkCount":3,"minTime":1000,"maxTime":3000}""" +
        ""","seriesCountByMetricName":[{"name":"up","value":2},{"name":"http_requests_total","value":1}]""" +
        ""","labelValueCountByLabelName":[{"name":"__name__","value":2},{"name":"instance","value":2}]""" +
        ""","memoryInBytesByLabelName":[{"name":"__name__","value":21},{"name":"instance","value":6}]""" +
        ""","seriesCountByLabelValuePair":[{"name":"__name__=up","value":2},{"name":"job=a","value":2}]}}""")]
    [InlineData("/prometheus/api/v1/status/tsdb?limit=0", 400, """{"status":"error","errorType":"bad_data","error":"invalid parameter \"limit\": must be an integer between 1 and 500, got \"0\""}""")]
    [InlineData("/prometheus/api/v1/cardinality/label_names?limit=2", 200,
        """{"label_values_count_total":7,"label_names_count":4,"cardinality":[{"label_name":"__name__","label_values_count":2},{"label_name":"instance","label_values_count":2}]}""")]
    [InlineData("/prometheus/api/v1/cardinality/label_names?selector=up", 200,
        """{"label_values_count_total":5,"label_names_count":3,"cardinality":[{"label_name":"instance","label_values_count":2},{"label_name":"job","label_values_count":2},{"label_name":"__name__","label_values_count":1}]}""")]
    [InlineData("/prometheus/api/v1/cardinality/label_names?limit=501", 400, """{"status":"error","errorType":"bad_data","error":"invalid parameter \"limit\": must be an integer between 0 and 500, got \"501\""}""")]
    [InlineData("/prometheus/api/v1/cardinality/label_values?label_names[]=job&label_names[]=nope", 200,
        """{"series_count_total":3,"labels":[{"label_name":"job","label_values_count":2,"series_count":3,"cardinality":[{"label_value":"a","series_count":2},{"label_value":"b","series_count":1}]},""" +
        """{"label_name":"nope","label_values_count":0,"series_count":0,"cardinality":[]}]}""")]
    [InlineData("/prometheus/api/v1/cardinality/label_values", 400, """{"status":"error","errorType":"bad_data","error":"label_names param is required"}""")]
    public async Task Answers_with_prometheus_json(string url, int status, string body)
    {
        using var r = await _http.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(body, await r.Content.ReadAsStringAsync());
        Assert.Equal((HttpStatusCode)status, r.StatusCode);
    }

    [Fact]
    public async Task Runtimeinfo_has_every_key_prometheus_has()
    {
        using var r = await _http.GetAsync(new Uri("/prometheus/api/v1/status/runtimeinfo", UriKind.Relative));
        using var doc = System.Text.Json.JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        var keys = doc.RootElement.GetProperty("data").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["startTime", "CWD", "reloadConfigSuccess", "lastConfigTime", "corruptionCount", "goroutineCount", "GOMAXPROCS", "GOGC", "GODEBUG", "storageRetention"], keys);
        Assert.Equal("2026-12-07T05:00:00Z", doc.RootElement.GetProperty("data").GetProperty("startTime").GetString());
    }

    [Theory]
    [InlineData("/prometheus/federate?match[]=up", 200,
        "# TYPE up untyped\nup{instance=\"h:1\",job=\"a\"} 1 1699999990000\nup{instance=\"h:2\",job=\"b\"} 0 1699999990000\n")]
    [InlineData("/prometheus/federate?match[]=http_requests_total", 200, "# TYPE http_requests_total untyped\nhttp_requests_total{code=\"200\",job=\"a\"} 1.5e+06 1699999990000\n")]
    [InlineData("/prometheus/federate", 200, "")]
    // As Prometheus 2.42 (checked on 2026-12-07): "{}" has no matcher and selects nothing; {instance=""} selects the series
    // without an instance label; neither is refused as the API endpoints refuse them.
    [InlineData("/prometheus/federate?match[]=%7B%7D", 200, "")]
    [InlineData("/prometheus/federate?match[]=%7B%7D&match[]=http_requests_total", 200, "# TYPE http_requests_total untyped\nhttp_requests_total{code=\"200\",job=\"a\"} 1.5e+06 1699999990000\n")]
    [InlineData("/prometheus/federate?match[]=%7Binstance%3D%22%22%7D", 200, "# TYPE http_requests_total untyped\nhttp_requests_total{code=\"200\",job=\"a\"} 1.5e+06 1699999990000\n")]
    [InlineData("/prometheus/federate?match[]=up(", 400, "1:3: parse error: unexpected \"(\"\n")]
    [InlineData("/prometheus/federate?match[]={job=~\".%2B\"}", 422,
        "more than 2 series match; federation returns at most that many (err-mc-max-federate-series). Narrow the match[] selectors\n")]
    public async Task Federate_answers_prometheus_text(string url, int status, string body)
    {
        using var r = await _http.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(body, await r.Content.ReadAsStringAsync());
        Assert.Equal((HttpStatusCode)status, r.StatusCode);
    }

    [Fact]
    public async Task Cardinality_scans_are_bounded()
    {
        var b = WebApplication.CreateSlimBuilder();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = b.Build();
        app.MapCardinality("/prometheus", new FakeIngester(), new CardinalityLimits(MaxSeries: 2), ctx => ("t1", null));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        using var r = await http.GetAsync(new Uri("/prometheus/api/v1/status/tsdb", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("(err-mc-max-cardinality-series)", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "1")]
    [InlineData(0.5, "0.5")]
    [InlineData(123456, "123456")]
    [InlineData(1234567, "1.234567e+06")]
    [InlineData(1e21, "1e+21")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-2.5e-7, "-2.5e-07")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Sample_values_are_formatted_as_go_g(double v, string expected) => Assert.Equal(expected, FederateEndpoint.GoFloatG(v));

    private sealed class FakeIngester : IIngesterClient
    {
        public ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            int i = 0;
            foreach (var l in s_series.Where(l => matchers.All(m => m.Matches(l))))
            {
                i++;
                yield return new ChunkSeries(l, labelsOnly ? [] : [new EncodedChunk(i * 1000, i * 1000, 1, Array.Empty<byte>())]);
            }
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    /// <summary>Each series has samples 20s and 10s before now; up{job="b"} also has a stale marker that is older.</summary>
    private sealed class FakeStorage : IQueryable, IQuerier
    {
        public IQuerier Querier(string tenant, long mint, long maxt) => this;

        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            foreach (var l in s_series.Where(l => matchers.All(m => m.Matches(l))))
            {
                double v = l.Get("__name__") == "http_requests_total" ? 1.5e6 : l.Get("job") == "a" ? 1 : 0;
                yield return new ListSeries(l, [new Sample(Now - 20_000, BitConverter.Int64BitsToDouble(0x7ff0000000000002)), new Sample(Now - 10_000, v), new Sample(Now + 10_000, 99)]);
            }
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Now);
    }

    private sealed class ListSeries(Labels labels, Sample[] samples) : ISeries
    {
        public Labels Labels => labels;

        public SampleIterator Iterator(SampleIterator? reuse) => new ListIterator(samples);
    }

    private sealed class ListIterator(Sample[] samples) : SampleIterator
    {
        private int _i = -1;

        public override long T => samples[_i].T;

        public override double V => samples[_i].V;

        public override bool Next() => ++_i < samples.Length;
    }
}

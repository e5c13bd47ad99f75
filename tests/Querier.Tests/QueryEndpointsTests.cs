using System.Net;
using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Querier.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MetricsCluster.Querier.Tests;

/// <summary>
/// The query endpoints on real Kestrel with canned engine results: exact bodies and status codes as Prometheus'
/// web/api/v1 writes them.
/// </summary>
public sealed class QueryEndpointsTests : IAsyncLifetime
{
    // 2015-07-01T20:10:51.781Z, the timestamp of Prometheus' API documentation examples.
    private const long Now = 1435781451781;

    private readonly FakeRunner _runner = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var b = WebApplication.CreateSlimBuilder();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        _app = b.Build();

        // The same resolver for every endpoint, shaped like the host's TenantResolver.
        Func<HttpContext, (string?, IResult?)> tenants = ctx =>
            ctx.Request.Headers["X-Scope-OrgID"] is [{ Length: > 0 } id] ? (id, null) : (null, Results.Text("no org id\n", "text/plain; charset=utf-8", statusCode: 401));
        _app.MapPrometheusQueryApi("/prometheus", _runner, tenants, new FixedClock(Now), TimeSpan.FromMinutes(2));
        _app.MapPrometheusMetadataApi("/prometheus", new IngesterQueryable(new EmptyIngester()), new EmptyIngester(), tenants);
        _app.MapBuildInfo("/prometheus", new BuildInfo("2.17.0", "abc123", "main", "builder", "20260101-00:00:00", ".NET 10.0.0"));
        await _app.StartAsync();
        var addr = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(addr) };
        _http.DefaultRequestHeaders.Add("X-Scope-OrgID", "t1");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("vec", """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a\u003cb"},"value":[1435781451.781,"1"]},{"metric":{"job":"b"},"value":[1435781451.781,"0.1"]}]}}""")]
    [InlineData("empty", """{"status":"success","data":{"resultType":"vector","result":[]}}""")]
    [InlineData("scalar", """{"status":"success","data":{"resultType":"scalar","result":[1.5,"+Inf"]}}""")]
    [InlineData("tiny", """{"status":"success","data":{"resultType":"scalar","result":[0.001,"0.0000001"]}}""")]
    [InlineData("str", """{"status":"success","data":{"resultType":"string","result":[-0.5,"x\"y"]}}""")]
    [InlineData("matrix", """{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up"},"values":[[1,"1e-07"],[2.001,"NaN"]]},{"metric":{}}]}}""")]
    [InlineData("warned", """{"status":"success","data":{"resultType":"scalar","result":[1,"1"]},"warnings":["PromQL warning: w1"],"infos":["PromQL info: i1"]}""")]
    [InlineData("infos-only", """{"status":"success","data":{"resultType":"scalar","result":[1,"1"]},"infos":["PromQL info: i1"]}""")]
    [InlineData("many-warnings", """{"status":"success","data":{"resultType":"scalar","result":[1,"1"]},"warnings":["w0","w1","w2","w3","w4","w5","w6","w7","w8","w9","2 more warning annotations omitted"]}""")]
    public async Task Instant_query_results_are_written_like_prometheus(string query, string body)
    {
        var (status, text) = await Get($"/prometheus/api/v1/query?query={query}");
        Assert.Equal(200, status);
        Assert.Equal(body, text);
    }

    [Theory]
    [InlineData(QueryErrorType.BadData, 400, """{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": boom"}""")]
    [InlineData(QueryErrorType.Execution, 422, """{"status":"error","errorType":"execution","error":"boom"}""")]
    [InlineData(QueryErrorType.Timeout, 503, """{"status":"error","errorType":"timeout","error":"boom"}""")]
    [InlineData(QueryErrorType.Canceled, 499, """{"status":"error","errorType":"canceled","error":"boom"}""")]
    [InlineData(QueryErrorType.Internal, 500, """{"status":"error","errorType":"internal","error":"boom"}""")]
    public async Task Engine_errors_map_to_prometheus_types_and_status_codes(QueryErrorType type, int status, string body)
    {
        _runner.Results["fail"] = new QueryResult(null, new QueryError(type, "boom"), ["ignored on errors"], []);
        Assert.Equal((status, body), await Get("/prometheus/api/v1/query?query=fail"));
        Assert.Equal((status, body), await Get("/prometheus/api/v1/query_range?query=fail&start=0&end=60&step=15"));
    }

    [Theory]
    [InlineData("/prometheus/api/v1/query?query=vec&time=x", "invalid parameter \\\"time\\\": invalid time value for 'time': cannot parse \\\"x\\\" to a valid timestamp")]
    [InlineData("/prometheus/api/v1/query?query=vec&timeout=x", "invalid parameter \\\"timeout\\\": cannot parse \\\"x\\\" to a valid duration")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&end=60&step=15", "invalid parameter \\\"start\\\": cannot parse \\\"\\\" to a valid timestamp")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&start=x&end=60&step=15", "invalid parameter \\\"start\\\": cannot parse \\\"x\\\" to a valid timestamp")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&start=0&end=y&step=15", "invalid parameter \\\"end\\\": cannot parse \\\"y\\\" to a valid timestamp")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&start=60&end=0&step=15", "invalid parameter \\\"end\\\": end timestamp must not be before start time")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&start=0&end=60", "invalid parameter \\\"step\\\": cannot parse \\\"\\\" to a valid duration")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&start=0&end=60&step=1x", "invalid parameter \\\"step\\\": cannot parse \\\"1x\\\" to a valid duration")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&start=0&end=60&step=1e300", "invalid parameter \\\"step\\\": cannot parse \\\"1e300\\\" to a valid duration. It overflows int64")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&start=0&end=60&step=0", "invalid parameter \\\"step\\\": zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&start=0&end=60&step=-1", "invalid parameter \\\"step\\\": zero or negative query resolution step widths are not accepted. Try a positive integer")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&start=0&end=11001&step=1", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&start=0&end=60&step=15&timeout=soon", "invalid parameter \\\"timeout\\\": cannot parse \\\"soon\\\" to a valid duration")]
    [InlineData("/prometheus/api/v1/query_exemplars?query=up&start=x", "invalid parameter \\\"start\\\": invalid time value for 'start': cannot parse \\\"x\\\" to a valid timestamp")]
    [InlineData("/prometheus/api/v1/query_exemplars?query=up&start=10&end=5", "end timestamp must not be before start timestamp")]
    [InlineData("/prometheus/api/v1/query_exemplars?query=up%2B", "1:4: parse error: unexpected end of input")]
    public async Task Bad_parameters_are_bad_data_with_prometheus_messages(string url, string message)
    {
        int calls = _runner.Calls.Count;
        Assert.Equal((400, $$"""{"status":"error","errorType":"bad_data","error":"{{message}}"}"""), await Get(url));
        Assert.Equal(calls, _runner.Calls.Count);
    }

    [Theory]
    [InlineData("start=0&end=11000&step=1", 0L, 11_000_000L, 1000L)]
    [InlineData("start=1435781451.781&end=1435781511.781&step=15.5", Now, Now + 60_000, 15_500L)]
    [InlineData("start=2015-07-01T20:10:51.781Z&end=2015-07-01T20:20:51.781Z&step=1m", Now, Now + 600_000, 60_000L)]
    [InlineData("start=0&end=0.01&step=0.000001", 0L, 10L, 1L)]
    public async Task Range_query_passes_parsed_parameters_to_the_engine(string parameters, long start, long end, long step)
    {
        var (status, _) = await Get("/prometheus/api/v1/query_range?query=scalar&" + parameters);
        Assert.Equal(200, status);
        Assert.Equal(new Call("t1", "scalar", start, end, step), _runner.Calls[^1]);
    }

    [Fact]
    public async Task Range_query_by_form_post_answers_like_get()
    {
        const string expected = """{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up"},"values":[[1,"1e-07"],[2.001,"NaN"]]},{"metric":{}}]}}""";
        var get = await Get("/prometheus/api/v1/query_range?query=matrix&start=1&end=3&step=1");
        using var form = new FormUrlEncodedContent([new("query", "matrix"), new("start", "1"), new("end", "3"), new("step", "1")]);
        using var r = await _http.PostAsync(new Uri("/prometheus/api/v1/query_range", UriKind.Relative), form);
        Assert.Equal((200, expected), get);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, await r.Content.ReadAsStringAsync());
        Assert.Equal(_runner.Calls[^2], _runner.Calls[^1]);
    }

    [Fact]
    public async Task Instant_query_defaults_time_to_now_and_accepts_rfc3339_and_post()
    {
        await Get("/prometheus/api/v1/query?query=scalar");
        Assert.Equal(new Call("t1", "scalar", Now, Now, 0), _runner.Calls[^1]);
        await Get("/prometheus/api/v1/query?query=scalar&time=2015-07-01T20:10:51.781Z");
        Assert.Equal(new Call("t1", "scalar", Now, Now, 0), _runner.Calls[^1]);
        using var form = new FormUrlEncodedContent([new("query", "scalar"), new("time", "12.5")]);
        using var r = await _http.PostAsync(new Uri("/prometheus/api/v1/query", UriKind.Relative), form);
        Assert.Equal("""{"status":"success","data":{"resultType":"scalar","result":[1.5,"+Inf"]}}""", await r.Content.ReadAsStringAsync());
        Assert.Equal(new Call("t1", "scalar", 12_500, 12_500, 0), _runner.Calls[^1]);
    }

    [Fact]
    public async Task Expired_timeout_parameter_turns_the_engines_cancellation_into_a_timeout()
    {
        const string body = """{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}""";
        Assert.Equal((503, body), await Get("/prometheus/api/v1/query?query=wait&timeout=0"));
        Assert.Equal((503, body), await Get("/prometheus/api/v1/query_range?query=wait&start=0&end=60&step=15&timeout=0s"));
    }

    [Fact]
    public async Task Timeout_parameter_longer_than_the_engines_is_not_applied()
    {
        Assert.Equal((200, """{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}"""), await Get("/prometheus/api/v1/query?query=wait&timeout=1h"));
    }

    [Theory]
    [InlineData("/prometheus/api/v1/query_exemplars?query=up", 200, """{"status":"success","data":[]}""")]
    [InlineData("/prometheus/api/v1/query_exemplars?query=sum(rate(x%5B5m%5D))&start=0&end=10", 200, """{"status":"success","data":[]}""")]
    [InlineData("/prometheus/api/v1/query_exemplars?query=1%2B1", 204, "")]
    public async Task Exemplars_are_empty_until_stored(string url, int status, string body) => Assert.Equal((status, body), await Get(url));

    [Fact]
    public async Task Buildinfo_has_prometheus_fields_and_mimir_features()
    {
        using var r = await new HttpClient { BaseAddress = _http.BaseAddress }.GetAsync(new Uri("/prometheus/api/v1/status/buildinfo", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(
            """{"status":"success","data":{"application":"MetricsCluster","version":"2.17.0","revision":"abc123","branch":"main","buildUser":"builder","buildDate":"20260101-00:00:00","goVersion":".NET 10.0.0","features":{"ruler_config_api":"false","alertmanager_config_api":"false","query_sharding":"false","federated_rules":"false"}}}""",
            await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/prometheus/api/v1/query?query=vec")]
    [InlineData("/prometheus/api/v1/query_range?query=vec&start=0&end=60&step=15")]
    [InlineData("/prometheus/api/v1/query_exemplars?query=up")]
    public async Task Missing_tenant_is_rejected_exactly_as_by_the_series_endpoint(string url)
    {
        using var anonymous = new HttpClient { BaseAddress = _http.BaseAddress };
        using var series = await anonymous.GetAsync(new Uri("/prometheus/api/v1/series?match[]=up", UriKind.Relative));
        using var query = await anonymous.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, query.StatusCode);
        Assert.Equal(series.StatusCode, query.StatusCode);
        Assert.Equal("no org id\n", await query.Content.ReadAsStringAsync());
        Assert.Equal(series.Content.Headers.ContentType, query.Content.Headers.ContentType);
    }

    private async Task<(int Status, string Body)> Get(string url)
    {
        using var r = await _http.GetAsync(new Uri(url, UriKind.Relative));
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private sealed record Call(string Tenant, string Query, long Start, long End, long Step);

    private sealed class FakeRunner : IQueryRunner
    {
        private static readonly QueryResult s_one = new(new ScalarValue(1000, 1), null, [], []);

        public FakeRunner()
        {
            Results["vec"] = Ok(new VectorValue([
                new Sample(Labels.FromStrings("__name__", "up", "job", "a<b"), Now, 1),
                new Sample(Labels.FromStrings("job", "b"), Now, 0.1, DropName: true),
            ]));
            Results["empty"] = Ok(new VectorValue([]));
            Results["scalar"] = Ok(new ScalarValue(1500, double.PositiveInfinity));
            Results["tiny"] = Ok(new ScalarValue(1, 1e-7));
            Results["str"] = Ok(new StringValue(-500, "x\"y"));
            Results["matrix"] = Ok(new MatrixValue([
                new Series(Labels.FromStrings("__name__", "up"), [new FPoint(1000, 1e-7), new FPoint(2001, double.NaN)]),
                new Series(Labels.Empty, []),
            ]));
            Results["warned"] = s_one with { Warnings = ["PromQL warning: w1"], Infos = ["PromQL info: i1"] };
            Results["infos-only"] = s_one with { Infos = ["PromQL info: i1"] };
            Results["many-warnings"] = s_one with { Warnings = Enumerable.Range(0, 12).Select(i => "w" + i).ToList() };
        }

        public Dictionary<string, QueryResult> Results { get; } = [];

        public List<Call> Calls { get; } = [];

        public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add(new Call(tenant, query, timeMs, timeMs, 0));
            }

            return Task.FromResult(Answer(query, cancellationToken));
        }

        public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add(new Call(tenant, query, startMs, endMs, stepMs));
            }

            return Task.FromResult(Answer(query, cancellationToken));
        }

        private static QueryResult Ok(QueryValue v) => new(v, null, [], []);

        private QueryResult Answer(string query, CancellationToken ct) => query switch
        {
            // Reports a cancellation the way QueryEngine does when its token fires.
            "wait" when ct.IsCancellationRequested => new QueryResult(null, new QueryError(QueryErrorType.Canceled, "query was canceled in expression evaluation"), [], []),
            "wait" => s_one,
            _ => Results[query],
        };
    }

    private sealed class FixedClock(long ms) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    private sealed class EmptyIngester : IIngesterClient
    {
        public ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>([]);

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>([]);

        public ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<MetricMetadata>>([]);
    }
}

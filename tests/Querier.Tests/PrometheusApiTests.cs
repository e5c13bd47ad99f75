using System.Net;
using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Querier.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier.Tests;

/// <summary>The JSON shapes of the metadata API, on real Kestrel with a fake ingester.</summary>
public sealed class PrometheusApiTests : IAsyncLifetime
{
    private readonly FakeIngester _ingester = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var b = WebApplication.CreateSlimBuilder();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        _app = b.Build();
        _app.MapPrometheusMetadataApi("/prometheus", new IngesterQueryable(_ingester), _ingester, ctx => ("t1", null));
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
    [InlineData("/prometheus/api/v1/series?match[]=up", 200, """{"status":"success","data":[{"__name__":"up","instance":"h:1","job":"a"},{"__name__":"up","instance":"h:2","job":"b"}]}""")]
    [InlineData("/prometheus/api/v1/series?match[]=up%7Bjob%3D%22b%22%7D", 200, """{"status":"success","data":[{"__name__":"up","instance":"h:2","job":"b"}]}""")]
    [InlineData("/prometheus/api/v1/series", 400, """{"status":"error","errorType":"bad_data","error":"no match[] parameter provided"}""")]
    // Prometheus 2.42's answers, each endpoint with its own wording (checked against it on 2026-12-07).
    [InlineData("/prometheus/api/v1/series?match[]=%7B%7D", 400, """{"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": match[] must contain at least one non-empty matcher"}""")]
    [InlineData("/prometheus/api/v1/series?match[]=up&match[]=%7Ba%3D~%22.*%22%7D", 400, """{"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": match[] must contain at least one non-empty matcher"}""")]
    [InlineData("/prometheus/api/v1/labels?match[]=%7Ba%3D%22%22%7D", 400, """{"status":"error","errorType":"bad_data","error":"match[] must contain at least one non-empty matcher"}""")]
    [InlineData("/prometheus/api/v1/label/job/values?match[]=%7B%7D", 400, """{"status":"error","errorType":"bad_data","error":"match[] must contain at least one non-empty matcher"}""")]
    [InlineData("/prometheus/api/v1/labels", 200, """{"status":"success","data":["__name__","instance","job"]}""")]
    [InlineData("/prometheus/api/v1/label/job/values", 200, """{"status":"success","data":["a","b"]}""")]
    [InlineData("/prometheus/api/v1/label/job/values?start=abc", 400, """{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": cannot parse \"abc\" to a valid timestamp"}""")]
    [InlineData("/prometheus/api/v1/series?match[]=up&start=10&end=5", 400, """{"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end timestamp must not be before start time"}""")]
    [InlineData("/prometheus/api/v1/metadata", 200, """{"status":"success","data":{"up":[{"type":"gauge","help":"Up or not.","unit":""}]}}""")]
    [InlineData("/prometheus/api/v1/format_query?query=sum%20by(job)%20(rate(http_requests_total%7Bjob%3D%22api%22%7D%5B5m%5D))", 200, """{"status":"success","data":"sum by (job) (rate(http_requests_total{job=\"api\"}[5m]))"}""")]
    [InlineData("/prometheus/api/v1/format_query?query=foo%20%2B", 400, """{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:6: parse error: unexpected end of input"}""")]
    public async Task Answers_with_prometheus_json(string url, int status, string body)
    {
        using var r = await _http.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal((HttpStatusCode)status, r.StatusCode);
        Assert.Equal(body, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_form_parameters_work_like_get()
    {
        using var form = new FormUrlEncodedContent([new("match[]", "up{job=\"a\"}")]);
        using var r = await _http.PostAsync(new Uri("/prometheus/api/v1/series", UriKind.Relative), form);
        Assert.Equal("""{"status":"success","data":[{"__name__":"up","instance":"h:1","job":"a"}]}""", await r.Content.ReadAsStringAsync());
    }

    private sealed class FakeIngester : IIngesterClient
    {
        private readonly List<Labels> _series = [Labels.FromStrings("__name__", "up", "job", "b", "instance", "h:2"), Labels.FromStrings("__name__", "up", "job", "a", "instance", "h:1")];

        public ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            foreach (var l in _series.Where(l => matchers.All(m => m.Matches(l))))
            {
                yield return new ChunkSeries(l, []);
            }
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>(["__name__", "instance", "job"]);

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>(_series.Select(l => l.Get(name)).Where(v => v.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList());

        public ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<MetricMetadata>>([new MetricMetadata("up", MetricType.Gauge, "Up or not.", string.Empty)]);
    }
}

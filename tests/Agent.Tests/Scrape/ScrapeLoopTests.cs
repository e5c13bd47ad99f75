using System.IO.Compression;
using System.Text;
using MetricsCluster.Agent.Scrape;
using MetricsCluster.Core;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace MetricsCluster.Agent.Tests.Scrape;

/// <summary>The scrape loop against a Kestrel exporter the test controls, one scrape at a time (G18).</summary>
public sealed class ScrapeLoopTests : IAsyncLifetime
{
    private const string A = "{__name__=\"a\", instance=\"t:1\", job=\"test\"}";
    private const string B = "{__name__=\"b\", instance=\"t:1\", job=\"test\", x=\"y\"}";
    private readonly MemorySink _sink = new();
    private readonly HttpClient _http = new();
    private TestExporter _exporter = null!;

    public async Task InitializeAsync() => _exporter = await TestExporter.StartAsync();

    public async Task DisposeAsync()
    {
        await _exporter.DisposeAsync();
        _http.Dispose();
    }

    private ScrapeLoop Loop(
        bool honorLabels = false,
        bool honorTimestamps = true,
        int sampleLimit = 0,
        int labelLimit = 0,
        int nameLimit = 0,
        int valueLimit = 0,
        long bodyLimit = 0,
        TimeSpan? timeout = null,
        Func<Labels, Labels?>? relabel = null,
        string? bearer = null,
        TimeSpan? interval = null) =>
        new(
            new ScrapeTarget
            {
                Labels = Labels.FromStrings("job", "test", "instance", "t:1"),
                Url = _exporter.Url,
                Interval = interval ?? TimeSpan.FromSeconds(30),
                Timeout = timeout ?? TimeSpan.FromSeconds(20),
                HonorLabels = honorLabels,
                HonorTimestamps = honorTimestamps,
                SampleLimit = sampleLimit,
                LabelLimit = labelLimit,
                LabelNameLengthLimit = nameLimit,
                LabelValueLengthLimit = valueLimit,
                BodySizeLimit = bodyLimit,
                MetricRelabel = relabel,
                BearerToken = bearer,
            },
            _http,
            _sink,
            TimeProvider.System);

    private async Task<List<ScrapedSample>> ScrapeAsync(ScrapeLoop loop)
    {
        int before = _sink.Batches.Count;
        await loop.ScrapeOnceAsync(CancellationToken.None);
        Assert.Equal(before + 1, _sink.Batches.Count);
        return _sink.Batches[^1];
    }

    [Fact]
    public async Task TextPageBecomesOneBatchWithTargetLabelsAndReportSeries()
    {
        _exporter.ServeText("# TYPE a gauge\na 1\nb{x=\"y\"} 2.5\n");
        var loop = Loop();

        var batch = await ScrapeAsync(loop);

        Assert.Equal(1, batch.Single(A).Value);
        Assert.Equal(2.5, batch.Single(B).Value);
        Assert.Equal(1, batch.Report("up"));
        Assert.Equal(2, batch.Report("scrape_samples_scraped"));
        Assert.Equal(2, batch.Report("scrape_samples_post_metric_relabeling"));
        Assert.Equal(2, batch.Report("scrape_series_added"));
        Assert.True(batch.Report("scrape_duration_seconds") >= 0);
        Assert.Equal("{__name__=\"up\", instance=\"t:1\", job=\"test\"}", batch.Single(s => s.Labels.MetricName == "up").Labels.ToString());
        Assert.Single(batch.Select(s => s.TimestampMs).Distinct());
        Assert.Equal(7, batch.Count);
        Assert.Equal(ScrapeHealth.Up, loop.Status.Health);
        Assert.Null(loop.Status.LastError);
        Assert.NotNull(loop.Status.LastScrape);
    }

    [Fact]
    public async Task DisappearedSeriesGetStaleMarkersAndCachedSeriesAreNotAddedAgain()
    {
        var loop = Loop();
        _exporter.ServeText("a 1\nb{x=\"y\"} 2\n");
        await ScrapeAsync(loop);

        _exporter.ServeText("a 3\n");
        var second = await ScrapeAsync(loop);

        Assert.Equal([B], second.Stale());
        Assert.Equal([A], second.Live());
        Assert.Equal(0, second.Report("scrape_series_added"));

        // The stale series does not come back stale twice.
        var third = await ScrapeAsync(loop);
        Assert.Empty(third.Stale());
    }

    [Fact]
    public async Task CacheEvictsSeriesNotSeenForTwoScrapes()
    {
        var loop = Loop();
        _exporter.ServeText("a 1\nb{x=\"y\"} 2\n");
        await ScrapeAsync(loop);
        Assert.Equal(2, loop.CachedSeries);

        _exporter.ServeText("a 1\n");
        await ScrapeAsync(loop);
        await ScrapeAsync(loop);
        Assert.Equal(1, loop.CachedSeries);

        _exporter.ServeText("a 1\nb{x=\"y\"} 2\n");
        var back = await ScrapeAsync(loop);
        Assert.Equal(1, back.Report("scrape_series_added"));
    }

    [Fact]
    public async Task ServerErrorFailsTheScrapeWithUpZeroAndStaleMarkersForEverything()
    {
        var loop = Loop();
        _exporter.ServeText("a 1\nb{x=\"y\"} 2\n");
        await ScrapeAsync(loop);

        _exporter.Handler = ctx =>
        {
            ctx.Response.StatusCode = 500;
            return Task.CompletedTask;
        };
        var failed = await ScrapeAsync(loop);

        Assert.Equal(0, failed.Report("up"));
        Assert.Equal(0, failed.Report("scrape_samples_scraped"));
        Assert.Equal([A, B], failed.Stale());
        Assert.Empty(failed.Live());
        Assert.Equal(ScrapeHealth.Down, loop.Status.Health);
        Assert.Contains("HTTP status 500", loop.Status.LastError, StringComparison.Ordinal);

        _exporter.ServeText("a 1\n");
        var recovered = await ScrapeAsync(loop);
        Assert.Equal(1, recovered.Report("up"));
        Assert.Equal([A], recovered.Live());
        Assert.Empty(recovered.Stale());
    }

    [Fact]
    public async Task ATargetSlowerThanTheTimeoutFails()
    {
        var loop = Loop(timeout: TimeSpan.FromMilliseconds(300));
        _exporter.Handler = async ctx =>
        {
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.WriteAsync("a 1\n");
            await ctx.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        };

        var batch = await ScrapeAsync(loop);

        Assert.Equal(0, batch.Report("up"));
        Assert.Empty(batch.Live());
        Assert.Contains("timed out", loop.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GzipBodiesAreDecompressed()
    {
        _exporter.Handler = async ctx =>
        {
            ctx.Response.ContentType = "text/plain; version=0.0.4";
            ctx.Response.Headers.ContentEncoding = "gzip";
            using var ms = new MemoryStream();
            await using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gz.WriteAsync(Encoding.UTF8.GetBytes("a 1\nb{x=\"y\"} 2\n"));
            }

            await ctx.Response.Body.WriteAsync(ms.ToArray());
        };

        var batch = await ScrapeAsync(Loop());

        Assert.Equal([A, B], batch.Live());
        Assert.Equal("gzip", _exporter.LastRequestHeaders!.AcceptEncoding.ToString());
    }

    [Theory]
    [InlineData("application/openmetrics-text; version=1.0.0; charset=utf-8", 5_000_000)]
    [InlineData("text/plain; version=0.0.4; charset=utf-8", 5_000)]
    [InlineData("", 5_000)]
    public async Task ContentTypePicksTheParser(string contentType, long wantTimestampMs)
    {
        // "5000" is seconds in OpenMetrics and milliseconds in text 0.0.4; "# EOF" is just a comment in text.
        _exporter.Serve("a 1 5000\n# EOF\n", contentType);

        var batch = await ScrapeAsync(Loop());

        Assert.Equal(wantTimestampMs, batch.Single(A).TimestampMs);
    }

    [Fact]
    public async Task OpenMetricsWithoutEofFailsAndOtherContentTypesFail()
    {
        var loop = Loop();
        _exporter.Serve("a 1\n", "application/openmetrics-text; version=1.0.0");
        var noEof = await ScrapeAsync(loop);
        Assert.Equal(0, noEof.Report("up"));
        Assert.Contains("# EOF", loop.Status.LastError, StringComparison.Ordinal);

        _exporter.Serve("a 1\n", "application/json");
        var json = await ScrapeAsync(loop);
        Assert.Equal(0, json.Report("up"));
        Assert.Contains("Content-Type", loop.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendsPrometheusAcceptHeaderAndCredentials()
    {
        _exporter.ServeText("a 1\n");
        await ScrapeAsync(Loop(bearer: "s3cret", timeout: TimeSpan.FromSeconds(7)));

        var headers = _exporter.LastRequestHeaders!;
        string accept = headers.Accept.ToString();
        Assert.StartsWith("application/openmetrics-text;version=1.0.0", accept, StringComparison.Ordinal);
        Assert.True(accept.IndexOf("openmetrics", StringComparison.Ordinal) < accept.IndexOf("text/plain;version=0.0.4", StringComparison.Ordinal));
        Assert.Equal("Bearer s3cret", headers.Authorization.ToString());
        Assert.Equal("7", headers["X-Prometheus-Scrape-Timeout-Seconds"].ToString());
    }

    [Theory]
    [InlineData(false, "{__name__=\"a\", exported_exported_job=\"page\", exported_instance=\"p:2\", exported_job=\"z\", instance=\"t:1\", job=\"test\"}")]
    [InlineData(true, "{__name__=\"a\", exported_job=\"z\", instance=\"p:2\", job=\"page\"}")]
    public async Task HonorLabelsDecidesWhoWinsConflicts(bool honorLabels, string want)
    {
        _exporter.ServeText("a{job=\"page\",instance=\"p:2\",exported_job=\"z\"} 1\n");

        var batch = await ScrapeAsync(Loop(honorLabels: honorLabels));

        Assert.Equal([want], batch.Live());
    }

    [Theory]
    [InlineData(true, 1234L)]
    [InlineData(false, -1L)]
    public async Task HonorTimestampsUsesThePageTimestamp(bool honor, long want)
    {
        _exporter.ServeText("a 1 1234\n");

        var batch = await ScrapeAsync(Loop(honorTimestamps: honor));

        long up = batch.Single(s => s.Labels.MetricName == "up").TimestampMs;
        Assert.Equal(want < 0 ? up : want, batch.Single(A).TimestampMs);
    }

    [Fact]
    public async Task MetricRelabelingDropsAndRewrites()
    {
        _exporter.ServeText("a 1\nb{x=\"y\"} 2\ndrop_me 3\n");
        Labels? Relabel(Labels l) => l.MetricName == "drop_me" ? null : l.MetricName == "b" ? new LabelsBuilder(l).Delete("x").Build() : l;

        var batch = await ScrapeAsync(Loop(relabel: Relabel));

        Assert.Equal([A, "{__name__=\"b\", instance=\"t:1\", job=\"test\"}"], batch.Live());
        Assert.Equal(3, batch.Report("scrape_samples_scraped"));
        Assert.Equal(2, batch.Report("scrape_samples_post_metric_relabeling"));
    }

    [Theory]
    [InlineData(2, 0, 0, 0, 0, "sample_limit exceeded")]
    [InlineData(0, 3, 0, 0, 0, "label_limit exceeded")]
    [InlineData(0, 0, 8, 0, 0, "label_name_length_limit exceeded")]
    [InlineData(0, 0, 0, 4, 0, "label_value_length_limit exceeded")]
    [InlineData(0, 0, 0, 0, 10, "body size limit exceeded")]
    public async Task LimitsFailTheWholeScrape(int samples, int labels, int nameLength, int valueLength, long body, string error)
    {
        var loop = Loop(sampleLimit: samples, labelLimit: labels, nameLimit: nameLength, valueLimit: valueLength, bodyLimit: body);
        _exporter.ServeText("a 1\n");
        var ok = await ScrapeAsync(loop);
        Assert.Equal(1, ok.Report("up"));

        _exporter.ServeText("a 1\nb{x=\"y\"} 2\nc{long_name=\"long value\"} 3\n");
        var batch = await ScrapeAsync(loop);

        Assert.Equal(0, batch.Report("up"));
        Assert.Empty(batch.Live());
        Assert.Equal([A], batch.Stale());
        Assert.StartsWith(error, loop.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SampleLimitStillReportsHowManySamplesThePageHad()
    {
        _exporter.ServeText("a 1\nb{x=\"y\"} 2\nc 3\n");

        var batch = await ScrapeAsync(Loop(sampleLimit: 2));

        Assert.Equal(0, batch.Report("up"));
        Assert.Equal(3, batch.Report("scrape_samples_scraped"));
    }

    [Fact]
    public async Task ParseErrorsNameTheLine()
    {
        var loop = Loop();
        _exporter.ServeText("a 1\nb{x=} 2\n");

        var batch = await ScrapeAsync(loop);

        Assert.Equal(0, batch.Report("up"));
        Assert.Contains("line 2", loop.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DuplicateLabelNamesFailTheScrape()
    {
        var loop = Loop();
        _exporter.ServeText("a{x=\"1\",x=\"2\"} 1\n");

        var batch = await ScrapeAsync(loop);

        Assert.Equal(0, batch.Report("up"));
        Assert.Contains("not unique", loop.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppingWritesStaleMarkersForEverything()
    {
        _exporter.ServeText("a 1\nb{x=\"y\"} 2\n");
        var loop = Loop(interval: TimeSpan.FromSeconds(2), timeout: TimeSpan.FromSeconds(2));
        loop.Start();

        // Poll for a successful scrape; on a loaded machine an early one may time out, which is fine here.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!_sink.Batches.Any(b => b.Report("up") == 1))
        {
            Assert.True(DateTime.UtcNow < deadline, "no successful scrape");
            await Task.Delay(20);
        }

        await loop.StopAsync(CancellationToken.None);

        // The stop batch marks exactly what the last scrape wrote live, plus the five report series.
        var last = _sink.Batches[^1];
        var beforeStop = _sink.Batches[^2];
        Assert.All(last, s => Assert.True(StaleMarker.Is(s.Value)));
        string[] report = beforeStop.Where(s => s.Labels.Get("__name__") is "up" or "scrape_duration_seconds" or "scrape_samples_scraped" or "scrape_samples_post_metric_relabeling" or "scrape_series_added")
            .Select(s => s.Labels.ToString()).ToArray();
        Assert.Equal(beforeStop.Live().Concat(report).Order(StringComparer.Ordinal), last.Stale());
        Assert.Equal(5, report.Length);
        Assert.True(last[0].TimestampMs > beforeStop[0].TimestampMs);
        if (beforeStop.Report("up") == 1)
        {
            Assert.Equal(7, last.Count);
        }
    }
}

using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.PromQL.Engine;
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

/// <summary>
/// <c>max_source_resolution</c> from the HTTP parameter through the engine to the storage's select hints, with the
/// enclosing function the store-gateway picks its aggregate by (real Kestrel, real engine, recording storage).
/// </summary>
public sealed class SourceResolutionTests : IAsyncLifetime
{
    private readonly RecordingStorage _storage = new();
    private QueryEngine _engine = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var b = WebApplication.CreateSlimBuilder();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        _app = b.Build();
        _engine = new QueryEngine(new EngineOptions());
        _app.MapPrometheusQueryApi("/prometheus", new EngineQueryRunner(_engine, _storage), _ => ("t1", null), TimeProvider.System, TimeSpan.FromMinutes(2));
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _engine.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("&max_source_resolution=0s", 0L, 0L)]
    [InlineData("&max_source_resolution=raw", 0L, 0L)]
    [InlineData("&max_source_resolution=5m", 300_000L, 300_000L)]
    [InlineData("&max_source_resolution=1h", 3_600_000L, 3_600_000L)]
    [InlineData("&max_source_resolution=3600", 3_600_000L, 3_600_000L)]
    [InlineData("&max_source_resolution=auto", null, 720_000L)]
    [InlineData("", null, 720_000L)]
    public async Task The_parameter_reaches_the_select_hints(string parameter, long? expected, long allowed)
    {
        using var r = await _http.GetAsync(new Uri($"/prometheus/api/v1/query_range?query=rate(m[1h])&start=0&end=36000&step=1h{parameter}", UriKind.Relative));
        Assert.Equal(200, (int)r.StatusCode);
        var hints = Assert.Single(_storage.Hints);
        Assert.Equal(expected, hints.MaxSourceResolution);
        Assert.Equal(allowed, hints.AllowedResolution);
        Assert.Equal("rate", hints.Func);
    }

    [Fact]
    public async Task An_instant_query_reads_raw_data_unless_asked()
    {
        using var r = await _http.GetAsync(new Uri("/prometheus/api/v1/query?query=max_over_time(m[1d])&time=100000", UriKind.Relative));
        Assert.Equal(200, (int)r.StatusCode);
        Assert.Equal(0, _storage.Hints.Single().AllowedResolution);
        Assert.Equal("max_over_time", _storage.Hints.Single().Func);
    }

    [Theory]
    [InlineData("-5m")]
    [InlineData("often")]
    public async Task A_bad_value_is_bad_data(string value)
    {
        using var r = await _http.GetAsync(new Uri($"/prometheus/api/v1/query_range?query=m&start=0&end=100&step=10&max_source_resolution={value}", UriKind.Relative));
        Assert.Equal(400, (int)r.StatusCode);
        Assert.Contains("max_source_resolution", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_storage.Hints);
    }

    [Theory]
    [InlineData("sum(m)", "sum")]
    [InlineData("avg_over_time(m[1h]) * 2", "avg_over_time")]
    [InlineData("sum(m * 2)", null)]
    [InlineData("m", null)]
    [InlineData("sum(rate(m[5m]))", "rate")]
    [InlineData("count_over_time(m[1h])", "count_over_time")]
    public async Task Func_is_the_nearest_enclosing_call_or_aggregation(string query, string? func)
    {
        using var r = await _http.GetAsync(new Uri($"/prometheus/api/v1/query?query={Uri.EscapeDataString(query)}&time=100000", UriKind.Relative));
        Assert.Equal(200, (int)r.StatusCode);
        Assert.Equal(func, _storage.Hints.Single().Func);
    }

    /// <summary>An empty store that records the hints of every select.</summary>
    private sealed class RecordingStorage : IQueryable
    {
        public List<SelectHints> Hints { get; } = [];

        public IQuerier Querier(string tenant, long mint, long maxt) => new RecordingQuerier(this);

        private sealed class RecordingQuerier(RecordingStorage owner) : IQuerier
        {
            public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
            {
                lock (owner.Hints)
                {
                    owner.Hints.Add(hints!);
                }

                await Task.CompletedTask;
                yield break;
            }

            public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<string>>([]);

            public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<string>>([]);

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}

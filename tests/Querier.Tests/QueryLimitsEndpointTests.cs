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
/// Issue 12 over HTTP with the real engine: a runaway query stops at its <c>timeout</c> with Prometheus' timeout
/// body and frees its slot, and hostile sizes are 4xx, never 500.
/// </summary>
public sealed class QueryLimitsEndpointTests : IAsyncLifetime
{
    // One slot: a query still holding it after its timeout would make the follow-up query time out in the queue.
    private readonly QueryEngine _engine = new(new EngineOptions { MaxConcurrent = 1, MaxSamples = 1_000_000 });
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var b = WebApplication.CreateSlimBuilder();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        _app = b.Build();
        _app.MapPrometheusQueryApi("/prometheus", new EngineQueryRunner(_engine, new OneSample()), _ => ("t1", null), TimeProvider.System, _engine.Options.Timeout);
        _app.MapRemoteRead("/prometheus", new OneSample(), _ => ("t1", null));
        await _app.StartAsync();
        var addr = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(addr) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        _engine.Dispose();
    }

    [Fact]
    public async Task Timeout_parameter_stops_a_runaway_query_and_frees_its_slot()
    {
        // About 9e12 subquery steps in bounded memory: only the 1 s timeout can end it.
        var (status, body) = await Get("/prometheus/api/v1/query?query=count_over_time(m[290y:1ms])&time=1000&timeout=1s");
        Assert.Equal(503, status);
        Assert.Equal("""{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}""", body);

        (status, body) = await Get("/prometheus/api/v1/query?query=m&time=100&timeout=5s");
        Assert.Equal(200, status);
        Assert.Equal("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"m"},"value":[100,"1"]}]}}""", body);
    }

    [Theory]
    [InlineData("count_over_time(vector(1)[2d:1ms])", 422, "execution", "query processing would load too many samples into memory in query execution")]
    [InlineData("count_over_time(vector(1)[10y:1ms])", 422, "execution", "query processing would load too many samples into memory in query execution")]
    [InlineData("count_over_time(vector(1)[1000y:1ms])", 400, "bad_data", null)]
    [InlineData("m offset 1000y", 400, "bad_data", null)]
    [InlineData("m{v=~\"1)|(2\"}", 400, "bad_data", null)]
    [InlineData("m{v=~\"(?=x)x\"}", 400, "bad_data", null)]
    public async Task Hostile_queries_are_client_errors(string query, int status, string errorType, string? message)
    {
        var (actualStatus, body) = await Get("/prometheus/api/v1/query?time=1000&query=" + Uri.EscapeDataString(query));
        Assert.Equal(status, actualStatus);
        Assert.Contains($"\"errorType\":\"{errorType}\"", body, StringComparison.Ordinal);
        if (message is not null)
        {
            Assert.Contains(message, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Remote_read_refuses_a_body_whose_snappy_header_claims_more_than_the_limit_before_allocating_it()
    {
        // Five bytes: a uvarint header of 2^31-1 and one literal tag; the old decoder allocated what the header said.
        using var content = new ByteArrayContent([0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00]);
        using var r = await _http.PostAsync(new Uri("/prometheus/api/v1/read", UriKind.Relative), content);
        Assert.Equal(400, (int)r.StatusCode);
        Assert.Contains("decodes to 2147483647 bytes, over the limit of 33554432", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remote_read_stops_reading_a_body_of_unknown_length_past_the_limit()
    {
        // A chunked body has no Content-Length: the limit must hold while reading, not after buffering it whole.
        var endless = new ZeroStream();
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => RemoteReadEndpoint.ReadBoundedAsync(endless, CancellationToken.None));
        Assert.Equal("request body exceeds the limit of 33554432 bytes", e.Message);
        Assert.InRange(endless.Position, RemoteReadEndpoint.MaxBodyBytes + 1, RemoteReadEndpoint.MaxBodyBytes + (64 << 10));
    }

    private async Task<(int Status, string Body)> Get(string url)
    {
        using var r = await _http.GetAsync(new Uri(url, UriKind.Relative));
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>A body that never ends, counting what was read of it.</summary>
    private sealed class ZeroStream : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>One series <c>m</c> with the value 1 at t=0.</summary>
    private sealed class OneSample : IQueryable, IQuerier
    {
        public IQuerier Querier(string tenant, long mint, long maxt) => this;

        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            var labels = Labels.FromStrings("__name__", "m");
            if (matchers.All(m => m.Matches(labels)))
            {
                yield return new Series(labels);
            }
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>(["__name__"]);

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>(name == "__name__" ? ["m"] : []);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Series(Labels labels) : ISeries
    {
        public Labels Labels => labels;

        public SampleIterator Iterator(SampleIterator? reuse) => new OnePoint();
    }

    private sealed class OnePoint : SampleIterator
    {
        private bool _done;

        public override long T => 0;

        public override double V => 1;

        public override bool Next() => !_done && (_done = true);
    }
}

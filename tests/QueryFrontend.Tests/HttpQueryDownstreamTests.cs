using System.Globalization;
using System.Text;
using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.PromQL.Tests.Scripts;
using MetricsCluster.Querier.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MetricsCluster.QueryFrontend.Tests;

/// <summary>
/// <see cref="HttpQueryDownstream"/> against the querier's real Prometheus API served in process: answers read back
/// over HTTP equal the engine's own bit for bit (values, labels, timestamps, annotations, errors), the tenant travels
/// in <c>X-Scope-OrgID</c>, and the bounds (body size, timeout) and non-JSON failures become query errors.
/// </summary>
public sealed class HttpQueryDownstreamTests : IAsyncLifetime
{
    private const long T0 = 1_700_000_000_000;
    private readonly MemoryStorage _storage = new();
    private readonly QueryEngine _engine = new(new EngineOptions());
    private readonly List<string> _tenants = [];
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _app = null!;
    private Uri _base = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        // Values whose text is hard to round-trip: tiny, huge, negative zero, non-integers, infinities, NaN.
        double[] hard = [0.1, 1e-300, 5e-324, 1.7976931348623157e308, -0.0, 1.0 / 3, 123456789.123456789, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 2.5e-7, 1e21];
        for (int i = 0; i < 40; i++)
        {
            long t = T0 + (i * 15_000) + 7;
            _storage.Add(Labels.FromStrings("__name__", "hard", "k", "v\"\\é"), t, hard[i % hard.Length]);
            _storage.Add(Labels.FromStrings("__name__", "ctr", "job", "a"), t, i * 1.1);
            _storage.Add(Labels.FromStrings("__name__", "ctr", "job", "b"), t, i * 0.7);
            _storage.Add(Labels.FromStrings("__name__", "dup", "x", "1"), t, i);
            _storage.Add(Labels.FromStrings("__name__", "dup", "x", "2"), t, i);
        }

        var b = WebApplication.CreateSlimBuilder();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        _app = b.Build();
        _app.Use(async (ctx, next) =>
        {
            lock (_tenants)
            {
                _tenants.Add(ctx.Request.Headers["X-Scope-OrgID"].ToString());
            }

            await next(ctx);
        });
        _app.MapPrometheusQueryApi("/prometheus", new EngineQueryRunner(_engine, _storage), ctx => (ctx.Request.Headers["X-Scope-OrgID"].ToString(), null), TimeProvider.System, _engine.Options.Timeout);
        _app.MapGet("/plain/prometheus/api/v1/query", () => Results.Text("too many outstanding requests", statusCode: 429));
        _app.MapPost("/plain/prometheus/api/v1/query", () => Results.Text("too many outstanding requests", statusCode: 429));
        _app.MapPost("/slow/prometheus/api/v1/query", async () =>
        {
            await _release.Task;
            return Results.Text("{}", "application/json");
        });
        await _app.StartAsync();
        _base = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        _http = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        _http.Dispose();
        await _app.DisposeAsync();
        _engine.Dispose();
    }

    [Theory]
    [InlineData("hard", true)]
    [InlineData("hard", false)]
    [InlineData("rate(ctr[1m])", true)]
    [InlineData("sum by (job) (ctr) / 3", false)]
    [InlineData("ctr * 1e-310", true)]
    [InlineData("scalar(sum(ctr))", false)]
    [InlineData("\"a string\"", false)]
    [InlineData("1/0", true)]
    [InlineData("quantile(2, ctr)", true)]
    [InlineData("histogram_quantile(0.5, ctr)", false)]
    [InlineData("dup + on() group_left dup", true)]
    [InlineData("sum(", false)]
    [InlineData("hard[5m]", true)]
    public async Task Answers_read_over_HTTP_equal_the_engines_bit_for_bit(string query, bool range)
    {
        var downstream = new HttpQueryDownstream(_http, _base, 1 << 20);
        long start = T0 + 60_000, end = T0 + 540_000, step = 30_000;

        var direct = range
            ? await _engine.RangeQueryAsync(_storage, "t", query, start, end, step, default)
            : await _engine.InstantQueryAsync(_storage, "t", query, end + 123, default);
        var viaHttp = range
            ? await downstream.RangeQueryAsync("t", query, start, end, step, default)
            : await downstream.InstantQueryAsync("t", query, end + 123, default);

        Assert.Equal(Canonical(direct), Canonical(viaHttp));
    }

    [Fact]
    public async Task The_tenant_is_sent_in_X_Scope_OrgID()
    {
        var r = await new HttpQueryDownstream(_http, _base, 1 << 20).InstantQueryAsync("tenant-7", "ctr", T0 + 100_000, default);
        Assert.Null(r.Error);
        lock (_tenants)
        {
            Assert.Equal("tenant-7", _tenants[^1]);
        }
    }

    [Fact]
    public async Task A_body_over_the_bound_fails_the_query_instead_of_being_read()
    {
        var r = await new HttpQueryDownstream(_http, _base, 200).RangeQueryAsync("t", "hard", T0, T0 + 600_000, 15_000, default);
        Assert.Equal(QueryErrorType.Internal, r.Error?.Type);
        Assert.Contains("larger than 200 bytes", r.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_text_answer_becomes_an_error_with_its_status_and_text()
    {
        var r = await new HttpQueryDownstream(_http, new Uri(_base, "plain/"), 1 << 20).InstantQueryAsync("t", "ctr", T0, default);
        Assert.Equal(new QueryError(QueryErrorType.Internal, "downstream answered 429: too many outstanding requests"), r.Error);
    }

    [Fact]
    public async Task A_querier_that_does_not_answer_in_time_is_a_timeout_and_the_callers_cancellation_throws()
    {
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        var r = await new HttpQueryDownstream(impatient, new Uri(_base, "slow/"), 1 << 20).InstantQueryAsync("t", "ctr", T0, default);
        Assert.Equal(QueryErrorType.Timeout, r.Error?.Type);

        using var cts = new CancellationTokenSource();
        var pending = new HttpQueryDownstream(_http, new Uri(_base, "slow/"), 1 << 20).InstantQueryAsync("t", "ctr", T0, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task An_unreachable_querier_is_an_internal_error()
    {
        // A port nobody listens on: the listener is stopped before the call.
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var r = await new HttpQueryDownstream(_http, new Uri($"http://127.0.0.1:{port}/"), 1 << 20).InstantQueryAsync("t", "ctr", T0, default);
        Assert.Equal(QueryErrorType.Internal, r.Error?.Type);
    }

    /// <summary>Everything the API carries, bit-exact; the engine's drop-name mark is internal and not part of it.</summary>
    private static string Canonical(QueryResult r)
    {
        var sb = new StringBuilder();
        sb.Append(r.Error is { } e ? $"error {e.TypeName}: {e.Message}\n" : string.Empty);
        sb.AppendJoin('\n', r.Warnings.Select(w => "warning " + w)).Append('\n').AppendJoin('\n', r.Infos.Select(i => "info " + i)).Append('\n');
        switch (r.Value)
        {
            case MatrixValue m:
                foreach (var s in m.Series)
                {
                    sb.Append(s.Metric).Append(':');
                    foreach (var p in s.Floats)
                    {
                        sb.Append(' ').Append(p.T).Append('=').Append(Bits(p.F));
                    }

                    sb.Append('\n');
                }

                break;
            case VectorValue v:
                foreach (var s in v.Samples)
                {
                    sb.Append(s.Metric).Append(' ').Append(s.T).Append('=').Append(Bits(s.F)).Append('\n');
                }

                break;
            case ScalarValue s:
                sb.Append("scalar ").Append(s.T).Append('=').Append(Bits(s.V));
                break;
            case StringValue s:
                sb.Append("string ").Append(s.T).Append('=').Append(s.V);
                break;
        }

        return sb.ToString();
    }

    private static string Bits(double f) => BitConverter.DoubleToInt64Bits(f).ToString("x16", CultureInfo.InvariantCulture);
}

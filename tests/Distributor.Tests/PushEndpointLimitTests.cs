using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using MetricsCluster.Core;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Core.Snappy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace MetricsCluster.Distributor.Tests;

/// <summary>The in-flight bytes limit on the push route (real Kestrel): reserved before the body is read.</summary>
public sealed class PushEndpointLimitTests : IAsyncLifetime
{
    private const int MaxSize = 64 * 1024;
    private readonly FakeIngesterClient _ingester = new();
    private readonly ManualTimeProvider _time = new(ManualTimeProvider.DefaultStart);
    private readonly MetricsRegistry _registry = new();
    private WebApplication? _app;
    private HttpClient? _client;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var options = new DistributorOptions { MaxRecvMsgSize = MaxSize, MaxInflightPushRequestsBytes = 3 * MaxSize };
        builder.Services.AddSingleton(new Distributor(_ingester, new StaticOverrides(new Limits()), options, _registry, _time));
        _app = builder.Build();
        _app.MapPush(context => (context.Request.Headers[TenantId.Header].ToString(), null));
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_body_of_unknown_length_is_refused_before_it_is_read_when_its_first_buffer_does_not_fit()
    {
        // An incompressible ~62 KB push holds its body and twice its decoded length: ~185 KB of the 192 KiB.
        var random = new Random(3);
        var big = Requests.Of([.. Enumerable.Range(0, 30).Select(i => Requests.Series(_time.NowMs, i, "__name__", "big", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "pad", new string([.. Enumerable.Range(0, 2000).Select(_ => (char)('a' + random.Next(26)))])))]);
        byte[] bigBody = SnappyEncoder.Encode(big.ToByteArray());
        Assert.InRange(bigBody.Length, 60_000, MaxSize);

        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ingester.BeforePush = () =>
        {
            entered.TrySetResult();
            return release.Task;
        };
        var first = PostAsync(bigBody, chunked: false);
        await entered.Task;
        _ingester.BeforePush = null;

        // Without a Content-Length the first 64 KiB buffer is reserved up front, and does not fit.
        byte[] small = SnappyEncoder.Encode(Requests.Of(Requests.Series(_time.NowMs, 1, "__name__", "small")).ToByteArray());
        using (var refused = await PostAsync(small, chunked: true))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
            Assert.Contains("(err-mc-distributor-max-inflight-push-requests-bytes)", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // With a Content-Length the same small push reserves only what it needs, and fits.
        using (var admitted = await PostAsync(small, chunked: false))
        {
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        }

        release.SetResult();
        using (var done = await first)
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        Assert.Contains("metricscluster_distributor_inflight_push_requests_bytes 0\n", _registry.WriteText(), StringComparison.Ordinal);
        Assert.Equal(["small", .. Enumerable.Repeat("big", 30)], _ingester.AllSeries.Select(s => s.Labels.MetricName));
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, bool chunked)
    {
        using HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        using var request = new HttpRequestMessage(HttpMethod.Post, PushEndpoint.Path) { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        request.Headers.Add(TenantId.Header, "tenant-1");
        return await _client!.SendAsync(request);
    }
}

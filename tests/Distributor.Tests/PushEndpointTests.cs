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

/// <summary>The push route on real Kestrel bound to 127.0.0.1:0 (Mvc.Testing cannot be restored here).</summary>
public sealed class PushEndpointTests : IAsyncLifetime
{
    private const int MaxSize = 64 * 1024;
    private readonly FakeIngesterClient _ingester = new();
    private readonly ManualTimeProvider _time = new(ManualTimeProvider.DefaultStart);
    private WebApplication? _app;
    private HttpClient? _client;

    private HttpClient Client => _client!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var options = new DistributorOptions { MaxRecvMsgSize = MaxSize };
        builder.Services.AddSingleton(new Distributor(_ingester, new StaticOverrides(new Limits()), options, new MetricsRegistry(), _time));
        _app = builder.Build();
        _app.MapPush(context => TenantId.TryResolve(context.Request.Headers[TenantId.Header], multitenancyEnabled: true, out string tenant, out string? error)
            ? (tenant, null)
            : (null, Results.Text(error, statusCode: StatusCodes.Status401Unauthorized)));
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
    public async Task GoodPushIs200WithAnEmptyBody()
    {
        using var response = await PostAsync(Body(), "tenant-1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Equal("tenant-1", Assert.Single(_ingester.Batches).Tenant);
    }

    [Fact]
    public async Task MissingTenantIs401()
    {
        using var response = await PostAsync(Body(), tenant: null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("no org id", await response.Content.ReadAsStringAsync());
        Assert.Empty(_ingester.Batches);
    }

    [Fact]
    public async Task BadDataIs400WithAPlainTextMessage()
    {
        byte[] body = SnappyEncoder.Encode(Requests.Of(Requests.Series(_time.NowMs, 1, "job", "a")).ToByteArray());
        using var response = await PostAsync(body, "tenant-1");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("received series has no metric name, series: '{job=\"a\"}' (err-mc-missing-metric-name)\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WrongEncodingIs415()
    {
        using var content = new ByteArrayContent(Body());
        content.Headers.ContentEncoding.Add("gzip");
        using var request = new HttpRequestMessage(HttpMethod.Post, PushEndpoint.Path) { Content = content };
        request.Headers.Add(TenantId.Header, "tenant-1");
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task DeclaredLengthOverTheLimitIs413WithoutReading()
    {
        using var response = await PostAsync(new byte[MaxSize + 1], "tenant-1");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains($"message size of {MaxSize + 1} bytes is larger than the allowed limit of {MaxSize} bytes (err-mc-distributor-max-write-message-size)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimitIs413()
    {
        using var content = new StreamContent(new MemoryStream(new byte[(MaxSize * 3) + 7]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var request = new HttpRequestMessage(HttpMethod.Post, PushEndpoint.Path) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add(TenantId.Header, "tenant-1");
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("its message size is larger than the allowed limit", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChunkedBodyUnderTheLimitIsAccepted()
    {
        using var content = new StreamContent(new MemoryStream(Body()));
        using var request = new HttpRequestMessage(HttpMethod.Post, PushEndpoint.Path) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add(TenantId.Header, "tenant-1");
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private byte[] Body() => SnappyEncoder.Encode(Requests.Of(Requests.Series(_time.NowMs, 1, "__name__", "up")).ToByteArray());

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string? tenant)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        using var request = new HttpRequestMessage(HttpMethod.Post, PushEndpoint.Path) { Content = content };
        request.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        if (tenant is not null)
        {
            request.Headers.Add(TenantId.Header, tenant);
        }

        return await Client.SendAsync(request);
    }
}

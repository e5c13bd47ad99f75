using System.Net;
using MetricsCluster.Cluster.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsCluster.Cluster.Tests.Rpc;

/// <summary>A real Kestrel on 127.0.0.1 speaking HTTP/2 only (prior knowledge, as the RPC port does), plus a client pool.</summary>
internal sealed class RpcTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RpcTestServer(WebApplication app, string address, RpcClientPool pool)
    {
        _app = app;
        Address = address;
        Pool = pool;
    }

    /// <summary>host:port of the server.</summary>
    public string Address { get; }

    /// <summary>A client pool for this test.</summary>
    public RpcClientPool Pool { get; }

    public static async Task<RpcTestServer> StartAsync(Action<WebApplication> map, RpcClientOptions? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        string address = new Uri(app.Urls.First()).Authority;
        return new RpcTestServer(app, address, new RpcClientPool(options ?? new RpcClientOptions(), NullLoggerFactory.Instance));
    }

    public async ValueTask DisposeAsync()
    {
        Pool.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}

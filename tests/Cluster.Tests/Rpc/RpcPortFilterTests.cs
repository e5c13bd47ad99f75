using System.Net;
using System.Net.Sockets;
using MetricsCluster.Cluster.Rpc;
using MetricsCluster.Core.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Rpc;

/// <summary>The RPC routes answer on the RPC port only, whatever the Host header says (issue 12, row 1).</summary>
public sealed class RpcPortFilterTests
{
    [Fact]
    public async Task Rpc_routes_are_not_reachable_on_the_public_port_with_a_host_header_naming_the_rpc_port()
    {
        await using var server = await TwoPortServer.StartAsync();
        using var http = new HttpClient();

        foreach (string host in new[] { $"127.0.0.1:{server.RpcPort}", $"localhost:{server.RpcPort}", $"127.0.0.1:{server.PublicPort}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{server.PublicPort}/rpc/ingester/UserStats") { Content = new ByteArrayContent([]) };
            request.Headers.Host = host;
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        // The catch-all of unknown methods is restricted too.
        using var unknown = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{server.PublicPort}/rpc/ingester/Nope") { Content = new ByteArrayContent([]) };
        unknown.Headers.Host = $"127.0.0.1:{server.RpcPort}";
        using var unknownResponse = await http.SendAsync(unknown);
        Assert.Equal(HttpStatusCode.NotFound, unknownResponse.StatusCode);
        Assert.Equal(0, unknownResponse.Content.Headers.ContentLength ?? (await unknownResponse.Content.ReadAsByteArrayAsync()).Length);

        Assert.Equal(0, server.Ingester.StatsCalls);
    }

    [Fact]
    public async Task Rpc_routes_answer_on_the_rpc_port()
    {
        await using var server = await TwoPortServer.StartAsync();
        using var pool = new RpcClientPool(new RpcClientOptions(), NullLoggerFactory.Instance);
        var client = new RemoteIngesterClient(pool, $"127.0.0.1:{server.RpcPort}");

        var stats = await client.UserStatsAsync("team-a", CancellationToken.None);

        Assert.Equal(7, stats.NumSeries);
        Assert.Equal(1, server.Ingester.StatsCalls);
    }

    /// <summary>A host with a public HTTP/1.1+2 port and an HTTP/2 RPC port, as the metrics-cluster host.</summary>
    private sealed class TwoPortServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private TwoPortServer(WebApplication app, int publicPort, int rpcPort, CountingStats ingester) =>
            (_app, PublicPort, RpcPort, Ingester) = (app, publicPort, rpcPort, ingester);

        public int PublicPort { get; }

        public int RpcPort { get; }

        public CountingStats Ingester { get; }

        public static async Task<TwoPortServer> StartAsync()
        {
            // The filter needs the port before the routes are mapped, so the ports are picked first.
            int publicPort = FreePort();
            int rpcPort = FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k =>
            {
                k.Listen(IPAddress.Loopback, publicPort, o => o.Protocols = HttpProtocols.Http1AndHttp2);
                k.Listen(IPAddress.Loopback, rpcPort, o => o.Protocols = HttpProtocols.Http2);
            });
            var app = builder.Build();
            var stats = new CountingStats();
            app.MapGroup(string.Empty).RequireLocalPort(rpcPort).MapIngesterRpc(new FakeIngester(), stats);
            await app.StartAsync();
            return new TwoPortServer(app, publicPort, rpcPort, stats);
        }

        public async ValueTask DisposeAsync()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(cts.Token);
            await _app.DisposeAsync();
        }

        private static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }
    }

    private sealed class CountingStats : IIngesterStats
    {
        private int _calls;

        public int StatsCalls => Volatile.Read(ref _calls);

        public ValueTask<UserStats> UserStatsAsync(string tenant, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(new UserStats(7, 0, 0));
        }

        public ValueTask<IReadOnlyList<TenantUserStats>> AllUserStatsAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<TenantUserStats>>([]);
    }
}

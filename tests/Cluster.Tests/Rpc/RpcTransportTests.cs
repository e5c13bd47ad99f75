using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using MetricsCluster.Cluster.Rpc;
using MetricsCluster.Cluster.Rpc.Wire;
using ErrorCode = MetricsCluster.Cluster.Rpc.Wire.ErrorCode;
using MetricsCluster.Core.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Rpc;

public sealed class RpcTransportTests
{
    // Generous: the machine is shared and loaded; nothing here asserts a duration shorter than this.
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Truncated_stream_is_a_retryable_error_never_a_short_result(bool abortConnection)
    {
        await using var server = await RpcTestServer.StartAsync(app => app.MapPost("/rpc/ingester/Select", async ctx =>
        {
            ctx.Response.ContentType = RpcProtocol.ContentType;
            for (int i = 0; i < 2; i++)
            {
                var frame = new StreamFrame { Batch = new SeriesBatch { Series = { RpcConvert.ToWire(IngesterRpcTests.Series("s" + i, i)) } } };
                await ctx.Response.Body.WriteAsync(frame.ToByteArray().Prepend((byte)frame.CalculateSize()).ToArray());
                await ctx.Response.Body.FlushAsync();
            }

            if (abortConnection)
            {
                ctx.Abort();
            }

            // Otherwise the reply simply ends without an end frame.
        }));
        var client = new RemoteIngesterClient(server.Pool, server.Address);

        int seen = 0;
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var s in client.SelectAsync("t", 0, 1, false, [], CancellationToken.None))
            {
                seen++;
            }
        });
        Assert.True(e.Retryable);
        Assert.Equal(RpcStatusCode.Unavailable, e.Code);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains(server.Address, e.Message, StringComparison.Ordinal);
        Assert.True(seen <= 2);
    }

    [Fact]
    public async Task Deadline_exceeded_cancels_the_server_side_work()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var serverCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fake = new FakeIngester
        {
            OnPush = async (_, _, ct) =>
            {
                using var reg = ct.Register(serverCancelled.SetResult);
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return new PushResult();
            },
        };

        // 2 s leaves a loaded machine time to deliver the request; the connection is opened beforehand.
        var options = new RpcClientOptions { PushTimeout = TimeSpan.FromSeconds(2) };
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, fake), options);
        var client = new RemoteIngesterClient(server.Pool, server.Address);
        await client.UserStatsAsync("warm-up", CancellationToken.None);
        using var batch = PushCodecTests.SampleBatch();

        var e = await Assert.ThrowsAsync<RpcException>(() => client.PushAsync("t", batch, CancellationToken.None).AsTask()).WaitAsync(s_wait);
        Assert.Equal(RpcStatusCode.DeadlineExceeded, e.Code);
        Assert.True(e.Retryable);
        Assert.Contains(server.Address, e.Message, StringComparison.Ordinal);
        await started.Task.WaitAsync(s_wait);
        await serverCancelled.Task.WaitAsync(s_wait);
    }

    [Fact]
    public async Task Client_cancellation_propagates_to_the_server()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var serverCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fake = new FakeIngester
        {
            BeforeLabelNames = async ct =>
            {
                using var reg = ct.Register(serverCancelled.SetResult);
                started.SetResult();
                await Task.Delay(Timeout.Infinite, ct);
            },
        };
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, fake));
        var client = new RemoteIngesterClient(server.Pool, server.Address);
        using var cts = new CancellationTokenSource();

        var call = client.LabelNamesAsync("t", 0, 1, [], cts.Token).AsTask();
        await started.Task.WaitAsync(s_wait);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call).WaitAsync(s_wait);
        await serverCancelled.Task.WaitAsync(s_wait);
    }

    [Fact]
    public async Task Connection_refused_is_retryable_unavailable_naming_the_address()
    {
        // A port nobody listens on: bind one, note it, release it.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        string address = "127.0.0.1:" + port;
        using var pool = new RpcClientPool(new RpcClientOptions(), NullLoggerFactory.Instance);
        var client = new RemoteIngesterClient(pool, address);
        using var batch = PushCodecTests.SampleBatch();

        var e = await Assert.ThrowsAsync<RpcException>(() => client.PushAsync("t", batch, CancellationToken.None).AsTask()).WaitAsync(s_wait);
        Assert.Equal(RpcStatusCode.Unavailable, e.Code);
        Assert.True(e.Retryable);
        Assert.Equal(address, e.Address);
        Assert.Contains(address, e.Message, StringComparison.Ordinal);
        Assert.Contains("ingester/Push", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ingester/NoSuchMethod")]
    [InlineData("storegateway/NoSuchMethod")]
    [InlineData("nosuchservice/Push")]
    public async Task Unknown_method_is_permanent_not_found(string method)
    {
        var fake = new FakeIngester();
        await using var server = await RpcTestServer.StartAsync(app =>
        {
            app.MapIngesterRpc(fake, fake);
            app.MapStoreGatewayRpc(new FakeStoreGateway());
        });

        var e = await Assert.ThrowsAsync<RpcException>(() => server.Pool.CallAsync(server.Address, method, new UserStatsRequest(), UserStatsResponse.Parser, CancellationToken.None));
        Assert.Equal(RpcStatusCode.NotFound, e.Code);
        Assert.False(e.Retryable);
        Assert.Contains(method, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(30, 0)]
    [InlineData(90_000_000, 1)]
    public void Options_validation_names_the_key(int timeoutSeconds, int maxConnections)
    {
        var o = new RpcClientOptions { Timeout = TimeSpan.FromSeconds(timeoutSeconds), MaxConnectionsPerServer = maxConnections };
        var e = Assert.Throws<ArgumentException>(o.Validate);
        Assert.StartsWith("rpc.client.", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new RpcClientPool(o, NullLoggerFactory.Instance));
    }

    [Fact]
    public async Task Concurrent_pushes_share_the_pool()
    {
        var fake = new FakeIngester();
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, fake), new RpcClientOptions { PushTimeout = s_wait });
        var client = new RemoteIngesterClient(server.Pool, server.Address);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var batch = new PushBatch();
            PushCodecTests.Add(batch, Core.Labels.FromStrings("__name__", "m", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), (i, i));
            return await client.PushAsync("t" + i, batch, CancellationToken.None);
        })).WaitAsync(s_wait * 2);

        Assert.All(results, r => Assert.Equal(1, r.Accepted));
        Assert.Equal(200, fake.Pushes.Count);
        Assert.Equal(200, fake.Pushes.Select(p => p.Tenant).Distinct().Count());
        Assert.Equal(1, server.Pool.PooledAddresses);
    }

    [Fact]
    public async Task Deadline_header_is_sent_with_the_call_timeout()
    {
        string? header = null;
        await using var server = await RpcTestServer.StartAsync(app => app.MapPost("/rpc/ingester/UserStats", (HttpContext ctx) =>
        {
            header = ctx.Request.Headers[RpcProtocol.DeadlineHeader];
            return Results.Bytes(new UserStatsResponse { NumSeries = 3 }.ToByteArray(), RpcProtocol.ContentType);
        }));
        var client = new RemoteIngesterClient(server.Pool, server.Address);

        Assert.Equal(3, (await client.UserStatsAsync("t", CancellationToken.None)).NumSeries);
        Assert.Equal("30000", header);
    }

    [Fact]
    public async Task Server_answers_408_with_an_rpc_error_when_the_budget_is_already_spent()
    {
        var fake = new FakeIngester();
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, fake));

        // A raw h2c request, so the budget header can say 0 ms while the client itself still waits.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{server.Address}/rpc/ingester/UserStats")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(new UserStatsRequest { Tenant = "t" }.ToByteArray()),
        };
        request.Headers.Add(RpcProtocol.DeadlineHeader, "0");
        using var response = await http.SendAsync(request).WaitAsync(s_wait);

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        Assert.Equal(RpcProtocol.ContentType, response.Content.Headers.ContentType?.MediaType);
        var error = RpcError.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(ErrorCode.DeadlineExceeded, error.Code);
        Assert.Equal("08071201" + "78", Convert.ToHexString(new RpcError { Code = ErrorCode.Unavailable, Message = "x" }.ToByteArray()));
        Assert.Equal("041A021002", Convert.ToHexString(new StreamFrame { End = new EndFrame { Frames = 2 } }.ToByteArray().Prepend((byte)4).ToArray()));
    }
}

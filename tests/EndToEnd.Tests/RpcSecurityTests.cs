using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MetricsCluster.Core;
using MetricsCluster.EndToEnd.Tests.Infra;
using MetricsCluster.Tests.Shared;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// A cluster-mode ingester process under the attacks of issue 12, row 1: the internal RPC reached through the public
/// port with a Host header naming the RPC port, and tenants that are paths. Nothing may be created outside the data
/// dir, neither by the push nor by the flush on shutdown (G18).
/// </summary>
public sealed class RpcSecurityTests
{
    [Fact]
    public async Task The_rpc_answers_only_on_its_port_and_refuses_path_tenants_and_nothing_is_written_outside_the_data_dir()
    {
        await using var postgres = await PostgresServer.StartAsync();
        int rpcPort = Repo.FreePort();
        await using var mc = await MetricsClusterProcess.StartAsync(
            "--target=ingester",
            "--ring.store=postgres",
            $"--ring.postgres.connection-string={postgres.ConnectionString}",
            "--ring.instance-id=ingester-0",
            "--ring.instance-addr=127.0.0.1",
            string.Create(CultureInfo.InvariantCulture, $"--server.rpc-listen-port={rpcPort}"));
        string escape = "mc-escape-" + Guid.NewGuid().ToString("N");
        string absolute = Path.Combine(Path.GetTempPath(), "mc-abs-" + Guid.NewGuid().ToString("N"));

        // <data>/tsdb/../../<escape> is <data's parent>/<escape>.
        string escaped = Path.Combine(Path.GetDirectoryName(mc.DataDir)!, escape);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        using (var viaPublic = PushRequest($"http://127.0.0.1:{mc.Port}", "valid-tenant"))
        {
            viaPublic.Headers.Host = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{rpcPort}");
            using var resp = await http.SendAsync(viaPublic);
            Assert.Equal(HttpStatusCode.NotFound, resp.StatusCode);
        }

        foreach (string tenant in new[] { "../../" + escape, absolute })
        {
            using var viaPublic = PushRequest($"http://127.0.0.1:{mc.Port}", tenant);
            viaPublic.Headers.Host = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{rpcPort}");
            using (var resp = await http.SendAsync(viaPublic))
            {
                Assert.Equal(HttpStatusCode.NotFound, resp.StatusCode);
            }

            using var viaRpc = PushRequest($"http://127.0.0.1:{rpcPort}", tenant);
            viaRpc.Version = HttpVersion.Version20;
            viaRpc.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            using (var resp = await http.SendAsync(viaRpc))
            {
                // INVALID_ARGUMENT (400, permanent); the RpcError message is UTF-8 inside the protobuf body.
                Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
                string body = Encoding.UTF8.GetString(await resp.Content.ReadAsByteArrayAsync());
                Assert.Contains(TenantId.Rule, body, StringComparison.Ordinal);
                Assert.Contains(ErrorId.Tag(ErrorId.TenantIdInvalid), body, StringComparison.Ordinal);
            }
        }

        // The cluster-mode shutdown flushes and ships every open tenant: none of them may be outside the data dir.
        Assert.Equal(0, await mc.Child.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.False(Directory.Exists(escaped), escaped);
        Assert.False(Directory.Exists(absolute), absolute);
        Assert.Empty(Directory.Exists(Path.Combine(mc.DataDir, "tsdb")) ? Directory.GetDirectories(Path.Combine(mc.DataDir, "tsdb")) : []);
    }

    /// <summary>An <c>ingester/Push</c> call whose <c>PushRequest</c> carries only the tenant (field 1, docs/format/rpc.md).</summary>
    private static HttpRequestMessage PushRequest(string baseUri, string tenant)
    {
        byte[] t = Encoding.UTF8.GetBytes(tenant);
        byte[] body = [0x0A, (byte)t.Length, .. t];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return new HttpRequestMessage(HttpMethod.Post, baseUri + "/rpc/ingester/Push") { Content = content };
    }
}

using MetricsCluster.Cluster.Rpc;
using MetricsCluster.Core;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Rpc;

/// <summary>
/// Every RPC method that takes a tenant refuses an invalid one with a permanent InvalidArgument naming the tenant rule,
/// before the ingester or store-gateway sees it: the tenant becomes a directory name there (issue 12, row 1).
/// </summary>
public sealed class RpcTenantValidationTests
{
    public static TheoryData<string, string> IngesterCalls()
    {
        var data = new TheoryData<string, string>();
        foreach (string tenant in new[] { "../../x", "/abs", "..", "a\0b" })
        {
            foreach (string method in new[] { "Push", "Select", "LabelNames", "LabelValues", "Metadata", "UserStats" })
            {
                data.Add(method, tenant);
            }
        }

        return data;
    }

    public static TheoryData<string, string> StoreGatewayCalls()
    {
        var data = new TheoryData<string, string>();
        foreach (string tenant in new[] { "../../x", "/abs", ".." })
        {
            foreach (string method in new[] { "Select", "LabelNames", "LabelValues" })
            {
                data.Add(method, tenant);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(IngesterCalls))]
    public async Task Ingester_methods_refuse_an_invalid_tenant(string method, string tenant)
    {
        var fake = new FakeIngester();
        bool reached = false;
        fake.OnPush = (_, b, _) =>
        {
            reached = true;
            return ValueTask.FromResult(new Core.Ingest.PushResult { Accepted = b.SampleCount });
        };
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, new RefusingStats()));
        var client = new RemoteIngesterClient(server.Pool, server.Address);

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            switch (method)
            {
                case "Push":
                    using (var batch = PushCodecTests.SampleBatch())
                    {
                        await client.PushAsync(tenant, batch, CancellationToken.None);
                    }

                    break;
                case "Select":
                    await foreach (var unused in client.SelectAsync(tenant, 0, 1, false, [Matcher.Eq("job", "api")], CancellationToken.None))
                    {
                    }

                    break;
                case "LabelNames":
                    await client.LabelNamesAsync(tenant, 0, 1, [], CancellationToken.None);
                    break;
                case "LabelValues":
                    await client.LabelValuesAsync(tenant, "job", 0, 1, [], CancellationToken.None);
                    break;
                case "Metadata":
                    await client.MetadataAsync(tenant, null, 10, CancellationToken.None);
                    break;
                default:
                    await client.UserStatsAsync(tenant, CancellationToken.None);
                    break;
            }
        });

        AssertTenantRefused(e);
        Assert.False(reached);
        Assert.Empty(fake.Pushes);
    }

    [Theory]
    [MemberData(nameof(StoreGatewayCalls))]
    public async Task Store_gateway_methods_refuse_an_invalid_tenant(string method, string tenant)
    {
        var stores = new FakeStoreGateway();
        await using var server = await RpcTestServer.StartAsync(app => app.MapStoreGatewayRpc(stores));
        var client = new RemoteStoreGatewayClient(server.Pool, server.Address);

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await using var q = client.Querier(tenant, 0, 1, new HashSet<Ulid> { Ulid.New(1) }, new QueriedBlocks());
            switch (method)
            {
                case "Select":
                    await foreach (var unused in q.SelectAsync(false, null, [Matcher.Eq("job", "api")], CancellationToken.None))
                    {
                    }

                    break;
                case "LabelNames":
                    await q.LabelNamesAsync([], CancellationToken.None);
                    break;
                default:
                    await q.LabelValuesAsync("job", [], CancellationToken.None);
                    break;
            }
        });

        AssertTenantRefused(e);
        Assert.Null(stores.LastTenant);
    }

    private static void AssertTenantRefused(RpcException e)
    {
        Assert.Equal(RpcStatusCode.InvalidArgument, e.Code);
        Assert.False(e.Retryable);
        Assert.Contains(TenantId.Rule, e.Message, StringComparison.Ordinal);
        Assert.Contains(ErrorId.Tag(ErrorId.TenantIdInvalid), e.Message, StringComparison.Ordinal);
    }

    /// <summary>Stats that fail the test if an invalid tenant gets this far.</summary>
    private sealed class RefusingStats : Core.Ingest.IIngesterStats
    {
        public ValueTask<Core.Ingest.UserStats> UserStatsAsync(string tenant, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"UserStats reached the ingester with tenant '{tenant}'");

        public ValueTask<IReadOnlyList<Core.Ingest.TenantUserStats>> AllUserStatsAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<Core.Ingest.TenantUserStats>>([]);
    }
}

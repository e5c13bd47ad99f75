using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using Xunit;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>
/// Which bucket directories the store-gateway treats as tenants: every valid tenant id, "hidden" and ".tmp"-looking
/// ones included, and nothing else (issue 12, rows 1 and 5).
/// </summary>
public sealed class BucketStoresTenantTests : IDisposable
{
    private const long Hour = 3_600_000;
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Every_valid_tenant_in_the_bucket_is_synced_and_queryable_and_nothing_else()
    {
        var up = Labels.FromStrings("__name__", "up", "job", "a");
        var meta = await _store.ShipBlockAsync(0, 2 * Hour, (up, TestStore.Range(0, Hour, 30_000)));
        string[] tenants = [".a", ".mc-tmp", "a.tmp.b", "x.tmp"];
        foreach (string tenant in tenants.Append("not a tenant"))
        {
            await CopyTenantAsync(TestStore.Tenant, tenant);
        }

        await _store.Stores.SyncAsync();

        Assert.Equal(tenants.Append(TestStore.Tenant).Order(StringComparer.Ordinal), _store.Stores.Tenants);
        foreach (string tenant in tenants)
        {
            Assert.Equal([meta.Ulid], _store.Stores.Blocks(tenant).Select(m => m.Ulid));
            await using var q = _store.Stores.Querier(tenant, 0, 2 * Hour);
            var series = new List<ISeries>();
            await foreach (var s in q.SelectAsync(true, null, [Matcher.Eq("__name__", "up")], CancellationToken.None))
            {
                series.Add(s);
            }

            Assert.Equal(up, Assert.Single(series).Labels);
        }

        Assert.Empty(_store.Stores.Blocks("not a tenant"));
        Assert.False(Directory.Exists(Path.Combine(_store.SyncDir, "not a tenant")));
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("/abs")]
    [InlineData("..")]
    public async Task Syncing_an_invalid_tenant_is_refused_and_creates_no_directory(string tenant)
    {
        await Assert.ThrowsAsync<InvalidTenantIdException>(() => _store.Stores.SyncTenantAsync(tenant));
        Assert.Equal([Path.Combine(_store.Root, "bucket"), Path.Combine(_store.Root, "tsdb")], Directory.GetFileSystemEntries(_store.Root).Order(StringComparer.Ordinal));
    }

    private async Task CopyTenantAsync(string from, string to)
    {
        await foreach (string key in _store.Bucket.ListAsync(from + "/", recursive: true))
        {
            await using var content = await _store.Bucket.GetAsync(key);
            await _store.Bucket.UploadAsync(to + key[from.Length..], content);
        }
    }
}

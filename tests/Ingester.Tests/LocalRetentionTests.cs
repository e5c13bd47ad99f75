using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Storage.Shipping;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

using static MetricsCluster.Ingester.Tests.HeadCompactorTests;

namespace MetricsCluster.Ingester.Tests;

/// <summary>
/// The ingester deletes a local block only once it was shipped at least the local retention period ago (counted from
/// the upload, as Mimir counts -blocks-storage.tsdb.retention-period), and never from under a query reading it.
/// </summary>
public sealed class LocalRetentionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ingester-retention-" + Guid.NewGuid().ToString("N"));
    private readonly FixedTime _time = new(T0);

    private string TenantDir => Path.Combine(_dir, Tenant);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(12, true, false)] // Shipped, not long enough ago.
    [InlineData(13, true, true)] // Shipped exactly the retention ago.
    [InlineData(20, false, false)] // Old enough but never shipped.
    public async Task Deletes_only_blocks_shipped_longer_than_the_retention_ago(int hoursAfterUpload, bool shipped, bool deleted)
    {
        using var ing = await Start();
        var db = await CutTwoBlocksAsync(ing);
        var (old, young) = (db.Blocks[0].Meta, db.Blocks[1].Meta);
        long uploadedAt = young.MaxTime + Hour;
        if (shipped)
        {
            MarkShipped(uploadedAt, old.Ulid);
            MarkShipped(uploadedAt + Hour, young.Ulid);
        }

        _time.Now = uploadedAt + (hoursAfterUpload * Hour);
        Assert.Equal(deleted ? 1 : 0, ing.ApplyLocalRetention());

        Assert.Equal(!deleted, Directory.Exists(Path.Combine(TenantDir, old.Ulid.ToString())));
        Assert.Equal(!deleted, db.Blocks.Any(b => b.Meta.Ulid == old.Ulid));
        Assert.True(Directory.Exists(Path.Combine(TenantDir, young.Ulid.ToString())));
        Assert.DoesNotContain(Directory.EnumerateDirectories(TenantDir), d => d.Contains(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_backfilled_block_is_kept_for_the_retention_after_its_upload_however_old_its_samples()
    {
        // Its samples are days old when it is cut and shipped: store-gateways have not discovered it yet.
        using var ing = await Start();
        var db = await CutTwoBlocksAsync(ing);
        var block = db.Blocks[0].Meta;
        long uploadedAt = block.MaxTime + (7 * 24 * Hour);
        MarkShipped(uploadedAt, block.Ulid);

        _time.Now = uploadedAt + Hour;
        Assert.Equal(0, ing.ApplyLocalRetention());
        _time.Now = uploadedAt + (13 * Hour);
        Assert.Equal(1, ing.ApplyLocalRetention());
    }

    [Fact]
    public async Task A_block_recorded_without_an_upload_time_is_kept()
    {
        // Written by a version that recorded no times: the shipper's next round stamps it; until then it stays.
        using var ing = await Start();
        var db = await CutTwoBlocksAsync(ing);
        var state = new ShipperState();
        state.Uploaded.Add(db.Blocks[0].Meta.Ulid);
        state.WriteTo(TenantDir);

        _time.Now = db.Blocks[0].Meta.MaxTime + (100 * Hour);
        Assert.Equal(0, ing.ApplyLocalRetention());
    }

    [Fact]
    public async Task A_block_being_read_is_deleted_only_after_the_read_finishes()
    {
        using var ing = await Start();
        var db = await CutTwoBlocksAsync(ing);
        var block = db.Blocks[0];
        MarkShipped(block.Meta.MaxTime, block.Meta.Ulid);
        string dir = Path.Combine(TenantDir, block.Meta.Ulid.ToString());

        Assert.True(block.TryAcquire());
        _time.Now = block.Meta.MaxTime + (14 * Hour);
        Assert.Equal(1, ing.ApplyLocalRetention());

        // Gone for new queries, still readable by the one holding the lease.
        Assert.DoesNotContain(db.Blocks, b => b.Meta.Ulid == block.Meta.Ulid);
        Assert.False(block.TryAcquire());
        Assert.True(Directory.Exists(dir));
        Assert.NotEmpty(block.Reader.Index.AllPostings());

        block.Release();
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task Leftovers_of_a_crash_during_deletion_are_removed_at_start()
    {
        Directory.CreateDirectory(Path.Combine(TenantDir, "wal"));
        string leftover = Path.Combine(TenantDir, Ulid.New(1, new Random(1)) + ".tmp-for-deletion");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "index"), "half deleted");

        using var ing = await Start();

        Assert.False(Directory.Exists(leftover));
    }

    /// <summary>Adds <paramref name="ulid"/> to the shipper's record as uploaded at <paramref name="atMs"/>.</summary>
    private void MarkShipped(long atMs, Ulid ulid)
    {
        var state = ShipperState.ReadFrom(TenantDir);
        state.MarkShipped(ulid, atMs);
        state.WriteTo(TenantDir);
    }

    /// <summary>Seven hours pushed and cut: two 2h blocks on local disk, the rest in the head.</summary>
    private static async Task<TenantDb> CutTwoBlocksAsync(Ingester ing)
    {
        await PushRange(ing, T0, T0 + (7 * Hour));
        Assert.Equal(2, await ing.CompactHeadsAsync(force: false, null, default));
        return Assert.Single(ing.OpenTenants);
    }

    private async Task<Ingester> Start()
    {
        var options = new IngesterOptions { TsdbDir = _dir, WalSegmentSize = 64 * 1024, HeadCompactionInterval = TimeSpan.Zero };
        var ing = new Ingester(options, new StaticOverrides(new Limits()), new MetricsRegistry(), NullLogger<Ingester>.Instance, _time);
        await ing.StartAsync(default);
        return ing;
    }

    /// <summary>A clock the test sets (G6).</summary>
    private sealed class FixedTime(long nowMs) : TimeProvider
    {
        public long Now { get; set; } = nowMs;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Now);
    }
}

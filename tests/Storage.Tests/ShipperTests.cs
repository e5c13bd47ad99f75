using MetricsCluster.Core.Metrics;
using MetricsCluster.ObjectStore;
using MetricsCluster.Storage.Shipping;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Storage.Tests;

public sealed class ShipperTests : IDisposable
{
    private const long Hour = 3_600_000;
    private readonly TestDirs _dirs = new();

    public void Dispose() => _dirs.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Ships_every_block_byte_for_byte_with_meta_json_last(int blocks)
    {
        var metas = Enumerable.Range(0, blocks).Select(i => _dirs.CutBlock(i * 2 * Hour)).ToList();
        using var bucket = new RecordingBucket(new FilesystemBucket(_dirs.BucketDir));

        int shipped = await _dirs.Shipper(bucket).ShipAsync();

        Assert.Equal(blocks, shipped);
        var expected = metas.SelectMany(m => _dirs.ExpectedObjects(m.Ulid)).ToDictionary(kv => kv.Key, kv => kv.Value);
        await BucketAssert.ContainsExactlyAsync(bucket, expected);
        var order = bucket.Uploads.ToList();
        foreach (var meta in metas)
        {
            string prefix = $"{TestDirs.Tenant}/{meta.Ulid}/";
            var mine = order.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            Assert.Equal(prefix + "meta.json", mine[^1]);
            Assert.Contains(prefix + "index", mine);
            Assert.Contains(prefix + "chunks/000001", mine);
        }

        Assert.Equal(metas.Select(m => m.Ulid).Order(), ShipperState.ReadFrom(_dirs.TenantDir).Uploaded);
    }

    [Fact]
    public async Task Reshipping_uploads_nothing_and_a_restarted_shipper_reads_its_record()
    {
        _dirs.CutBlock(0);
        _dirs.CutBlock(2 * Hour);
        using var bucket = new RecordingBucket(new FilesystemBucket(_dirs.BucketDir));
        Assert.Equal(2, await _dirs.Shipper(bucket).ShipAsync());
        int uploads = bucket.Uploads.Count;

        // A new Shipper instance stands in for a process restart: only thanos.shipper.json carries state.
        Assert.Equal(0, await _dirs.Shipper(bucket).ShipAsync());
        Assert.Equal(uploads, bucket.Uploads.Count);

        var third = _dirs.CutBlock(4 * Hour);
        Assert.Equal(1, await _dirs.Shipper(bucket).ShipAsync());
        Assert.All(bucket.Uploads.Skip(uploads), k => Assert.StartsWith($"{TestDirs.Tenant}/{third.Ulid}/", k, StringComparison.Ordinal));
        Assert.Equal(3, ShipperState.ReadFrom(_dirs.TenantDir).Uploaded.Count);
    }

    [Fact]
    public async Task Crash_between_upload_and_record_reuploads_the_same_objects()
    {
        var meta = _dirs.CutBlock(0);
        using var bucket = new RecordingBucket(new FilesystemBucket(_dirs.BucketDir));
        await _dirs.Shipper(bucket).ShipAsync();
        File.Delete(Path.Combine(_dirs.TenantDir, ShipperState.FileName));

        Assert.Equal(1, await _dirs.Shipper(bucket).ShipAsync());

        await BucketAssert.ContainsExactlyAsync(bucket, _dirs.ExpectedObjects(meta.Ulid));
    }

    [Fact]
    public async Task Corrupt_record_is_ignored_and_everything_is_shipped_again()
    {
        var meta = _dirs.CutBlock(0);
        using var bucket = new RecordingBucket(new FilesystemBucket(_dirs.BucketDir));
        await File.WriteAllTextAsync(Path.Combine(_dirs.TenantDir, ShipperState.FileName), "{not json");

        Assert.Equal(1, await _dirs.Shipper(bucket).ShipAsync());

        Assert.Equal([meta.Ulid], ShipperState.ReadFrom(_dirs.TenantDir).Uploaded);
    }

    [Fact]
    public async Task Failing_bucket_loses_nothing_and_ships_everything_once_it_recovers()
    {
        var metas = Enumerable.Range(0, 3).Select(i => _dirs.CutBlock(i * 2 * Hour)).ToList();
        using var bucket = new RecordingBucket(new FilesystemBucket(_dirs.BucketDir)) { FailuresLeft = 1000 };
        var registry = new MetricsRegistry();
        var metrics = new ShipperMetrics(registry);
        var shipper = _dirs.Shipper(bucket, metrics: metrics);

        Assert.Equal(0, await shipper.ShipAsync());
        Assert.Equal(0, await shipper.ShipAsync());
        Assert.Equal(6, metrics.UploadFailures.Value);
        Assert.Equal(2, metrics.DirSyncFailures.Value);
        Assert.Empty(ShipperState.ReadFrom(_dirs.TenantDir).Uploaded);
        Assert.All(metas, m => Assert.True(Directory.Exists(Path.Combine(_dirs.TenantDir, m.Ulid.ToString()))));

        // Recovery after a failure of the last step: meta.json of the second block fails once more.
        bucket.FailuresLeft = 1;
        bucket.FailSuffix = $"{metas[1].Ulid}/meta.json";
        Assert.Equal(2, await shipper.ShipAsync());
        Assert.Equal(1, await shipper.ShipAsync());
        Assert.Equal(0, await shipper.ShipAsync());

        Assert.Equal(3, metrics.Uploads.Value);
        var expected = metas.SelectMany(m => _dirs.ExpectedObjects(m.Ulid)).ToDictionary(kv => kv.Key, kv => kv.Value);
        await BucketAssert.ContainsExactlyAsync(bucket, expected);
        Assert.Contains("metricscluster_ingester_shipper_upload_failures_total 7", registry.WriteText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ignores_temporary_partial_and_foreign_directories()
    {
        var meta = _dirs.CutBlock(0);
        Directory.CreateDirectory(Path.Combine(_dirs.TenantDir, Ulid.New(1, new Random(1)) + BlockWriter.TmpSuffix));
        Directory.CreateDirectory(Path.Combine(_dirs.TenantDir, Ulid.New(2, new Random(2)).ToString()));
        Directory.CreateDirectory(Path.Combine(_dirs.TenantDir, "wal"));
        using var bucket = new RecordingBucket(new FilesystemBucket(_dirs.BucketDir));

        Assert.Equal(1, await _dirs.Shipper(bucket).ShipAsync());

        await BucketAssert.ContainsExactlyAsync(bucket, _dirs.ExpectedObjects(meta.Ulid));
    }

    [Fact]
    public async Task Service_ships_every_tenant_and_keeps_local_blocks()
    {
        var a = _dirs.CutBlock(0);
        string otherDir = Path.Combine(_dirs.TsdbDir, "tenant-2");
        Directory.CreateDirectory(otherDir);
        var b = BlockWriter.Write(otherDir, Ulid.New(99, new Random(3)), [ChunkedSeries.FromSamples(Core.Labels.FromStrings("__name__", "x"), [(1000, 1.0)])]);
        using var bucket = new FilesystemBucket(_dirs.BucketDir);
        var clock = new FixedClock(a.MaxTime + (14 * Hour));
        var options = new ShipperOptions { TsdbDir = _dirs.TsdbDir };
        using var service = new ShipperService(bucket, options, new ShipperMetrics(new MetricsRegistry()), Microsoft.Extensions.Logging.Abstractions.NullLogger<ShipperService>.Instance, clock);

        Assert.Equal(2, await service.ShipAllAsync());

        Assert.True(await bucket.ExistsAsync($"{TestDirs.Tenant}/{a.Ulid}/meta.json"));
        Assert.True(await bucket.ExistsAsync($"tenant-2/{b.Ulid}/meta.json"));
        // Local retention is the ingester's: it must stop queries reading a block before deleting it.
        Assert.True(Directory.Exists(Path.Combine(_dirs.TenantDir, a.Ulid.ToString())));
        Assert.True(Directory.Exists(Path.Combine(otherDir, b.Ulid.ToString())));
        Assert.Equal(0, await service.ShipAllAsync());
    }

    [Theory]
    [InlineData(".a")]
    [InlineData("x.tmp")]
    [InlineData("a.tmp.b")]
    [InlineData(".mc-tmp")]
    public async Task Service_ships_tenants_whose_ids_look_hidden_or_temporary(string tenant)
    {
        // Valid Mimir tenant ids: a scan that skipped "hidden" or ".tmp" names never shipped them (issue 12, row 5).
        string dir = Path.Combine(_dirs.TsdbDir, tenant);
        Directory.CreateDirectory(dir);
        var block = BlockWriter.Write(dir, Ulid.New(99, new Random(3)), [ChunkedSeries.FromSamples(Core.Labels.FromStrings("__name__", "x"), [(1000, 1.0)])]);

        // A directory that is not a tenant id (no tenant can be pushed under it) is still left alone.
        string stray = Path.Combine(_dirs.TsdbDir, "not a tenant");
        Directory.CreateDirectory(stray);
        BlockWriter.Write(stray, Ulid.New(98, new Random(4)), [ChunkedSeries.FromSamples(Core.Labels.FromStrings("__name__", "x"), [(1000, 1.0)])]);
        using var bucket = new FilesystemBucket(_dirs.BucketDir);
        using var service = new ShipperService(bucket, new ShipperOptions { TsdbDir = _dirs.TsdbDir }, new ShipperMetrics(new MetricsRegistry()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ShipperService>.Instance, new FixedClock(block.MaxTime));

        Assert.Equal(1, await service.ShipAllAsync());

        Assert.True(await bucket.ExistsAsync($"{tenant}/{block.Ulid}/meta.json"));
        Assert.Equal([block.Ulid], ShipperState.ReadFrom(dir).Uploaded);
        Assert.Equal([$"{tenant}/"], await bucket.ListAsync(string.Empty, recursive: false).ToListAsync());
    }

    [Fact]
    public async Task Service_keeps_shipped_blocks_locally_by_default()
    {
        var a = _dirs.CutBlock(0);
        using var bucket = new FilesystemBucket(_dirs.BucketDir);
        var clock = new FixedClock(a.MaxTime + (14 * Hour));
        using var service = new ShipperService(bucket, new ShipperOptions { TsdbDir = _dirs.TsdbDir }, new ShipperMetrics(new MetricsRegistry()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ShipperService>.Instance, clock);

        Assert.Equal(1, await service.ShipAllAsync());
        Assert.True(await bucket.ExistsAsync($"{TestDirs.Tenant}/{a.Ulid}/meta.json"));
        Assert.True(Directory.Exists(Path.Combine(_dirs.TenantDir, a.Ulid.ToString())));
    }

    [Fact]
    public void Options_validation_names_the_flag()
    {
        var e = Assert.Throws<ArgumentException>(() => new ShipperOptions { ShipInterval = TimeSpan.Zero }.Validate());
        Assert.Contains("--blocks-storage.tsdb.ship-interval", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_upload_is_recorded_with_its_time_and_an_entry_without_one_gets_the_next_rounds()
    {
        var a = _dirs.CutBlock(0);
        using var bucket = new FilesystemBucket(_dirs.BucketDir);
        var clock = new FixedClock(50 * Hour);
        Assert.Equal(1, await _dirs.Shipper(bucket, clock).ShipAsync());
        Assert.Equal(50 * Hour, ShipperState.ReadFrom(_dirs.TenantDir).ShippedAtMs[a.Ulid]);

        // Later rounds keep the time of the upload.
        clock.UnixMs = 60 * Hour;
        Assert.Equal(0, await _dirs.Shipper(bucket, clock).ShipAsync());
        Assert.Equal(50 * Hour, ShipperState.ReadFrom(_dirs.TenantDir).ShippedAtMs[a.Ulid]);

        // A record written without times (Thanos' format, or this project before upload times): stamped once.
        File.WriteAllText(Path.Combine(_dirs.TenantDir, ShipperState.FileName), $"{{\"version\":1,\"uploaded\":[\"{a.Ulid}\"]}}");
        Assert.Empty(ShipperState.ReadFrom(_dirs.TenantDir).ShippedAtMs);
        clock.UnixMs = 70 * Hour;
        Assert.Equal(0, await _dirs.Shipper(bucket, clock).ShipAsync());
        Assert.Equal(70 * Hour, ShipperState.ReadFrom(_dirs.TenantDir).ShippedAtMs[a.Ulid]);
        clock.UnixMs = 80 * Hour;
        Assert.Equal(0, await _dirs.Shipper(bucket, clock).ShipAsync());
        Assert.Equal(70 * Hour, ShipperState.ReadFrom(_dirs.TenantDir).ShippedAtMs[a.Ulid]);
    }

    [Fact]
    public void State_file_round_trips_and_rejects_other_versions()
    {
        var state = new ShipperState();
        state.Uploaded.Add(Ulid.New(5, new Random(5)));
        state.MarkShipped(Ulid.New(6, new Random(6)), 1_234_567);
        state.WriteTo(_dirs.TenantDir);

        var read = ShipperState.ReadFrom(_dirs.TenantDir);
        Assert.Equal(state.Uploaded, read.Uploaded);
        Assert.Equal(state.ShippedAtMs, read.ShippedAtMs);
        Assert.Contains("\"version\": 1", System.Text.Encoding.UTF8.GetString(state.ToJson()), StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => ShipperState.Parse("{\"version\":2,\"uploaded\":[]}"u8));
    }
}

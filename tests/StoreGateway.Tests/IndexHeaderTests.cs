using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.StoreGateway.Tests;

/// <summary>The index-header file (src/Tsdb/Block/IndexHeader.cs, docs/format/index-header.md).</summary>
public sealed class IndexHeaderTests : IDisposable
{
    private const long Step = 15_000;

    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task The_file_holds_exact_copies_of_the_index_sections_and_round_trips()
    {
        var meta = await _store.ShipBlockAsync(0, 100 * Step, 60, BucketBlockTests.ManySeries(30, 100));
        await _store.Stores.SyncAsync();
        byte[] file = File.ReadAllBytes(Path.Combine(_store.SyncDir, TestStore.Tenant, meta.Ulid.ToString(), IndexHeader.FileName));
        byte[] index = File.ReadAllBytes(Path.Combine(_store.TenantDir, meta.Ulid.ToString(), "index"));
        var toc = IndexToc.Read(index, "index");

        // Magic 0xBAAAD792, version 1, index version 2, BE64 postings offset table offset.
        Assert.Equal(Convert.FromHexString("BAAAD7920102"), file[..6]);
        Assert.Equal(toc.PostingsTable, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan(6)));
        int symbolsLength = 4 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(index.AsSpan((int)toc.Symbols)) + 4;
        Assert.Equal(index.AsSpan((int)toc.Symbols, symbolsLength).ToArray(), file.AsSpan(IndexHeader.FileHeaderSize, symbolsLength).ToArray());
        int tableLength = index.Length - IndexToc.Size - (int)toc.PostingsTable;
        Assert.Equal(index.AsSpan((int)toc.PostingsTable, tableLength).ToArray(), file.AsSpan(IndexHeader.FileHeaderSize + symbolsLength, tableLength).ToArray());

        var header = IndexHeader.FromFile(file, "h");
        using var reader = new IndexReader(index);
        Assert.Equal(reader.LabelNames(), header.LabelNames());
        Assert.Equal(reader.LabelValues("i"), header.LabelValues("i"));
        Assert.True(header.TryGetPostingsRange("i", "0007", out var range));
        Assert.Equal(reader.Postings("i", "0007"), IndexRangeDecoder.DecodePostings(index.AsSpan((int)range.Start, (int)range.Length), range.Start, "index"));
        Assert.Equal(file, header.ToFile());
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(5, false)]
    [InlineData(-3, false)]
    [InlineData(20, false)]
    [InlineData(0, true)]
    [InlineData(20, true)]
    public async Task A_damaged_file_is_rejected_and_rebuilt_from_the_bucket(int flipAt, bool lazy)
    {
        using var store = new TestStore(o => o.IndexHeaderLazyLoadingEnabled = lazy);
        var meta = await store.ShipBlockAsync(0, 100 * Step, 60, BucketBlockTests.ManySeries(30, 100));
        await store.Stores.SyncAsync();
        string path = Path.Combine(store.SyncDir, TestStore.Tenant, meta.Ulid.ToString(), IndexHeader.FileName);
        byte[] file = File.ReadAllBytes(path);
        byte[] damaged = (byte[])file.Clone();
        damaged[flipAt >= 0 ? flipAt : damaged.Length + flipAt] ^= 0x10;

        Assert.Throws<BlockCorruptionException>(() => IndexHeader.FromFile(damaged, path));

        File.WriteAllBytes(path, damaged);
        store.Bucket.Reset();
        await store.Restart().SyncAsync();
        Assert.Single(store.Stores.Blocks(TestStore.Tenant));

        // Eager: the sync reads the header and rebuilds it. Lazy: the sync does not read it; the first query does.
        Assert.Equal(!lazy, store.Bucket.Reads.Any(r => r.Key.EndsWith("/index", StringComparison.Ordinal)));
        Assert.Equal(lazy ? damaged : file, File.ReadAllBytes(path));
        Assert.Single(await TestStore.SelectAsync(store.Stores, 0, 100 * Step, Core.Matcher.Eq("i", "0002")));
        Assert.Equal(file, File.ReadAllBytes(path));
    }
}

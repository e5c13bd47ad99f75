using Google.Protobuf;
using MetricsCluster.ObjectStore;
using MetricsCluster.Ruler.RuleFiles;
using MetricsCluster.Ruler.Storage;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Storage;

/// <summary><see cref="BucketRuleStore"/> on the filesystem bucket: the contract, Mimir's layout and bytes.</summary>
public sealed class BucketRuleStoreTests : RuleStoreConformance, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mc-rulestore-" + Guid.NewGuid().ToString("N"));
    private readonly FilesystemBucket _bucket;
    private readonly BucketRuleStore _store;

    public BucketRuleStoreTests()
    {
        _bucket = new FilesystemBucket(_dir);
        _store = new BucketRuleStore(_bucket);
    }

    protected override IRuleStore Store => _store;

    [Fact]
    public async Task Groups_are_stored_at_mimirs_keys_with_go_base64_url_padding()
    {
        // The key Mimir's bucket client computes for user1/namespace1/group1 (base64.URLEncoding keeps '=').
        await _store.SetGroupAsync("user1", "namespace1", new RuleGroup("group1", [Rule.Recording("x", "up")]));
        await _store.SetGroupAsync("user1", "a?b>", new RuleGroup("~~~", [Rule.Recording("x", "up")]));

        Assert.Equal(
            ["rules/user1/YT9iPg==/fn5-", "rules/user1/bmFtZXNwYWNlMQ==/Z3JvdXAx"],
            await Keys("rules/"));
    }

    [Fact]
    public async Task An_object_written_by_mimir_reads_with_its_deprecated_and_unknown_fields()
    {
        // As Mimir's gogoproto writes it: non-nullable durations always present (empty when zero), the deprecated
        // evaluationDelay instead of queryOffset, and an options Any (field 9) we do not model.
        var bytes = new MimirObject()
            .Str(1, "g").Str(2, "ns").Msg(3, Duration(60)).Msg(4, new MimirObject().Str(1, "sum(up)").Str(2, "job:up").Msg(4, Duration(0))
                .Msg(5, new MimirObject().Str(1, "team").Str(2, "a")).Msg(13, Duration(0)))
            .Str(6, "user1").Msg(9, new MimirObject().Str(1, "type.googleapis.com/x").Str(2, "y")).Str(10, "t1")
            .Msg(11, Duration(30)).Msg(13, Duration(0)).ToArray();
        await Upload("rules/user1/bnM=/Zw==", bytes);

        var group = await _store.GetGroupAsync("user1", "ns", "g");

        Assert.Equal(
            new RuleGroup("g", TimeSpan.FromMinutes(1), 0, TimeSpan.FromSeconds(30), [Rule.Recording("job:up", "sum(up)", KeyValuePair.Create("team", "a"))], ["t1"]),
            group);
    }

    [Fact]
    public async Task A_zero_query_offset_and_interval_are_not_kept_as_in_mimir()
    {
        await _store.SetGroupAsync("user1", "ns", new RuleGroup("g", TimeSpan.Zero, 0, TimeSpan.Zero, [Rule.Recording("x", "up")], []));
        Assert.Equal(new RuleGroup("g", [Rule.Recording("x", "up")]), await _store.GetGroupAsync("user1", "ns", "g"));
    }

    [Fact]
    public async Task Keys_that_are_not_groups_are_skipped_and_a_group_under_another_name_is_an_error()
    {
        await Upload("rules/user1/not base64/x", [1]);
        await Upload("rules/user1/Zm9v", [1]);
        await Upload("rules/user1/YmF6/YmFy/extra", [1]);
        await Upload("rules/stray-object", [1]);
        Assert.Empty(await _store.ListGroupKeysAsync("user1"));
        Assert.Equal(["user1"], await _store.ListTenantsAsync());

        await _store.SetGroupAsync("user1", "ns", new RuleGroup("g", [Rule.Recording("x", "up")]));
        await using (var s = await _bucket.GetAsync("rules/user1/bnM=/Zw=="))
        {
            using var copy = new MemoryStream();
            await s.CopyToAsync(copy);
            await Upload("rules/user2/bnM=/Zw==", copy.ToArray());
        }

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => _store.GetGroupAsync("user2", "ns", "g"));
        Assert.StartsWith("mismatch between requested rule group and loaded rule group, requested: user=\"user2\"", e.Message, StringComparison.Ordinal);
        await Upload("rules/user1/bnM=/Zw==", [0xFF, 0xFF]);
        await Assert.ThrowsAsync<InvalidDataException>(() => _store.GetGroupAsync("user1", "ns", "g"));
    }

    [Fact]
    public async Task Loading_runs_ten_reads_at_a_time_and_skips_groups_deleted_meanwhile()
    {
        for (int i = 0; i < 30; i++)
        {
            await _store.SetGroupAsync("user1", "ns", new RuleGroup($"g{i:00}", [Rule.Recording("x", "up")]));
        }

        using var gated = new GatedBucket(_bucket, openAt: BucketRuleStore.LoadConcurrency, missing: "rules/user1/bnM=/ZzA3");
        var groups = await new BucketRuleStore(gated).ListGroupsAsync("user1");

        Assert.Equal(BucketRuleStore.LoadConcurrency, gated.MaxInFlight);
        Assert.Equal(29, groups.Count);
        Assert.DoesNotContain(groups, g => g.Group.Name == "g07");
    }

    public void Dispose()
    {
        _bucket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static MimirObject Duration(long seconds) => seconds == 0 ? new MimirObject() : new MimirObject().Varint(1, seconds);

    private async Task Upload(string key, byte[] bytes)
    {
        using var s = new MemoryStream(bytes);
        await _bucket.UploadAsync(key, s);
    }

    private async Task<List<string>> Keys(string prefix)
    {
        var keys = new List<string>();
        await foreach (string k in _bucket.ListAsync(prefix, recursive: true))
        {
            keys.Add(k);
        }

        return keys.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Protobuf bytes written field by field, as another implementation would write them.</summary>
    private sealed class MimirObject
    {
        private readonly MemoryStream _buffer = new();

        public MimirObject Str(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

        public MimirObject Msg(int field, MimirObject value) => Bytes(field, value.ToArray());

        public MimirObject Varint(int field, long value)
        {
            var o = new CodedOutputStream(_buffer, leaveOpen: true);
            o.WriteTag(field, WireFormat.WireType.Varint);
            o.WriteInt64(value);
            o.Flush();
            return this;
        }

        public byte[] ToArray() => _buffer.ToArray();

        private MimirObject Bytes(int field, byte[] value)
        {
            var o = new CodedOutputStream(_buffer, leaveOpen: true);
            o.WriteTag(field, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(value));
            o.Flush();
            return this;
        }
    }
}

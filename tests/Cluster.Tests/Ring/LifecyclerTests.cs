using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Ring;

public sealed class LifecyclerTests : IDisposable
{
    private readonly ManualTimeProvider _clock = new();
    private readonly MemoryRingStore _store = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("ring-lifecycler-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private LifecyclerOptions Options(string id = "ingester-1", string? tokensFile = null) => new()
    {
        InstanceId = id,
        Addr = "127.0.0.1:9095",
        HttpAddr = "127.0.0.1:8080",
        Zone = "zone-a",
        TokensFilePath = tokensFile,
    };

    private Lifecycler Create(IRingStore? store = null, LifecyclerOptions? options = null) =>
        new(store ?? _store, options ?? Options(), _clock, NullLogger<Lifecycler>.Instance);

    private async Task<long> VersionAsync() => (await _store.GetAsync("ingester", default))?.Version ?? 0;

    private async Task<InstanceDesc?> EntryAsync(string id = "ingester-1")
    {
        VersionedRingDesc? v = await _store.GetAsync("ingester", default);
        return v is not null && v.Desc.Instances.TryGetValue(id, out InstanceDesc? d) ? d : null;
    }

    [Fact]
    public async Task Registers_with_its_tokens_state_and_addresses()
    {
        await using Lifecycler lc = Create();
        await lc.StartAsync(InstanceState.Joining, default);

        InstanceDesc entry = (await EntryAsync())!;
        Assert.Equal(InstanceState.Joining, entry.State);
        Assert.Equal("127.0.0.1:9095", entry.Addr);
        Assert.Equal("127.0.0.1:8080", entry.HttpAddr);
        Assert.Equal("zone-a", entry.Zone);
        Assert.Equal("ingester-1", entry.Id);
        Assert.Equal(_clock.NowMs, entry.RegisteredTimestamp);
        Assert.Equal(128, entry.Tokens.Count);
        Assert.Equal(entry.Tokens.Order(), entry.Tokens);
        Assert.Equal(128, entry.Tokens.Distinct().Count());
        Assert.Equal(entry.Tokens, lc.Tokens);
        Assert.Equal(InstanceState.Joining, lc.State);
    }

    [Fact]
    public async Task New_tokens_avoid_other_instances_tokens()
    {
        await using Lifecycler first = Create(options: Options("ingester-1"));
        await first.StartAsync(InstanceState.Active, default);
        await using Lifecycler second = Create(options: Options("ingester-2"));
        await second.StartAsync(InstanceState.Active, default);
        Assert.Empty(first.Tokens.Intersect(second.Tokens));
        Assert.Equal(2, (await _store.GetAsync("ingester", default))!.Desc.Instances.Count);
    }

    [Fact]
    public async Task Writes_only_at_start_and_at_state_changes()
    {
        await using Lifecycler lc = Create();
        await lc.StartAsync(InstanceState.Joining, default);
        Assert.Equal(1, await VersionAsync());

        // No heartbeat: however long the instance runs, its entry (and so every ring client's token table) stays put.
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, await VersionAsync());

        await lc.ChangeStateAsync(InstanceState.Active, default);
        Assert.Equal(2, await VersionAsync());
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(2, await VersionAsync());
        InstanceDesc entry = (await EntryAsync())!;
        Assert.Equal(InstanceState.Active, entry.State);
        Assert.Equal(lc.Tokens, entry.Tokens);
    }

    [Fact]
    public async Task State_change_is_written_at_once()
    {
        await using Lifecycler lc = Create();
        await lc.StartAsync(InstanceState.Joining, default);
        await lc.ChangeStateAsync(InstanceState.Active, default);
        Assert.Equal(InstanceState.Active, (await EntryAsync())!.State);
        await lc.ChangeStateAsync(InstanceState.Leaving, default);
        Assert.Equal(InstanceState.Leaving, (await EntryAsync())!.State);
    }

    [Fact]
    public async Task State_change_during_a_store_outage_retries_until_the_store_is_back()
    {
        var flaky = new FlakyRingStore(_store);
        await using Lifecycler lc = Create(flaky);
        await lc.StartAsync(InstanceState.Active, default);

        flaky.Down = true;
        Task change = lc.ChangeStateAsync(InstanceState.Leaving, default);

        // Memory changes at once; the write is retried (on the lifecycler's clock) while the store is down...
        Assert.Equal(InstanceState.Leaving, lc.State);
        await Eventually.TrueAsync(() => flaky.FailedCalls >= 3, "failed writes", () => _clock.Advance(TimeSpan.FromSeconds(1)));
        Assert.False(change.IsCompleted);
        Assert.Equal(InstanceState.Active, (await EntryAsync())!.State);

        // ...and the first one after it is back writes the new state.
        flaky.Down = false;
        await Eventually.TrueAsync(() => change.IsCompleted, "the state change", () => _clock.Advance(TimeSpan.FromSeconds(1)));
        await change;
        Assert.Equal(InstanceState.Leaving, (await EntryAsync())!.State);
    }

    [Fact]
    public async Task Start_retries_while_the_store_is_unavailable()
    {
        var flaky = new FlakyRingStore(_store) { Down = true };
        await using Lifecycler lc = Create(flaky);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task start = lc.StartAsync(InstanceState.Joining, cts.Token);
        await Eventually.TrueAsync(() => flaky.FailedCalls >= 2, "two failed registrations", () => _clock.Advance(TimeSpan.FromSeconds(1)));
        Assert.False(start.IsCompleted);

        flaky.Down = false;
        await Eventually.TrueAsync(() => start.IsCompleted, "registration", () => _clock.Advance(TimeSpan.FromSeconds(1)));
        await start;
        Assert.NotNull(await EntryAsync());
    }

    [Fact]
    public async Task Unregister_removes_the_entry_and_plain_stop_keeps_it()
    {
        await using Lifecycler leaving = Create(options: Options("ingester-1"));
        await leaving.StartAsync(InstanceState.Active, default);
        await using Lifecycler staying = Create(options: Options("ingester-2"));
        await staying.StartAsync(InstanceState.Active, default);

        await leaving.StopAsync(unregister: true, default);
        await staying.ChangeStateAsync(InstanceState.Leaving, default);
        await staying.StopAsync(unregister: false, default);

        Assert.Null(await EntryAsync("ingester-1"));
        Assert.Equal(InstanceState.Leaving, (await EntryAsync("ingester-2"))!.State);

        // Nothing writes after stop: the kept entry stays as it was (removed by nobody but "forget").
        long version = await VersionAsync();
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(version, await VersionAsync());
        Assert.Equal(InstanceState.Leaving, (await EntryAsync("ingester-2"))!.State);
    }

    [Fact]
    public async Task A_forgotten_live_instance_adds_itself_back_at_its_next_state_change()
    {
        await using Lifecycler lc = Create();
        await lc.StartAsync(InstanceState.Joining, default);
        long registered = (await EntryAsync())!.RegisteredTimestamp;

        await _store.CasAsync("ingester", d => d!.Instances.Remove("ingester-1") ? d : null, default);
        Assert.Null(await EntryAsync());

        _clock.Advance(TimeSpan.FromMinutes(1));
        await lc.ChangeStateAsync(InstanceState.Active, default);
        InstanceDesc back = (await EntryAsync())!;
        Assert.Equal(lc.Tokens, back.Tokens);
        Assert.Equal(registered, back.RegisteredTimestamp);
        Assert.Equal(InstanceState.Active, back.State);
    }

    [Fact]
    public async Task Restart_reuses_tokens_from_the_tokens_file()
    {
        string file = Path.Combine(_dir, "tokens.json");
        IReadOnlyList<uint> before;
        await using (Lifecycler lc = Create(options: Options(tokensFile: file)))
        {
            await lc.StartAsync(InstanceState.Active, default);
            before = lc.Tokens;
            await lc.StopAsync(unregister: true, default);
        }

        Assert.Equal(before, TokensFile.Load(file));
        Assert.Null(await EntryAsync());

        await using Lifecycler restarted = Create(options: Options(tokensFile: file));
        await restarted.StartAsync(InstanceState.Joining, default);
        Assert.Equal(before, restarted.Tokens);
        Assert.Equal(before, (await EntryAsync())!.Tokens);
    }

    [Fact]
    public async Task Restart_without_a_file_reuses_the_ring_entry()
    {
        IReadOnlyList<uint> before;
        long registered;
        await using (Lifecycler lc = Create())
        {
            await lc.StartAsync(InstanceState.Active, default);
            before = lc.Tokens;
            registered = (await EntryAsync())!.RegisteredTimestamp;
            await lc.StopAsync(unregister: false, default);
        }

        _clock.Advance(TimeSpan.FromMinutes(10));
        await using Lifecycler restarted = Create();
        await restarted.StartAsync(InstanceState.Joining, default);
        Assert.Equal(before, restarted.Tokens);
        Assert.Equal(registered, (await EntryAsync())!.RegisteredTimestamp);
        Assert.Equal(InstanceState.Joining, (await EntryAsync())!.State);
    }

    [Fact]
    public async Task A_short_tokens_file_is_topped_up_and_saved()
    {
        string file = Path.Combine(_dir, "tokens.json");
        TokensFile.Save(file, [7u, 9u]);
        await using Lifecycler lc = Create(options: Options(tokensFile: file));
        await lc.StartAsync(InstanceState.Active, default);
        Assert.Equal(128, lc.Tokens.Count);
        Assert.Contains(7u, lc.Tokens);
        Assert.Contains(9u, lc.Tokens);
        Assert.Equal(lc.Tokens, TokensFile.Load(file));
    }

    [Fact]
    public async Task A_corrupt_tokens_file_fails_start()
    {
        string file = Path.Combine(_dir, "tokens.json");
        await File.WriteAllTextAsync(file, "{not json");
        await using Lifecycler lc = Create(options: Options(tokensFile: file));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => lc.StartAsync(InstanceState.Active, default));
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Null(await EntryAsync());
    }

    [Theory]
    [InlineData("", "127.0.0.1:1", 128, "ring.instance-id")]
    [InlineData("a", "", 128, "ring.instance-addr")]
    [InlineData("a", "127.0.0.1:1", 0, "ingester.ring.num-tokens")]
    public void Invalid_options_name_the_key(string id, string addr, int tokens, string key)
    {
        var options = new LifecyclerOptions { InstanceId = id, Addr = addr, NumTokens = tokens };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }
}

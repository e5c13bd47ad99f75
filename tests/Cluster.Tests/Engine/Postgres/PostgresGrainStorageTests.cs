using MetricsCluster.Cluster.Engine.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Engine.Postgres;

/// <summary>A small grain state with generated codecs, as the engine's own state types are.</summary>
[GenerateSerializer]
public sealed class PgTestState
{
    [Id(0)]
    public int Value { get; set; }

    [Id(1)]
    public List<string> Names { get; set; } = [];
}

/// <summary>The engine's grain storage against a real PostgreSQL; every test uses a service id of its own.</summary>
public sealed class PostgresGrainStorageTests : IClassFixture<PostgresEngineFixture>, IAsyncLifetime
{
    private readonly PostgresEngineFixture _pg;
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private readonly GrainId _grain = GrainId.Create("pg-test", "key-1");
    private PostgresEngineDatabase _db = null!;
    private PostgresGrainStorage _storage = null!;

    public PostgresGrainStorageTests(PostgresEngineFixture pg) => _pg = pg;

    public Task InitializeAsync()
    {
        _db = new PostgresEngineDatabase(_pg.Server.ConnectionString);
        _storage = NewStorage("svc-" + Guid.NewGuid().ToString("N"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task Reading_a_missing_state_gives_a_new_instance_and_no_etag()
    {
        var state = new GrainState<PgTestState> { State = new PgTestState { Value = 42 }, ETag = "7", RecordExists = true };
        await _storage.ReadStateAsync("x", _grain, state);
        Assert.Equal(0, state.State!.Value);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
    }

    [Fact]
    public async Task Written_state_reads_back_with_the_new_etag()
    {
        var state = new GrainState<PgTestState> { State = new PgTestState { Value = 1, Names = ["a", "b"] } };
        await _storage.WriteStateAsync("x", _grain, state);
        string? first = state.ETag;
        Assert.NotNull(first);
        Assert.True(state.RecordExists);

        state.State!.Value = 2;
        await _storage.WriteStateAsync("x", _grain, state);
        Assert.NotEqual(first, state.ETag);

        var read = new GrainState<PgTestState>();
        await _storage.ReadStateAsync("x", _grain, read);
        Assert.Equal(2, read.State!.Value);
        Assert.Equal(["a", "b"], read.State!.Names);
        Assert.Equal(state.ETag, read.ETag);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task State_name_grain_and_service_id_each_separate_the_rows()
    {
        await _storage.WriteStateAsync("x", _grain, new GrainState<PgTestState> { State = new PgTestState { Value = 1 } });
        await _storage.WriteStateAsync("y", _grain, new GrainState<PgTestState> { State = new PgTestState { Value = 2 } });
        await _storage.WriteStateAsync("x", GrainId.Create("pg-test", "key-2"), new GrainState<PgTestState> { State = new PgTestState { Value = 3 } });
        await _storage.WriteStateAsync("x", GrainId.Create("pg-other", "key-1"), new GrainState<PgTestState> { State = new PgTestState { Value = 4 } });

        Assert.Equal(1, (await ReadAsync(_storage, "x", _grain)).State!.Value);
        Assert.Equal(2, (await ReadAsync(_storage, "y", _grain)).State!.Value);
        Assert.Equal(3, (await ReadAsync(_storage, "x", GrainId.Create("pg-test", "key-2"))).State!.Value);
        Assert.Equal(4, (await ReadAsync(_storage, "x", GrainId.Create("pg-other", "key-1"))).State!.Value);
        Assert.False((await ReadAsync(NewStorage("svc-" + Guid.NewGuid().ToString("N")), "x", _grain)).RecordExists);
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_throws_InconsistentStateException()
    {
        GrainState<PgTestState> a = await ReadAsync(_storage, "x", _grain);
        GrainState<PgTestState> b = await ReadAsync(_storage, "x", _grain);
        await _storage.WriteStateAsync("x", _grain, a);

        // b still believes there is no row: its insert must fail, not overwrite.
        InconsistentStateException e = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("x", _grain, b));
        Assert.Equal(a.ETag, e.StoredEtag);
        Assert.Null(e.CurrentEtag);

        b = await ReadAsync(_storage, "x", _grain);
        a.State!.Value = 5;
        await _storage.WriteStateAsync("x", _grain, a);
        b.State!.Value = 6;
        e = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("x", _grain, b));
        Assert.Equal(a.ETag, e.StoredEtag);
        Assert.Contains("127.0.0.1", e.Message, StringComparison.Ordinal);

        Assert.Equal(5, (await ReadAsync(_storage, "x", _grain)).State!.Value);
    }

    [Fact]
    public async Task Clear_deletes_the_row_and_checks_the_etag()
    {
        var state = new GrainState<PgTestState> { State = new PgTestState { Value = 1 } };
        await _storage.WriteStateAsync("x", _grain, state);
        GrainState<PgTestState> stale = await ReadAsync(_storage, "x", _grain);
        await _storage.WriteStateAsync("x", _grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("x", _grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("x", _grain, new GrainState<PgTestState>()));

        await _storage.ClearStateAsync("x", _grain, state);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State!.Value);
        Assert.False((await ReadAsync(_storage, "x", _grain)).RecordExists);

        // Written again after the clear: the stale etag of before never matches again.
        await _storage.WriteStateAsync("x", _grain, new GrainState<PgTestState> { State = new PgTestState { Value = 9 } });
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("x", _grain, stale));
        Assert.Equal(9, (await ReadAsync(_storage, "x", _grain)).State!.Value);
    }

    private PostgresGrainStorage NewStorage(string serviceId) => new(
        _db,
        serviceId,
        _services.GetRequiredService<Serializer>(),
        _services.GetRequiredService<IActivatorProvider>(),
        NullLogger<PostgresGrainStorage>.Instance);

    private static async Task<GrainState<PgTestState>> ReadAsync(PostgresGrainStorage storage, string stateName, GrainId grain)
    {
        var state = new GrainState<PgTestState>();
        await storage.ReadStateAsync(stateName, grain, state);
        return state;
    }
}

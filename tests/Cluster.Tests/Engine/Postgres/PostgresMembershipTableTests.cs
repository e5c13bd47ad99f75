using System.Net;
using MetricsCluster.Cluster.Engine.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Engine.Postgres;

/// <summary>
/// Orleans' membership-table contract against a real PostgreSQL, case by case after Orleans' own
/// <c>MembershipTableTestsBase</c>; every test works under a cluster id of its own in one shared database.
/// </summary>
public sealed class PostgresMembershipTableTests : IClassFixture<PostgresEngineFixture>, IAsyncLifetime
{
    private static int s_generation;

    private readonly PostgresEngineFixture _pg;
    private readonly string _clusterId = "test-" + Guid.NewGuid().ToString("N");
    private PostgresMembershipTable _table = null!;
    private PostgresEngineDatabase _db = null!;

    public PostgresMembershipTableTests(PostgresEngineFixture pg) => _pg = pg;

    public async Task InitializeAsync() => (_table, _db) = await PostgresEngineFixture.MembershipTableAsync(_pg.Server.ConnectionString, _clusterId);

    public async Task DisposeAsync()
    {
        await _table.DeleteMembershipTableEntries(_clusterId);
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task ReadAll_of_an_empty_table_is_version_zero_with_an_etag()
    {
        MembershipTableData data = await _table.ReadAll();
        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.False(string.IsNullOrEmpty(data.Version.VersionEtag));
    }

    [Fact]
    public async Task InsertRow_persists_every_field_and_bumps_the_version()
    {
        MembershipEntry entry = NewEntry();
        entry.Status = SiloStatus.Active;
        entry.RoleName = "ingester";
        entry.UpdateZone = 3;
        entry.FaultZone = 7;
        entry.SuspectTimes = [Tuple.Create(NewAddress(), Now().AddSeconds(1)), Tuple.Create(NewAddress(), Now().AddSeconds(2))];
        TableVersion next = (await _table.ReadAll()).Version.Next();

        Assert.True(await _table.InsertRow(entry, next));

        MembershipTableData data = await _table.ReadAll();
        Assert.Equal(1, data.Version.Version);
        Assert.NotEqual(next.VersionEtag, data.Version.VersionEtag);
        (MembershipEntry read, string etag) = Assert.Single(data.Members);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(entry.ToFullString(), read.ToFullString());
        Assert.Equal(entry.SiloAddress, read.SiloAddress);
        Assert.Equal(entry.SiloAddress.Generation, read.SiloAddress.Generation);
        Assert.Equal(DateTimeKind.Utc, read.IAmAliveTime.Kind);
    }

    [Fact]
    public async Task InsertRow_fails_for_a_stale_version_or_a_duplicate_silo()
    {
        TableVersion next = (await _table.ReadAll()).Version.Next();
        MembershipEntry entry = NewEntry();
        Assert.True(await _table.InsertRow(entry, next));

        Assert.False(await _table.InsertRow(entry, next)); // Same entry, old table version.
        Assert.False(await _table.InsertRow(NewEntry(), next)); // New entry, old table version.
        Assert.False(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next())); // Duplicate silo, current version.

        MembershipTableData row = await _table.ReadRow(entry.SiloAddress);
        Assert.Single(row.Members);
        Assert.Equal(1, row.Version.Version);
        Assert.Equal(1, (await _table.ReadAll()).Version.Version);
    }

    [Fact]
    public async Task ReadRow_of_an_unknown_silo_has_the_version_and_no_member()
    {
        Assert.True(await _table.InsertRow(NewEntry(), (await _table.ReadAll()).Version.Next()));
        MembershipTableData data = await _table.ReadRow(NewAddress());
        Assert.Empty(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task UpdateRow_needs_both_the_row_etag_and_the_table_version_etag()
    {
        MembershipTableData data = await _table.ReadAll();
        for (int i = 1; i < 6; i++)
        {
            MembershipEntry entry = NewEntry();
            entry.SuspectTimes = [Tuple.Create(NewAddress(), Now().AddSeconds(1))];
            TableVersion inserted = data.Version.Next();
            Assert.True(await _table.InsertRow(entry, inserted));
            data = await _table.ReadAll();
            string etagBefore = data.TryGet(entry.SiloAddress)!.Item2;

            Assert.False(await _table.UpdateRow(entry, etagBefore, inserted)); // Right row etag, stale table version.

            TableVersion next = data.Version.Next();
            entry.Status = SiloStatus.Active;
            entry.AddSuspector(NewAddress(), Now().AddSeconds(5));
            Assert.True(await _table.UpdateRow(entry, etagBefore, next));
            Assert.False(await _table.UpdateRow(entry, etagBefore, next)); // Both stale.

            data = await _table.ReadAll();
            (MembershipEntry read, string etagAfter) = data.TryGet(entry.SiloAddress)!;
            Assert.NotEqual(etagBefore, etagAfter);
            Assert.Equal(entry.ToFullString(), read.ToFullString());
            Assert.False(await _table.UpdateRow(entry, etagAfter, next)); // Right row etag, stale table version.
            Assert.False(await _table.UpdateRow(entry, etagBefore, data.Version.Next())); // Stale row etag, right table version.

            data = await _table.ReadAll();
            Assert.Equal(etagAfter, data.TryGet(entry.SiloAddress)!.Item2);
            Assert.Equal(next.Version, data.Version.Version);
            Assert.Equal(i, data.Members.Count);
        }
    }

    [Fact]
    public async Task UpdateRow_of_a_missing_silo_fails_and_leaves_the_version()
    {
        MembershipTableData data = await _table.ReadAll();
        Assert.False(await _table.UpdateRow(NewEntry(), data.Version.VersionEtag, data.Version.Next()));
        Assert.Equal(data.Version, (await _table.ReadAll()).Version);
    }

    [Fact]
    public async Task Racing_inserts_and_updates_each_win_exactly_once_and_never_throw()
    {
        MembershipEntry entry = NewEntry();
        TableVersion next = (await _table.ReadAll()).Version.Next();
        bool[] inserted = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _table.InsertRow(entry, next)));
        Assert.Single(inserted, ok => ok);

        // 19 writers, each retrying from a fresh read until its own update lands: the version ends at 1 + 19.
        await Task.WhenAll(Enumerable.Range(0, 19).Select(async _ =>
        {
            while (true)
            {
                MembershipTableData data = await _table.ReadAll();
                (MembershipEntry row, string etag) = data.TryGet(entry.SiloAddress)!;
                if (await _table.UpdateRow(row, etag, data.Version.Next()))
                {
                    return;
                }
            }
        }));

        MembershipTableData final = await _table.ReadAll();
        Assert.Equal(20, final.Version.Version);
        Assert.Single(final.Members);
    }

    [Fact]
    public async Task UpdateIAmAlive_changes_only_the_alive_time()
    {
        MembershipEntry entry = NewEntry();
        Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));
        MembershipTableData before = await _table.ReadAll();
        DateTime alive = DateTime.UtcNow.AddSeconds(5);

        // The arguments Orleans' membership agent passes: the address and the new time only.
        await _table.UpdateIAmAlive(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = alive });

        MembershipTableData after = await _table.ReadAll();
        (MembershipEntry read, string etag) = Assert.Single(after.Members);
        Assert.True((alive - read.IAmAliveTime).Duration() < TimeSpan.FromMilliseconds(1), $"{alive:O} vs {read.IAmAliveTime:O}");
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Members[0].Item2, etag);
        read.IAmAliveTime = entry.IAmAliveTime;
        Assert.Equal(entry.ToFullString(), read.ToFullString());
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_removes_old_silos_that_are_not_active()
    {
        var entries = new List<MembershipEntry> { NewEntry() }; // A fresh Joining silo: kept.
        foreach (SiloStatus status in Enum.GetValues<SiloStatus>())
        {
            MembershipEntry old = NewEntry();
            old.IAmAliveTime = old.IAmAliveTime.AddDays(-10);
            old.StartTime = old.StartTime.AddDays(-10);
            old.Status = status; // Only the Active one is kept.
            entries.Add(old);
        }

        foreach (MembershipEntry e in entries)
        {
            Assert.True(await _table.InsertRow(e, (await _table.ReadAll()).Version.Next()));
        }

        TableVersion version = (await _table.ReadAll()).Version;
        await _table.CleanupDefunctSiloEntries(DateTimeOffset.UtcNow.AddDays(-7));

        MembershipTableData data = await _table.ReadAll();
        MembershipEntry oldActive = entries.Single(e => e.Status == SiloStatus.Active && e.IAmAliveTime < DateTime.UtcNow.AddDays(-7));
        Assert.Equal(
            new[] { entries[0], oldActive }.Select(e => e.SiloAddress.ToParsableString()).Order(),
            data.Members.Select(m => m.Item1.SiloAddress.ToParsableString()).Order());
        Assert.Equal(version, data.Version);
    }

    [Fact]
    public async Task Two_cluster_ids_in_one_database_never_see_each_other()
    {
        string otherId = "other-" + Guid.NewGuid().ToString("N");
        (PostgresMembershipTable other, PostgresEngineDatabase otherDb) = await PostgresEngineFixture.MembershipTableAsync(_pg.Server.ConnectionString, otherId);
        await using (otherDb)
        {
            MembershipEntry mine = NewEntry();
            Assert.True(await _table.InsertRow(mine, (await _table.ReadAll()).Version.Next()));

            MembershipTableData theirs = await other.ReadAll();
            Assert.Empty(theirs.Members);
            Assert.Equal(0, theirs.Version.Version);
            Assert.Empty((await other.ReadRow(mine.SiloAddress)).Members);
            Assert.False(await other.UpdateRow(mine, (await _table.ReadAll()).Members[0].Item2, theirs.Version.Next()));

            MembershipEntry their = NewEntry();
            Assert.True(await other.InsertRow(their, theirs.Version.Next()));
            await other.DeleteMembershipTableEntries(otherId);

            MembershipTableData data = await _table.ReadAll();
            Assert.Equal(mine.SiloAddress, Assert.Single(data.Members).Item1.SiloAddress);
            Assert.Equal(1, data.Version.Version);
            Assert.Empty((await other.ReadAll()).Members);
        }
    }

    [Fact]
    public async Task Several_silos_initialising_a_fresh_database_at_once_all_succeed()
    {
        string connectionString = await _pg.Server.CreateDatabaseAsync();
        var dbs = Enumerable.Range(0, 8).Select(_ => new PostgresEngineDatabase(connectionString)).ToArray();
        try
        {
            // Each runs CREATE ... IF NOT EXISTS and the version insert; the losers of those races must not fail.
            PostgresMembershipTable[] tables = dbs.Select(db => new PostgresMembershipTable(db, "c", NullLogger<PostgresMembershipTable>.Instance)).ToArray();
            await Task.WhenAll(tables.Select(t => t.InitializeMembershipTable(tryInitTableVersion: true)));
            Assert.Equal(0, (await tables[0].ReadAll()).Version.Version);
            Assert.Equal(
                ["metrics_cluster_grain_state", "metrics_cluster_membership", "metrics_cluster_membership_version"],
                await TablesAsync(connectionString));
        }
        finally
        {
            foreach (PostgresEngineDatabase db in dbs)
            {
                await db.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_unreachable_database_names_host_and_database_but_not_the_password_in_both_providers()
    {
        // A port nothing listens on: the fixture server's port plus one would be a guess, so take a closed one.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var db = new PostgresEngineDatabase($"Host=127.0.0.1;Port={port};Database=nowhere;Username=postgres;Password=hunter2;Timeout=3");
        var table = new PostgresMembershipTable(db, "c", NullLogger<PostgresMembershipTable>.Instance);

        OrleansException e = await Assert.ThrowsAsync<OrleansException>(table.ReadAll);
        Assert.Contains($"127.0.0.1:{port}/nowhere", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.ToString(), StringComparison.Ordinal);
        // Named, not attached: the exception crosses silos and Orleans has no codec for Npgsql's types.
        Assert.Null(e.InnerException);
        Assert.Contains(nameof(NpgsqlException), e.Message, StringComparison.Ordinal);

        // The grain storage shares the wording.
        using ServiceProvider services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var storage = new PostgresGrainStorage(
            db, "svc", services.GetRequiredService<Serializer>(), services.GetRequiredService<IActivatorProvider>(), NullLogger<PostgresGrainStorage>.Instance);
        e = await Assert.ThrowsAsync<OrleansException>(() => storage.ReadStateAsync("x", GrainId.Create("t", "k"), new GrainState<PgTestState>()));
        Assert.Contains($"127.0.0.1:{port}/nowhere", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string[]> TablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return [.. names];
    }

    private static MembershipEntry NewEntry()
    {
        SiloAddress address = NewAddress();
        return new MembershipEntry
        {
            SiloAddress = address,
            HostName = "host-" + address.Generation,
            SiloName = "silo-" + address.Generation,
            Status = SiloStatus.Joining,
            ProxyPort = 30000,
            StartTime = Now(),
            IAmAliveTime = Now(),
        };
    }

    private static SiloAddress NewAddress() =>
        SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 12345), Interlocked.Increment(ref s_generation) + 1000);

    private static DateTime Now()
    {
        DateTime now = DateTime.UtcNow;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }
}

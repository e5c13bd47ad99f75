using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Orleans;
using Orleans.Runtime;

namespace MetricsCluster.Cluster.Engine.Postgres;

/// <summary>
/// Orleans' membership table in PostgreSQL (<c>--ring.store=postgres</c>), keyed by cluster id so several
/// deployments can share one database.
/// </summary>
/// <remarks>
/// <para>
/// Orleans' contract: <see cref="InsertRow"/> and <see cref="UpdateRow"/> change a silo row and the cluster's table
/// version in one transaction, and only when the caller's table-version etag (and, for an update, the row's etag)
/// still matches; a lost race returns <see langword="false"/> and never throws. The version row is updated first
/// with <c>WHERE etag = @expected</c>: PostgreSQL's row lock makes a concurrent writer wait, re-check the condition
/// against the committed row and find no match, so exactly one of several racing writers wins.
/// </para>
/// <para>
/// Etags are drawn from the sequence <c>metrics_cluster_etag</c> on every write of their row (never reused), handed
/// to Orleans as decimal strings.
/// <see cref="UpdateIAmAlive"/> is the permitted "dirty write": it touches neither etag nor the table version.
/// Times are stored as <c>timestamptz</c> (microseconds) and read back as UTC.
/// </para>
/// </remarks>
public sealed class PostgresMembershipTable : IMembershipTable
{
    private const string SelectColumns =
        "m.silo_address, m.silo_name, m.host_name, m.status, m.proxy_port, m.role_name, m.update_zone, m.fault_zone, " +
        "m.start_time, m.i_am_alive_time, m.suspecting_silos, m.suspecting_times, m.etag";

    private readonly PostgresEngineDatabase _db;
    private readonly string _clusterId;
    private readonly ILogger _logger;

    internal PostgresMembershipTable(PostgresEngineDatabase db, string clusterId, ILogger<PostgresMembershipTable> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        _db = db;
        _clusterId = clusterId;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await _db.EnsureSchemaAsync("membership table initialisation");
        if (!tryInitTableVersion)
        {
            return;
        }

        // Version 0, as Orleans expects of an empty table; a silo that finds the row already there leaves it.
        await ExecuteAsync(
            "membership table initialisation",
            "INSERT INTO metrics_cluster_membership_version (cluster_id, version, etag) VALUES (@cluster, 0, nextval('metrics_cluster_etag')) ON CONFLICT DO NOTHING",
            _ => { });
    }

    /// <inheritdoc />
    public Task DeleteMembershipTableEntries(string clusterId) =>
        ExecuteAsync(
            "membership table delete",
            "DELETE FROM metrics_cluster_membership_version WHERE cluster_id = @cluster", // Silo rows go by ON DELETE CASCADE.
            p => p["cluster"].Value = clusterId);

    /// <inheritdoc />
    /// <remarks>
    /// Removes rows of silos that are not Active and last reported alive before <paramref name="beforeDate"/>,
    /// as Orleans' own tables do; the table version is left alone (cleanup is not a membership change).
    /// </remarks>
    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) =>
        ExecuteAsync(
            "membership table cleanup",
            "DELETE FROM metrics_cluster_membership WHERE cluster_id = @cluster AND status <> @active AND i_am_alive_time < @before",
            p =>
            {
                p.AddWithValue("active", (int)SiloStatus.Active);
                p.AddWithValue("before", beforeDate.UtcDateTime);
            });

    /// <inheritdoc />
    public Task<MembershipTableData> ReadRow(SiloAddress key) =>
        ReadAsync("membership table read of " + key, key.ToParsableString());

    /// <inheritdoc />
    public Task<MembershipTableData> ReadAll() => ReadAsync("membership table read", silo: null);

    /// <inheritdoc />
    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        if (!TryParseEtag(tableVersion.VersionEtag, out long versionEtag))
        {
            return false;
        }

        const string sql = """
            INSERT INTO metrics_cluster_membership (cluster_id, silo_address, silo_name, host_name, status, proxy_port,
                role_name, update_zone, fault_zone, start_time, i_am_alive_time, suspecting_silos, suspecting_times, etag)
            VALUES (@cluster, @silo, @silo_name, @host_name, @status, @proxy_port,
                @role_name, @update_zone, @fault_zone, @start_time, @i_am_alive_time, @suspecting_silos, @suspecting_times, nextval('metrics_cluster_etag'))
            ON CONFLICT DO NOTHING
            """;
        return await ChangeAsync("membership table insert of " + entry.SiloAddress, tableVersion, versionEtag, sql, entry, rowEtag: null);
    }

    /// <inheritdoc />
    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        if (!TryParseEtag(tableVersion.VersionEtag, out long versionEtag) || !TryParseEtag(etag, out long rowEtag))
        {
            return false;
        }

        const string sql = """
            UPDATE metrics_cluster_membership SET silo_name = @silo_name, host_name = @host_name, status = @status,
                proxy_port = @proxy_port, role_name = @role_name, update_zone = @update_zone, fault_zone = @fault_zone,
                start_time = @start_time, i_am_alive_time = @i_am_alive_time, suspecting_silos = @suspecting_silos,
                suspecting_times = @suspecting_times, etag = nextval('metrics_cluster_etag')
            WHERE cluster_id = @cluster AND silo_address = @silo AND etag = @row_etag
            """;
        return await ChangeAsync("membership table update of " + entry.SiloAddress, tableVersion, versionEtag, sql, entry, rowEtag);
    }

    /// <inheritdoc />
    public Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return ExecuteAsync(
            "membership table I-am-alive update of " + entry.SiloAddress,
            "UPDATE metrics_cluster_membership SET i_am_alive_time = @alive WHERE cluster_id = @cluster AND silo_address = @silo",
            p =>
            {
                p.AddWithValue("alive", Utc(entry.IAmAliveTime));
                p.AddWithValue("silo", entry.SiloAddress.ToParsableString());
            });
    }

    /// <summary>Runs a row change and the table-version bump in one transaction; false if either condition fails.</summary>
    private async Task<bool> ChangeAsync(string operation, TableVersion tableVersion, long versionEtag, string rowSql, MembershipEntry entry, long? rowEtag)
    {
        try
        {
            await using NpgsqlConnection connection = await _db.OpenAsync(operation);
            await using NpgsqlTransaction tx = await connection.BeginTransactionAsync();
            await using (var bump = new NpgsqlCommand(
                "UPDATE metrics_cluster_membership_version SET version = @version, etag = nextval('metrics_cluster_etag') WHERE cluster_id = @cluster AND etag = @etag",
                connection,
                tx))
            {
                bump.Parameters.AddWithValue("cluster", _clusterId);
                bump.Parameters.AddWithValue("version", tableVersion.Version);
                bump.Parameters.AddWithValue("etag", versionEtag);
                if (await bump.ExecuteNonQueryAsync() != 1)
                {
                    _logger.LogDebug("{Operation}: table version {Version} is stale", operation, tableVersion);
                    return false; // Disposing the transaction rolls it back.
                }
            }

            await using (var row = new NpgsqlCommand(rowSql, connection, tx))
            {
                AddEntryParameters(row.Parameters, entry);
                if (rowEtag is long expected)
                {
                    row.Parameters.AddWithValue("row_etag", expected);
                }

                if (await row.ExecuteNonQueryAsync() != 1)
                {
                    _logger.LogDebug("{Operation}: the row is missing, already present or has a newer etag", operation);
                    return false;
                }
            }

            await tx.CommitAsync();
            return true;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected)
        {
            // A lost race by another name: Orleans re-reads the table and tries again.
            _logger.LogDebug(e, "{Operation}: lost a race", operation);
            return false;
        }
        catch (Exception e) when (PostgresEngineDatabase.IsUnavailable(e))
        {
            throw _db.Unavailable(operation, e);
        }
    }

    private async Task<MembershipTableData> ReadAsync(string operation, string? silo)
    {
        // One statement is one snapshot, so the version and the rows are read atomically as Orleans requires.
        string sql = $"""
            SELECT v.version, v.etag, {SelectColumns}
            FROM metrics_cluster_membership_version v
            LEFT JOIN metrics_cluster_membership m ON m.cluster_id = v.cluster_id {(silo is null ? string.Empty : "AND m.silo_address = @silo")}
            WHERE v.cluster_id = @cluster
            """;
        try
        {
            await using NpgsqlConnection connection = await _db.OpenAsync(operation);
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("cluster", _clusterId);
            if (silo is not null)
            {
                command.Parameters.AddWithValue("silo", silo);
            }

            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            TableVersion? version = null;
            var members = new List<Tuple<MembershipEntry, string>>();
            while (await reader.ReadAsync())
            {
                version ??= new TableVersion(reader.GetInt32(0), Etag(reader.GetInt64(1)));
                if (!reader.IsDBNull(2))
                {
                    members.Add(ReadEntry(reader, offset: 2));
                }
            }

            // No version row: the table was never initialised for this cluster (or was deleted); etag 0 is never issued.
            version ??= new TableVersion(0, Etag(0));
            return new MembershipTableData(members, version);
        }
        catch (Exception e) when (PostgresEngineDatabase.IsUnavailable(e))
        {
            throw _db.Unavailable(operation, e);
        }
    }

    private static Tuple<MembershipEntry, string> ReadEntry(NpgsqlDataReader reader, int offset)
    {
        string[] suspecters = reader.GetFieldValue<string[]>(offset + 10);
        DateTime[] suspectTimes = reader.GetFieldValue<DateTime[]>(offset + 11);
        var entry = new MembershipEntry
        {
            SiloAddress = SiloAddress.FromParsableString(reader.GetString(offset)),
            SiloName = reader.GetString(offset + 1),
            HostName = reader.GetString(offset + 2),
            Status = (SiloStatus)reader.GetInt32(offset + 3),
            ProxyPort = reader.GetInt32(offset + 4),
            RoleName = reader.IsDBNull(offset + 5) ? null : reader.GetString(offset + 5),
            UpdateZone = reader.GetInt32(offset + 6),
            FaultZone = reader.GetInt32(offset + 7),
            StartTime = reader.GetFieldValue<DateTime>(offset + 8),
            IAmAliveTime = reader.GetFieldValue<DateTime>(offset + 9),
            SuspectTimes = suspecters.Length == 0
                ? null
                : suspecters.Select((s, i) => Tuple.Create(SiloAddress.FromParsableString(s), suspectTimes[i])).ToList(),
        };
        return Tuple.Create(entry, Etag(reader.GetInt64(offset + 12)));
    }

    private void AddEntryParameters(NpgsqlParameterCollection p, MembershipEntry entry)
    {
        List<Tuple<SiloAddress, DateTime>> suspects = entry.SuspectTimes ?? [];
        p.AddWithValue("cluster", _clusterId);
        p.AddWithValue("silo", entry.SiloAddress.ToParsableString());
        p.AddWithValue("silo_name", entry.SiloName ?? string.Empty);
        p.AddWithValue("host_name", entry.HostName ?? string.Empty);
        p.AddWithValue("status", (int)entry.Status);
        p.AddWithValue("proxy_port", entry.ProxyPort);
        p.AddWithValue("role_name", NpgsqlDbType.Text, (object?)entry.RoleName ?? DBNull.Value);
        p.AddWithValue("update_zone", entry.UpdateZone);
        p.AddWithValue("fault_zone", entry.FaultZone);
        p.AddWithValue("start_time", Utc(entry.StartTime));
        p.AddWithValue("i_am_alive_time", Utc(entry.IAmAliveTime));
        p.AddWithValue("suspecting_silos", suspects.Select(s => s.Item1.ToParsableString()).ToArray());
        p.AddWithValue("suspecting_times", suspects.Select(s => Utc(s.Item2)).ToArray());
    }

    private async Task ExecuteAsync(string operation, string sql, Action<NpgsqlParameterCollection> parameters)
    {
        try
        {
            await using NpgsqlConnection connection = await _db.OpenAsync(operation);
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("cluster", _clusterId);
            parameters(command.Parameters);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (PostgresEngineDatabase.IsUnavailable(e))
        {
            throw _db.Unavailable(operation, e);
        }
    }

    /// <summary>
    /// Npgsql writes only UTC <see cref="DateTime"/>s to <c>timestamptz</c>; Orleans' times are UTC but may come
    /// unmarked (<see cref="DateTimeKind.Unspecified"/>), which is taken as UTC, as Orleans itself does.
    /// </summary>
    private static DateTime Utc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Utc => t,
        DateTimeKind.Local => t.ToUniversalTime(),
        _ => DateTime.SpecifyKind(t, DateTimeKind.Utc),
    };

    private static string Etag(long etag) => etag.ToString(CultureInfo.InvariantCulture);

    private static bool TryParseEtag(string? etag, out long value) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}

using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace MetricsCluster.Cluster.Engine.Postgres;

/// <summary>
/// Orleans grain-state storage in PostgreSQL (the <see cref="EngineStorage.Name"/> provider of <c>--ring.store=postgres</c>):
/// one row per (service id, grain type, grain id, state name) with an etag for optimistic concurrency.
/// </summary>
/// <remarks>
/// <para>
/// State is encoded with Orleans' own serializer: grain state types are <c>[GenerateSerializer]</c> types whose
/// codecs are source-generated with explicit field ids (G20: wire types are generated, never reflection), the same
/// codecs carry them in grain calls, and they tolerate added and removed fields. The payload is therefore opaque
/// bytes, not JSON.
/// </para>
/// <para>
/// A write or clear succeeds only when the caller's etag matches the stored one (a <see langword="null"/> etag means
/// "no row yet"); otherwise it throws <see cref="InconsistentStateException"/> with both etags, which Orleans
/// turns into a deactivation of the stale activation. Etags come from the
/// database-wide sequence <c>metrics_cluster_etag</c> (never reused, even after a clear) as decimal strings.
/// </para>
/// </remarks>
public sealed class PostgresGrainStorage : IGrainStorage
{
    private readonly PostgresEngineDatabase _db;
    private readonly string _serviceId;
    private readonly Serializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly ILogger _logger;

    internal PostgresGrainStorage(
        PostgresEngineDatabase db, string serviceId, Serializer serializer, IActivatorProvider activators, ILogger<PostgresGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        _db = db;
        _serviceId = serviceId;
        _serializer = serializer;
        _activators = activators;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        const string sql = """
            SELECT payload, etag FROM metrics_cluster_grain_state
            WHERE service_id = @service AND grain_type = @type AND grain_id = @id AND state_name = @state
            """;
        string operation = $"grain state read of {grainId} ({stateName})";
        try
        {
            await using NpgsqlConnection connection = await _db.OpenAsync(operation);
            await using NpgsqlCommand command = Command(sql, connection, stateName, grainId);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                grainState.State = _activators.GetActivator<T>().Create();
                grainState.ETag = null;
                grainState.RecordExists = false;
                return;
            }

            byte[] payload = reader.GetFieldValue<byte[]>(0);
            grainState.State = _serializer.Deserialize<T>(payload);
            grainState.ETag = Etag(reader.GetInt64(1));
            grainState.RecordExists = true;
        }
        catch (Exception e) when (PostgresEngineDatabase.IsUnavailable(e))
        {
            throw _db.Unavailable(operation, e);
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // A null etag inserts (and fails if a row appeared meanwhile); a known etag updates that version only.
        const string insert = """
            INSERT INTO metrics_cluster_grain_state (service_id, grain_type, grain_id, state_name, payload, etag)
            VALUES (@service, @type, @id, @state, @payload, nextval('metrics_cluster_etag'))
            ON CONFLICT DO NOTHING
            RETURNING etag
            """;
        const string update = """
            UPDATE metrics_cluster_grain_state SET payload = @payload, etag = nextval('metrics_cluster_etag'), updated_at = now()
            WHERE service_id = @service AND grain_type = @type AND grain_id = @id AND state_name = @state AND etag = @etag
            RETURNING etag
            """;
        string operation = $"grain state write of {grainId} ({stateName})";
        byte[] payload = _serializer.SerializeToArray(grainState.State);
        long? newEtag = await ConditionalAsync(operation, grainState.ETag is null ? insert : update, stateName, grainId, grainState.ETag, payload);
        grainState.ETag = Etag(newEtag ?? throw await InconsistentAsync(operation, stateName, grainId, grainState.ETag));
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string operation = $"grain state clear of {grainId} ({stateName})";
        if (grainState.ETag is not null)
        {
            const string delete = """
                DELETE FROM metrics_cluster_grain_state
                WHERE service_id = @service AND grain_type = @type AND grain_id = @id AND state_name = @state AND etag = @etag
                RETURNING etag
                """;
            if (await ConditionalAsync(operation, delete, stateName, grainId, grainState.ETag, payload: null) is null)
            {
                throw await InconsistentAsync(operation, stateName, grainId, grainState.ETag);
            }
        }
        else if (await CurrentEtagAsync(operation, stateName, grainId) is string stored)
        {
            // Clearing "nothing" while a row exists means this activation never saw that row.
            throw Inconsistent(operation, stored, current: null);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = _activators.GetActivator<T>().Create();
    }

    /// <summary>Runs one conditional statement; returns the etag it RETURNed, or null when its condition failed.</summary>
    private async Task<long?> ConditionalAsync(string operation, string sql, string stateName, GrainId grainId, string? etag, byte[]? payload)
    {
        long expected = 0;
        if (etag is not null && !long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out expected))
        {
            return null; // Not one of ours: it cannot match.
        }

        try
        {
            await using NpgsqlConnection connection = await _db.OpenAsync(operation);
            await using NpgsqlCommand command = Command(sql, connection, stateName, grainId);
            command.Parameters.AddWithValue("etag", expected);
            if (payload is not null)
            {
                command.Parameters.AddWithValue("payload", payload);
            }

            return await command.ExecuteScalarAsync() is long stored ? stored : null;
        }
        catch (Exception e) when (PostgresEngineDatabase.IsUnavailable(e))
        {
            throw _db.Unavailable(operation, e);
        }
    }

    private async Task<string?> CurrentEtagAsync(string operation, string stateName, GrainId grainId)
    {
        const string sql = """
            SELECT etag FROM metrics_cluster_grain_state
            WHERE service_id = @service AND grain_type = @type AND grain_id = @id AND state_name = @state
            """;
        try
        {
            await using NpgsqlConnection connection = await _db.OpenAsync(operation);
            await using NpgsqlCommand command = Command(sql, connection, stateName, grainId);
            return await command.ExecuteScalarAsync() is long stored ? Etag(stored) : null;
        }
        catch (Exception e) when (PostgresEngineDatabase.IsUnavailable(e))
        {
            throw _db.Unavailable(operation, e);
        }
    }

    private async Task<InconsistentStateException> InconsistentAsync(string operation, string stateName, GrainId grainId, string? current) =>
        Inconsistent(operation, await CurrentEtagAsync(operation, stateName, grainId), current);

    private InconsistentStateException Inconsistent(string operation, string? stored, string? current)
    {
        _logger.LogDebug("{Operation}: etag {Current} does not match the stored {Stored}", operation, current, stored);
        return new InconsistentStateException(
            $"{operation} in {_db.Endpoint}: the stored etag is {stored ?? "(no row)"}, this activation had {current ?? "(none)"}",
            stored,
            current);
    }

    private NpgsqlCommand Command(string sql, NpgsqlConnection connection, string stateName, GrainId grainId)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("type", grainId.Type.ToString()!);
        command.Parameters.AddWithValue("id", grainId.Key.ToString()!);
        command.Parameters.AddWithValue("state", stateName);
        return command;
    }

    private static string Etag(long etag) => etag.ToString(CultureInfo.InvariantCulture);
}

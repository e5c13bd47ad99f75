using System.Collections.Concurrent;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Ingester;

/// <summary>
/// What the ingester does when a tenant's disk fails it: WAL write errors become retryable push errors and heal
/// (<see cref="WalGuard"/>), and a tenant whose TSDB cannot be opened is quarantined, its directory left in place,
/// while the other tenants run. Both show on <c>/ready</c> and in metrics.
/// </summary>
public sealed partial class Ingester
{
    private readonly ConcurrentDictionary<string, string> _quarantined = new(StringComparer.Ordinal);

    /// <summary>Tenants whose WAL cannot be written right now (a full disk), sorted; their pushes get a retryable 5xx.</summary>
    public IReadOnlyList<string> WriteFailingTenants =>
        [.. OpenTenants.Where(db => db.WriteFailing).Select(db => db.Tenant).Order(StringComparer.Ordinal)];

    /// <summary>Tenants whose TSDB could not be opened, with the reason (it names the directory); their pushes get a 5xx.</summary>
    public IReadOnlyDictionary<string, string> QuarantinedTenants => _quarantined;

    private void Append(TenantDb db, PushBatch batch, PushResult result)
    {
        db.WalGuard.EnsureWritable(db.Wal);
        try
        {
            db.Db.Append(batch, new PushResultSink(result), _overrides.For(db.Tenant).MaxGlobalSeriesPerUser);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Head.Append throws before applying anything when the WAL write fails, so nothing is acknowledged.
            throw db.WalGuard.OnWriteError(e);
        }

        db.WalGuard.OnWriteSucceeded();
    }

    private TenantDb Tenant(string tenant)
    {
        if (_quarantined.TryGetValue(tenant, out string? reason))
        {
            throw new IngesterUnavailableException(reason);
        }

        // The lookup first: GetOrAdd with a method group allocates its delegate on every push.
        if (!_tenants.TryGetValue(tenant, out var lazy))
        {
            lazy = _tenants.GetOrAdd(tenant, NewTenant);
        }

        try
        {
            return lazy.Value;
        }
        catch (Exception e) when (e is not IngesterUnavailableException)
        {
            // A Lazy keeps its exception: drop it so the next push tries again instead of failing for ever.
            _tenants.TryRemove(KeyValuePair.Create(tenant, lazy));
            if (IsTransient(e))
            {
                _logger.LogError(e, "tenant {Tenant}: opening its TSDB failed; retried with the next push", tenant);
                throw new IngesterUnavailableException($"tenant {tenant}: the ingester could not open its TSDB ({e.Message}); retry");
            }

            throw new IngesterUnavailableException(Quarantine(tenant, e));
        }
    }

    /// <summary>Opens an existing tenant at start; one that cannot be opened is quarantined instead of stopping the process.</summary>
    private void OpenAtStart(string tenant)
    {
        try
        {
            _ = Tenant(tenant);
        }
        catch (IngesterUnavailableException)
        {
            // Logged by Tenant; a transient failure is retried by the tenant's next push.
        }
    }

    private string Quarantine(string tenant, Exception e)
    {
        string dir = Path.GetFullPath(Path.Combine(_options.TsdbDir, tenant));
        string reason =
            $"tenant {tenant}: the ingester could not open its TSDB in {dir} and quarantined it ({e.Message}) {ErrorId.Tag(ErrorId.IngesterTenantQuarantined)}. " +
            "The data was left in place; repair or move the directory aside and restart the ingester";
        _quarantined[tenant] = reason;
        _logger.LogError(e, "tenant {Tenant} quarantined: its TSDB in {Dir} could not be opened ({Reason}); the other tenants keep running, its directory is left untouched", tenant, dir, e.Message);
        return reason;
    }

    // A full disk or a permission problem heals without touching the data; anything else (a corrupt checkpoint or
    // block, a gap in the WAL) needs an operator.
    private static bool IsTransient(Exception e) => e is IOException and not FileNotFoundException and not DirectoryNotFoundException and not EndOfStreamException
        || e is UnauthorizedAccessException;
}

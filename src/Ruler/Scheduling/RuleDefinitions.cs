using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MetricsCluster.Ruler.Evaluation;
using MetricsCluster.Ruler.RuleFiles;

namespace MetricsCluster.Ruler.Scheduling;

/// <summary>
/// The rule groups this process knows, by key, with their fingerprints: filled by each sync from storage, and
/// re-read for one tenant when an evaluation asks for a definition newer than the one held (the group was changed
/// through another ruler's API since this process's last sync).
/// </summary>
public sealed class RuleDefinitions(Func<string, CancellationToken, Task<IReadOnlyList<TenantRuleGroup>>> loadTenant)
{
    private readonly ConcurrentDictionary<string, (TenantRuleGroup Group, string Fingerprint)> _groups = new(StringComparer.Ordinal);

    /// <summary>A stable hash of a group's definition: equal definitions, equal fingerprints, on every process.</summary>
    public static string Fingerprint(TenantRuleGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(group);
        return Convert.ToHexString(SHA256.HashData(json), 0, 16);
    }

    /// <summary>Replaces what is known of every tenant with <paramref name="groups"/>.</summary>
    public void ReplaceAll(IReadOnlyList<TenantRuleGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            string key = Key(g);
            keys.Add(key);
            _groups[key] = (g, Fingerprint(g));
        }

        foreach (string key in _groups.Keys)
        {
            if (!keys.Contains(key))
            {
                _groups.TryRemove(key, out _);
            }
        }
    }

    /// <summary>
    /// The definition of <paramref name="key"/> with <paramref name="fingerprint"/>: the held one when it matches, else
    /// the tenant's groups re-read from storage. Null when the group no longer exists.
    /// </summary>
    public async Task<(TenantRuleGroup Group, string Fingerprint)?> GetAsync(string key, string fingerprint, CancellationToken cancellationToken)
    {
        if (_groups.TryGetValue(key, out var held) && held.Fingerprint == fingerprint)
        {
            return held;
        }

        var parsed = RuleGroupId.Parse(key);
        if (parsed is null)
        {
            return null;
        }

        var fresh = await loadTenant(parsed.Tenant, cancellationToken).ConfigureAwait(false);
        var tenantKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in fresh)
        {
            string k = Key(g);
            tenantKeys.Add(k);
            _groups[k] = (g, Fingerprint(g));
        }

        foreach (string k in _groups.Keys)
        {
            if (!tenantKeys.Contains(k) && RuleGroupId.Parse(k)?.Tenant == parsed.Tenant)
            {
                _groups.TryRemove(k, out _);
            }
        }

        return _groups.TryGetValue(key, out var now) ? now : null;
    }

    /// <summary>The key of a group.</summary>
    public static string Key(TenantRuleGroup g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return new RuleGroupId(g.Tenant, g.Namespace, g.Group.Name).ToString();
    }
}

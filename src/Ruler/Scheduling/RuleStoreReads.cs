using MetricsCluster.Ruler.RuleFiles;
using MetricsCluster.Ruler.Storage;

namespace MetricsCluster.Ruler.Scheduling;

/// <summary>Reads of the rule store the sync needs.</summary>
public static class RuleStoreReads
{
    /// <summary>Every tenant's groups, tenants read a few at a time.</summary>
    public static Func<CancellationToken, Task<IReadOnlyList<TenantRuleGroup>>> AllGroups(IRuleStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return async ct =>
        {
            var tenants = await store.ListTenantsAsync(ct).ConfigureAwait(false);
            var all = new List<TenantRuleGroup>();
            foreach (var chunk in tenants.Chunk(8))
            {
                var groups = await Task.WhenAll(chunk.Select(t => store.ListGroupsAsync(t, null, ct))).ConfigureAwait(false);
                foreach (var g in groups)
                {
                    all.AddRange(g);
                }
            }

            return all;
        };
    }
}

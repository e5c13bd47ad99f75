using MetricsCluster.Ruler.RuleFiles;

namespace MetricsCluster.Ruler.Storage;

/// <summary>
/// Where the tenants' rule groups live (Mimir's <c>rulestore.RuleStore</c>): a group is named by tenant, namespace
/// and group name. Every method validates the tenant id (<see cref="Core.TenantId"/>) and throws
/// <see cref="Core.InvalidTenantIdException"/> for a bad one, so no input reaches outside the tenant's rules.
/// Implementations are thread-safe.
/// </summary>
public interface IRuleStore
{
    /// <summary>The tenants that have rule groups.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The tenant ids, sorted (ordinal).</returns>
    Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken = default);

    /// <summary>The names of a tenant's groups, without loading them (cheap: one listing).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="ns">Only this namespace; null for all.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The keys, sorted by namespace then name (ordinal).</returns>
    Task<IReadOnlyList<RuleGroupKey>> ListGroupKeysAsync(string tenant, string? ns = null, CancellationToken cancellationToken = default);

    /// <summary>A tenant's groups, loaded.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="ns">Only this namespace; null for all.</param>
    /// <param name="cancellationToken">Cancels the loading.</param>
    /// <returns>The groups, sorted by namespace then name (ordinal).</returns>
    Task<IReadOnlyList<TenantRuleGroup>> ListGroupsAsync(string tenant, string? ns = null, CancellationToken cancellationToken = default);

    /// <summary>One group.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="ns">The namespace.</param>
    /// <param name="group">The group name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The group, or null when it does not exist.</returns>
    Task<RuleGroup?> GetGroupAsync(string tenant, string ns, string group, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces the group named <see cref="RuleGroup.Name"/> in <paramref name="ns"/>.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="ns">The namespace.</param>
    /// <param name="group">The group.</param>
    /// <param name="cancellationToken">Cancels the write; a cancelled write leaves the old group or the new one.</param>
    /// <returns>A task that completes when the group is stored.</returns>
    /// <exception cref="ReadOnlyRuleStoreException">The store cannot be written.</exception>
    Task SetGroupAsync(string tenant, string ns, RuleGroup group, CancellationToken cancellationToken = default);

    /// <summary>Deletes one group.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="ns">The namespace.</param>
    /// <param name="group">The group name.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>False when the group did not exist.</returns>
    /// <exception cref="ReadOnlyRuleStoreException">The store cannot be written.</exception>
    Task<bool> DeleteGroupAsync(string tenant, string ns, string group, CancellationToken cancellationToken = default);

    /// <summary>Deletes every group of a namespace.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="ns">The namespace.</param>
    /// <param name="cancellationToken">Cancels the delete (groups deleted so far stay deleted).</param>
    /// <returns>False when the namespace had no group.</returns>
    /// <exception cref="ReadOnlyRuleStoreException">The store cannot be written.</exception>
    Task<bool> DeleteNamespaceAsync(string tenant, string ns, CancellationToken cancellationToken = default);
}

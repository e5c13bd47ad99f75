using MetricsCluster.Core;
using MetricsCluster.Ruler.RuleFiles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsCluster.Ruler.Storage;

/// <summary>
/// Mimir's <c>local</c> rule storage (<c>--ruler-storage.local.directory</c>): read-only Prometheus rule files at
/// <c>&lt;dir&gt;/&lt;tenant&gt;/&lt;namespace&gt;</c>, e.g. a Kubernetes ConfigMap per tenant. The namespace is the file's
/// name, extension included, as in Mimir; only <c>*.yaml</c> and <c>*.yml</c> files count, so the ConfigMap's
/// <c>..data</c> links and stray files are not read. Every write throws <see cref="ReadOnlyRuleStoreException"/>.
/// </summary>
/// <remarks>
/// Files are read on every call, so edits show at the ruler's next sync. A file that does not parse fails the
/// listing of its tenant with promtool's errors (as Mimir fails it), since evaluating half of a tenant's rules
/// without saying so is worse.
/// </remarks>
public sealed class LocalRuleStore : IRuleStore
{
    private readonly string _root;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="LocalRuleStore"/> class.</summary>
    /// <param name="directory">The directory holding one sub-directory per tenant.</param>
    /// <param name="logger">Logs directories that are not tenants; none by default.</param>
    public LocalRuleStore(string directory, ILogger<LocalRuleStore>? logger = null)
    {
        if (string.IsNullOrEmpty(directory))
        {
            throw new ArgumentException("directory required for local rules config (--ruler-storage.local.directory)", nameof(directory));
        }

        _root = Path.GetFullPath(directory);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(_root))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        var tenants = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories(_root))
        {
            string name = Path.GetFileName(dir);
            if (TenantId.Validate(name) is null)
            {
                tenants.Add(name);
            }
            else
            {
                _logger.LogWarning("Skipping {Directory}: not a tenant id ({Rule})", dir, TenantId.Rule);
            }
        }

        return Task.FromResult<IReadOnlyList<string>>(tenants.Order(StringComparer.Ordinal).ToArray());
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RuleGroupKey>> ListGroupKeysAsync(string tenant, string? ns = null, CancellationToken cancellationToken = default) =>
        (await ListGroupsAsync(tenant, ns, cancellationToken).ConfigureAwait(false)).Select(g => new RuleGroupKey(g.Namespace, g.Group.Name)).ToArray();

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TenantRuleGroup>> ListGroupsAsync(string tenant, string? ns = null, CancellationToken cancellationToken = default)
    {
        var groups = new List<TenantRuleGroup>();
        foreach (string file in NamespaceFiles(tenant, ns))
        {
            string name = Path.GetFileName(file);
            foreach (var g in await ReadAsync(file, cancellationToken).ConfigureAwait(false))
            {
                groups.Add(new TenantRuleGroup(tenant, name, g));
            }
        }

        return groups.OrderBy(g => g.Namespace, StringComparer.Ordinal).ThenBy(g => g.Group.Name, StringComparer.Ordinal).ToArray();
    }

    /// <inheritdoc/>
    public async Task<RuleGroup?> GetGroupAsync(string tenant, string ns, string group, CancellationToken cancellationToken = default) =>
        (await ListGroupsAsync(tenant, ns, cancellationToken).ConfigureAwait(false)).FirstOrDefault(g => g.Group.Name == group)?.Group;

    /// <inheritdoc/>
    public Task SetGroupAsync(string tenant, string ns, RuleGroup group, CancellationToken cancellationToken = default) =>
        throw new ReadOnlyRuleStoreException();

    /// <inheritdoc/>
    public Task<bool> DeleteGroupAsync(string tenant, string ns, string group, CancellationToken cancellationToken = default) =>
        throw new ReadOnlyRuleStoreException();

    /// <inheritdoc/>
    public Task<bool> DeleteNamespaceAsync(string tenant, string ns, CancellationToken cancellationToken = default) =>
        throw new ReadOnlyRuleStoreException();

    // The tenant's rule files; a namespace that is not a plain rule-file name matches no file, so no name can point
    // outside the tenant's directory.
    private IEnumerable<string> NamespaceFiles(string tenant, string? ns)
    {
        string dir = SafePath.Combine(_root, TenantId.ThrowIfInvalid(tenant));
        if (!Directory.Exists(dir) || (ns is not null && !IsRuleFileName(ns)))
        {
            return [];
        }

        return Directory.EnumerateFiles(dir)
            .Where(f => IsRuleFileName(Path.GetFileName(f)) && (ns is null || Path.GetFileName(f) == ns))
            .Order(StringComparer.Ordinal);
    }

    private static bool IsRuleFileName(string name) =>
        name.Length > 0 && name.IndexOfAny(['/', '\\', '\0']) < 0 && name is not "." and not ".."
            && (name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal));

    private static async Task<IReadOnlyList<RuleGroup>> ReadAsync(string file, CancellationToken cancellationToken)
    {
        byte[] bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
        var result = RuleFileParser.ParseFile(bytes);
        return result.IsValid
            ? result.Groups
            : throw new InvalidDataException($"error parsing {file}: {string.Join("; ", result.Errors)}");
    }
}

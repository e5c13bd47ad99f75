using Google.Protobuf;
using MetricsCluster.Core;
using MetricsCluster.ObjectStore;
using MetricsCluster.Ruler.RuleFiles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsCluster.Ruler.Storage;

/// <summary>
/// Rule groups in object storage, laid out as Mimir's bucket client lays them out: one object per group at
/// <c>rules/&lt;tenant&gt;/&lt;base64url(namespace)&gt;/&lt;base64url(group)&gt;</c>, holding Mimir's protobuf
/// <c>RuleGroupDesc</c> (docs/format/ruler-storage.md), so a bucket written by Mimir serves here and back.
/// </summary>
/// <remarks>
/// Give it a bucket of its own (or one whose root holds no tenant blocks): "rules" is a valid tenant id, so in a
/// blocks bucket the compactor would see the rules as a tenant. A group is written whole (the bucket's uploads are
/// atomic), so readers see the old group or the new one.
/// </remarks>
public sealed class BucketRuleStore : IRuleStore
{
    /// <summary>How many groups load at once (Mimir's <c>loadConcurrency</c>): enough to hide object-store latency,
    /// few enough that one tenant's hundreds of groups do not get the store to throttle us.</summary>
    public const int LoadConcurrency = 10;

    private readonly IBucket _bucket;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="BucketRuleStore"/> class.</summary>
    /// <param name="bucket">The bucket; not disposed by the store.</param>
    /// <param name="logger">Logs keys that are not rule groups; none by default.</param>
    public BucketRuleStore(IBucket bucket, ILogger<BucketRuleStore>? logger = null)
    {
        _bucket = bucket;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken = default)
    {
        var tenants = new List<string>();
        await foreach (string entry in _bucket.ListAsync(RuleObjectKeys.Prefix, recursive: false, cancellationToken).ConfigureAwait(false))
        {
            string name = entry[RuleObjectKeys.Prefix.Length..].TrimEnd('/');
            if (entry.EndsWith('/') && TenantId.Validate(name) is null)
            {
                tenants.Add(name);
            }
            else
            {
                _logger.LogWarning("Skipping {Key} under {Prefix}: not a tenant directory", entry, RuleObjectKeys.Prefix);
            }
        }

        return tenants.Order(StringComparer.Ordinal).ToArray();
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RuleGroupKey>> ListGroupKeysAsync(string tenant, string? ns = null, CancellationToken cancellationToken = default)
    {
        string tenantPrefix = RuleObjectKeys.TenantPrefix(tenant);
        string prefix = ns is null ? tenantPrefix : RuleObjectKeys.NamespacePrefix(tenant, ns);
        var keys = new List<RuleGroupKey>();
        await foreach (string key in _bucket.ListAsync(prefix, recursive: true, cancellationToken).ConfigureAwait(false))
        {
            if (RuleObjectKeys.TryParse(key[tenantPrefix.Length..], out var k))
            {
                keys.Add(k);
            }
            else
            {
                _logger.LogWarning("Skipping {Key}: not a rule group object key", key);
            }
        }

        return keys.OrderBy(k => k.Namespace, StringComparer.Ordinal).ThenBy(k => k.Group, StringComparer.Ordinal).ToArray();
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TenantRuleGroup>> ListGroupsAsync(string tenant, string? ns = null, CancellationToken cancellationToken = default)
    {
        var keys = await ListGroupKeysAsync(tenant, ns, cancellationToken).ConfigureAwait(false);
        var loaded = new TenantRuleGroup?[keys.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = LoadConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), options, async (i, ct) =>
        {
            var group = await GetGroupAsync(tenant, keys[i].Namespace, keys[i].Group, ct).ConfigureAwait(false);
            loaded[i] = group is null ? null : new TenantRuleGroup(tenant, keys[i].Namespace, group);
        }).ConfigureAwait(false);

        // A group deleted between the listing and its load is simply gone (Mimir #9936), not an error.
        return loaded.OfType<TenantRuleGroup>().ToArray();
    }

    /// <inheritdoc/>
    public async Task<RuleGroup?> GetGroupAsync(string tenant, string ns, string group, CancellationToken cancellationToken = default)
    {
        string key = RuleObjectKeys.Group(tenant, ns, group);
        byte[] bytes;
        try
        {
            var stream = await _bucket.GetAsync(key, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                bytes = buffer.ToArray();
            }
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }

        return Decode(key, bytes, tenant, ns, group);
    }

    /// <inheritdoc/>
    public async Task SetGroupAsync(string tenant, string ns, RuleGroup group, CancellationToken cancellationToken = default)
    {
        string key = RuleObjectKeys.Group(tenant, ns, group.Name);
        using var content = new MemoryStream(RuleGroupProto.Encode(tenant, ns, group), writable: false);
        await _bucket.UploadAsync(key, content, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteGroupAsync(string tenant, string ns, string group, CancellationToken cancellationToken = default)
    {
        // The bucket's delete succeeds on a missing key (S3 does), so ask first to answer "not found" as Mimir does.
        string key = RuleObjectKeys.Group(tenant, ns, group);
        if (!await _bucket.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await _bucket.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteNamespaceAsync(string tenant, string ns, CancellationToken cancellationToken = default)
    {
        var keys = await ListGroupKeysAsync(tenant, ns, cancellationToken).ConfigureAwait(false);
        foreach (var k in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _bucket.DeleteAsync(RuleObjectKeys.Group(tenant, k.Namespace, k.Group), cancellationToken).ConfigureAwait(false);
        }

        return keys.Count > 0;
    }

    // The object must name the group it is stored as (Mimir checks the same): a copied or renamed object would
    // otherwise evaluate under the wrong tenant or name.
    private static RuleGroup Decode(string key, byte[] bytes, string tenant, string ns, string group)
    {
        Proto.RuleGroupDesc desc;
        try
        {
            desc = RuleGroupProto.Decode(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"failed to unmarshal rule group {key}: {e.Message}", e);
        }

        if (desc.User != tenant || desc.Namespace != ns || desc.Name != group)
        {
            throw new InvalidDataException(
                $"mismatch between requested rule group and loaded rule group, requested: user={GoQuote(tenant)}, namespace={GoQuote(ns)}, group={GoQuote(group)}, " +
                $"loaded: user={GoQuote(desc.User)}, namespace={GoQuote(desc.Namespace)}, group={GoQuote(desc.Name)}");
        }

        return RuleGroupProto.ToModel(desc);
    }

    private static string GoQuote(string s) => Templating.Go.GoText.Quote(s);
}

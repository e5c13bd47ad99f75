namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// An immutable view of one ring descriptor (Mimir's Ring state after updateRingState): the sorted token table and
/// the instances, answering replication-set questions without locks. Health is the instance's state and its
/// process's liveness (<see cref="IInstanceLiveness"/>: Orleans membership in cluster mode), asked at each call.
/// </summary>
public sealed class RingSnapshot : IReadRing
{
    private readonly RingOptions _options;
    private readonly IInstanceLiveness _liveness;
    private readonly Dictionary<string, InstanceDesc> _instances;

    // Parallel arrays sorted by token: the owner of the range (previous token, token] is _owners[i].
    private readonly uint[] _tokens;
    private readonly InstanceDesc[] _owners;

    // Instances and distinct zones that hold at least one token: the most replicas a key can get.
    private readonly int _instancesWithTokens;
    private readonly int _zonesWithTokens;

    /// <summary>Builds the snapshot; <paramref name="desc"/> is copied, so later changes to it do not show.</summary>
    public RingSnapshot(RingDesc desc, RingOptions options, IInstanceLiveness liveness)
    {
        ArgumentNullException.ThrowIfNull(desc);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(liveness);
        options.Validate();
        _options = options;
        _liveness = liveness;
        _instances = new Dictionary<string, InstanceDesc>(desc.Instances.Count, StringComparer.Ordinal);
        var table = new List<(uint Token, InstanceDesc Owner)>();
        var zones = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, original) in desc.Instances.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            // The map key is the id (as Mimir's setInstanceIDs): an entry written without one still gets it.
            InstanceDesc instance = original.Clone();
            instance.Id = id;
            _instances[id] = instance;
            if (instance.Tokens.Count > 0)
            {
                _instancesWithTokens++;
                zones.Add(instance.Zone);
            }

            foreach (uint token in instance.Tokens)
            {
                table.Add((token, instance));
            }
        }

        // Ties (a token claimed twice) break by id, so every process builds the same table.
        table.Sort((a, b) => a.Token != b.Token ? a.Token.CompareTo(b.Token) : string.CompareOrdinal(a.Owner.Id, b.Owner.Id));
        _tokens = [.. table.Select(t => t.Token)];
        _owners = [.. table.Select(t => t.Owner)];
        _zonesWithTokens = zones.Count;
    }

    /// <inheritdoc />
    public int ReplicationFactor => _options.ReplicationFactor;

    /// <inheritdoc />
    /// <remarks>The descriptors are this snapshot's own copies; do not modify them.</remarks>
    public IReadOnlyDictionary<string, InstanceDesc> Instances => _instances;

    /// <summary>Where this snapshot's health comes from.</summary>
    public IInstanceLiveness Liveness => _liveness;

    /// <summary>The options this snapshot was built with.</summary>
    public RingOptions Options => _options;

    /// <inheritdoc />
    public bool IsHealthy(InstanceDesc instance, RingOperation operation)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(operation);
        if (!operation.HealthyStates.Contains(instance.State))
        {
            return false;
        }

        return _liveness.IsAlive(instance.Id);
    }

    /// <inheritdoc />
    public ReplicationSet Get(uint key, RingOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (_tokens.Length == 0)
        {
            throw new RingUnavailableException($"the {_options.Key} ring is empty: no instance has registered tokens yet");
        }

        List<InstanceDesc> picked = FindInstancesForKey(key, operation);
        return Filter(picked, operation);
    }

    /// <inheritdoc />
    public ReplicationSet GetReplicationSetForOperation(RingOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (_tokens.Length == 0)
        {
            throw new RingUnavailableException($"the {_options.Key} ring is empty: no instance has registered tokens yet");
        }

        var healthy = new List<InstanceDesc>(_instances.Count);
        var failedZones = new HashSet<string>(StringComparer.Ordinal);
        foreach (InstanceDesc instance in _instances.Values)
        {
            if (IsHealthy(instance, operation))
            {
                healthy.Add(instance);
            }
            else
            {
                failedZones.Add(instance.Zone);
            }
        }

        return _options.ZoneAwarenessEnabled
            ? ZoneAwareSetForOperation(healthy, failedZones, operation)
            : DefaultSetForOperation(healthy, operation);
    }

    // Mimir's findInstancesForKey: walk clockwise from the first token above the key, taking distinct instances (and,
    // zone-aware, distinct zones) until RF are counted; an instance whose state does not count for the operation
    // (e.g. JOINING for writes) is taken but extends the set by one, and its zone stays open for the replacement.
    private List<InstanceDesc> FindInstancesForKey(uint key, RingOperation operation)
    {
        int wanted = _options.ReplicationFactor;
        var picked = new List<InstanceDesc>(wanted + 2);
        List<string>? zones = _options.ZoneAwarenessEnabled ? new List<string>(wanted) : null;
        int start = SearchToken(key);
        for (int iterations = 0, i = start;
             picked.Count < Math.Min(_instances.Count, wanted) && (zones?.Count ?? 0) < _zonesWithTokens && iterations < _tokens.Length;
             iterations++, i++)
        {
            InstanceDesc owner = _owners[i % _tokens.Length];
            if (ContainsInstance(picked, owner))
            {
                continue;
            }

            bool zoned = zones is not null && owner.Zone.Length > 0;
            if (zoned && zones!.Contains(owner.Zone))
            {
                continue;
            }

            picked.Add(owner);
            if (operation.ExtendReplicaSet(owner.State))
            {
                wanted++;
            }
            else if (zoned)
            {
                zones!.Add(owner.Zone);
            }
        }

        return picked;
    }

    // Mimir's defaultReplicationStrategy.Filter: a quorum of the (possibly extended) set must succeed; unhealthy
    // instances are dropped but still count in the set's size, so they eat into the tolerated errors. When the ring
    // has fewer instances (or zones) than RF, the quorum is computed from what can exist, so a 1-instance ring works.
    private ReplicationSet Filter(List<InstanceDesc> picked, RingOperation operation)
    {
        int possible = _options.ZoneAwarenessEnabled ? Math.Min(_instancesWithTokens, _zonesWithTokens) : _instancesWithTokens;
        int replicas = Math.Max(Math.Min(_options.ReplicationFactor, possible), picked.Count);
        int minSuccess = operation.IgnoreUnhealthy ? 1 : (replicas / 2) + 1;

        // Filter in place (this runs once per series on the write path): healthy ones move to the front.
        int kept = 0;
        List<string>? unhealthy = null;
        for (int i = 0; i < picked.Count; i++)
        {
            if (IsHealthy(picked[i], operation))
            {
                picked[kept++] = picked[i];
            }
            else
            {
                (unhealthy ??= []).Add(picked[i].Id);
            }
        }

        picked.RemoveRange(kept, picked.Count - kept);
        List<InstanceDesc> healthy = picked;

        if (healthy.Count < minSuccess)
        {
            string across = _options.ZoneAwarenessEnabled ? " across different availability zones" : string.Empty;
            string which = unhealthy is null ? string.Empty : $" (unhealthy: {string.Join(", ", unhealthy)})";
            throw new RingUnavailableException(
                $"{operation.Name} on the {_options.Key} ring: at least {minSuccess} healthy replicas required{across}, could only find {healthy.Count}{which}");
        }

        int maxErrors = healthy.Count - minSuccess;

        // When every replica sits in its own (named) zone, the errors tolerated are also the zones tolerated. Otherwise
        // (no zones declared, or an extension put two in one zone) zone counting would over-tolerate: report 0.
        return new ReplicationSet(healthy, maxErrors, _options.ZoneAwarenessEnabled && OnePerNamedZone(healthy) ? maxErrors : 0);
    }

    private static bool OnePerNamedZone(List<InstanceDesc> instances)
    {
        for (int i = 0; i < instances.Count; i++)
        {
            if (instances[i].Zone.Length == 0)
            {
                return false;
            }

            for (int j = 0; j < i; j++)
            {
                if (instances[j].Zone == instances[i].Zone)
                {
                    return false;
                }
            }
        }

        return true;
    }

    // Mimir's GetReplicationSetForOperation without zones: every healthy instance, tolerating RF/2 failures minus the
    // instances already unhealthy. With fewer instances than RF the same rule runs on the instances that exist.
    private ReplicationSet DefaultSetForOperation(List<InstanceDesc> healthy, RingOperation operation)
    {
        // A ring smaller than RF may have lost the instances that held the rest of a series' replicas (an ingester
        // that left after acknowledging with one other), so then every remaining instance must answer: a read fails
        // loudly rather than return a partial answer. From RF instances on this is Mimir's n - RF/2.
        int all = _instances.Count;
        int required = all < _options.ReplicationFactor ? all : all - (_options.ReplicationFactor / 2);
        if (healthy.Count < required)
        {
            throw new RingUnavailableException(
                $"{operation.Name} on the {_options.Key} ring: too many unhealthy instances: {healthy.Count} of {all} healthy, at least {required} needed");
        }

        return new ReplicationSet(healthy, healthy.Count - required, 0);
    }

    // Mimir's zone-aware path: data sits in RF distinct zones, so RF/2 zones may fail; a zone with any unhealthy
    // instance counts as failed and all of its instances are left out (its healthy ones add nothing).
    private ReplicationSet ZoneAwareSetForOperation(List<InstanceDesc> healthy, HashSet<string> failedZones, RingOperation operation)
    {
        int replicatedZones = Math.Min(_zonesWithTokens, _options.ReplicationFactor);
        int maxUnavailableZones = replicatedZones / 2;
        if (failedZones.Count > maxUnavailableZones)
        {
            throw new RingUnavailableException(
                $"{operation.Name} on the {_options.Key} ring: too many unhealthy instances: {failedZones.Count} zones have unhealthy instances, at most {maxUnavailableZones} may");
        }

        if (failedZones.Count > 0)
        {
            healthy = healthy.FindAll(i => !failedZones.Contains(i.Zone));
        }

        return new ReplicationSet(healthy, 0, maxUnavailableZones - failedZones.Count);
    }

    // A loop, not List.Exists with a lambda: the lambda would capture owner and allocate once per visited token.
    private static bool ContainsInstance(List<InstanceDesc> picked, InstanceDesc owner)
    {
        foreach (InstanceDesc p in picked)
        {
            if (ReferenceEquals(p, owner))
            {
                return true;
            }
        }

        return false;
    }

    // The index of the first token strictly above key, wrapping to 0 (Mimir's searchToken).
    private int SearchToken(uint key)
    {
        int lo = 0, hi = _tokens.Length;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (_tokens[mid] > key)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo == _tokens.Length ? 0 : lo;
    }
}

using MetricsCluster.Cluster.Ring;

namespace MetricsCluster.Cluster.Replication;

/// <summary>
/// Counts the outcomes of one replication set's calls (Mimir's defaultResultTracker and zoneAwareResultTracker in
/// one). Without zones every instance is its own unit and at most <see cref="ReplicationSet.MaxErrors"/> units may
/// fail; with zones (<see cref="ReplicationSet.MaxUnavailableZones"/> &gt; 0) a unit is a zone, which succeeds when
/// all its instances did and fails with its first failed instance, and at most MaxUnavailableZones may fail.
/// Thread-safe: calls complete concurrently.
/// </summary>
internal sealed class QuorumTracker
{
    private readonly int[] _unitOf;
    private readonly int[] _pending;
    private readonly bool[] _unitFailed;
    private readonly int _needed;
    private readonly int _maxFailures;
    private readonly Lock _lock = new();
    private int _succeededUnits;
    private int _failedUnits;

    public QuorumTracker(ReplicationSet set)
    {
        _unitOf = new int[set.Instances.Count];
        bool zoned = set.MaxUnavailableZones > 0;
        var units = new List<string>();
        for (int i = 0; i < _unitOf.Length; i++)
        {
            string unit = zoned ? set.Instances[i].Zone : set.Instances[i].Id + "\0" + i;
            int u = units.IndexOf(unit);
            if (u < 0)
            {
                u = units.Count;
                units.Add(unit);
            }

            _unitOf[i] = u;
        }

        _pending = new int[units.Count];
        foreach (int u in _unitOf)
        {
            _pending[u]++;
        }

        _unitFailed = new bool[units.Count];
        _maxFailures = zoned ? set.MaxUnavailableZones : set.MaxErrors;
        _needed = Math.Max(0, units.Count - _maxFailures);
    }

    /// <summary>Gets a value indicating whether the set needs no call at all (every unit may fail).</summary>
    public bool SucceededWithoutCalls => _needed == 0;

    /// <summary>Records instance <paramref name="index"/>'s outcome; returns the transition it caused, at most once per tracker.</summary>
    public QuorumOutcome Done(int index, bool success)
    {
        int u = _unitOf[index];
        lock (_lock)
        {
            if (success)
            {
                // A zone counts once its last instance succeeded, and not at all once one of them failed.
                if (--_pending[u] == 0 && !_unitFailed[u] && ++_succeededUnits == _needed)
                {
                    return QuorumOutcome.Reached;
                }

                return QuorumOutcome.None;
            }

            if (_unitFailed[u])
            {
                return QuorumOutcome.None;
            }

            _unitFailed[u] = true;
            return ++_failedUnits == _maxFailures + 1 ? QuorumOutcome.Lost : QuorumOutcome.None;
        }
    }
}

/// <summary>What one outcome did to a <see cref="QuorumTracker"/>.</summary>
internal enum QuorumOutcome
{
    /// <summary>Nothing decisive.</summary>
    None,

    /// <summary>Enough units succeeded: the quorum is reached (reported once).</summary>
    Reached,

    /// <summary>Too many units failed: the quorum can no longer be reached (reported once).</summary>
    Lost,
}

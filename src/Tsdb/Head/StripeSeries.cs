using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// The head's series map, striped by hash (G12, Prometheus' stripeSeries): lookups by label hash and
/// by reference each take one stripe lock. Hash collisions are handled by comparing label bytes.
/// </summary>
internal sealed class StripeSeries
{
    private readonly int _mask;
    // A stripe's maps are created by its first series, under its lock: 4,096 pairs of empty dictionaries cost
    // about 650 KB, which every tenant paid up front, most of it never used by a tenant with few series.
    private readonly Dictionary<ulong, object>?[] _byHash; // Value: MemSeries, or MemSeries[] on a hash collision.
    private readonly Dictionary<ulong, MemSeries>?[] _byRef;
    private readonly int[] _locks; // SpinGate per stripe.

    internal StripeSeries(int stripes)
    {
        _mask = stripes - 1;
        _byHash = new Dictionary<ulong, object>[stripes];
        _byRef = new Dictionary<ulong, MemSeries>[stripes];
        _locks = new int[stripes];
    }

    /// <summary>Finds a series by its canonical label bytes without allocating.</summary>
    internal MemSeries? GetByLabels(ReadOnlySpan<byte> labels, ulong hash)
    {
        int i = (int)(hash & (ulong)_mask);
        SpinGate.Enter(ref _locks[i]);
        try
        {
            return Find(_byHash[i], labels, hash);
        }
        finally
        {
            SpinGate.Exit(ref _locks[i]);
        }
    }

    /// <summary>Finds a series by reference.</summary>
    internal MemSeries? GetByRef(ulong seriesRef)
    {
        int i = (int)(seriesRef & (ulong)_mask);
        SpinGate.Enter(ref _locks[i]);
        try
        {
            return _byRef[i]?.GetValueOrDefault(seriesRef);
        }
        finally
        {
            SpinGate.Exit(ref _locks[i]);
        }
    }

    /// <summary>
    /// Returns the existing series for these labels, or inserts the one <paramref name="create"/> makes.
    /// <paramref name="create"/> runs under the stripe lock and may return null to refuse (a limit).
    /// </summary>
    internal MemSeries? GetOrCreate(ReadOnlySpan<byte> labels, ulong hash, Func<MemSeries?> create, out bool created)
    {
        created = false;
        int i = (int)(hash & (ulong)_mask);
        MemSeries? s;
        SpinGate.Enter(ref _locks[i]);
        try
        {
            s = Find(_byHash[i], labels, hash);
            if (s is not null)
            {
                return s;
            }

            s = create();
            if (s is null)
            {
                return null;
            }

            var map = _byHash[i] ??= [];
            if (map.TryGetValue(hash, out var existing))
            {
                map[hash] = existing is MemSeries one ? new[] { one, s } : [.. (MemSeries[])existing, s];
            }
            else
            {
                map[hash] = s;
            }
        }
        finally
        {
            SpinGate.Exit(ref _locks[i]);
        }

        created = true;
        int r = (int)(s.Ref & (ulong)_mask);
        SpinGate.Enter(ref _locks[r]);
        try
        {
            (_byRef[r] ??= [])[s.Ref] = s;
        }
        finally
        {
            SpinGate.Exit(ref _locks[r]);
        }

        return s;
    }

    /// <summary>Removes the series with this reference from both maps; a no-op when it is not there.</summary>
    internal void Remove(ulong seriesRef)
    {
        int r = (int)(seriesRef & (ulong)_mask);
        MemSeries? s;
        SpinGate.Enter(ref _locks[r]);
        try
        {
            if (_byRef[r] is not { } refs || !refs.Remove(seriesRef, out s))
            {
                return;
            }
        }
        finally
        {
            SpinGate.Exit(ref _locks[r]);
        }

        ulong hash = s.Labels.Hash;
        int i = (int)(hash & (ulong)_mask);
        SpinGate.Enter(ref _locks[i]);
        try
        {
            var map = _byHash[i];
            if (map is null || !map.TryGetValue(hash, out var v))
            {
                return;
            }

            if (v is MemSeries one)
            {
                if (ReferenceEquals(one, s))
                {
                    map.Remove(hash);
                }

                return;
            }

            var rest = Array.FindAll((MemSeries[])v, c => !ReferenceEquals(c, s));
            map[hash] = rest.Length == 1 ? rest[0] : rest;
        }
        finally
        {
            SpinGate.Exit(ref _locks[i]);
        }
    }

    /// <summary>Snapshot of every series (for full scans such as the all-postings fallback).</summary>
    internal List<MemSeries> All()
    {
        var all = new List<MemSeries>();
        for (int i = 0; i <= _mask; i++)
        {
            SpinGate.Enter(ref _locks[i]);
            try
            {
                if (_byRef[i] is { } refs)
                {
                    all.AddRange(refs.Values);
                }
            }
            finally
            {
                SpinGate.Exit(ref _locks[i]);
            }
        }

        return all;
    }

    private static MemSeries? Find(Dictionary<ulong, object>? map, ReadOnlySpan<byte> labels, ulong hash)
    {
        if (map is null || !map.TryGetValue(hash, out var v))
        {
            return null;
        }

        if (v is MemSeries s)
        {
            return s.Labels.Bytes.SequenceEqual(labels) ? s : null;
        }

        foreach (var c in (MemSeries[])v)
        {
            if (c.Labels.Bytes.SequenceEqual(labels))
            {
                return c;
            }
        }

        return null;
    }
}

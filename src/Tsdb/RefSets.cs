namespace MetricsCluster.Tsdb;

/// <summary>
/// Merge operations on ascending, duplicate-free series-ref arrays (postings), shared by the head's and the
/// store-gateway's matcher evaluation.
/// </summary>
public static class RefSets
{
    /// <summary>Refs in both.</summary>
    public static ulong[] Intersect(ulong[] a, ulong[] b)
    {
        var r = new List<ulong>(Math.Min(a.Length, b.Length));
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                r.Add(a[i]);
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return [.. r];
    }

    /// <summary>Refs of <paramref name="a"/> not in <paramref name="b"/>.</summary>
    public static ulong[] Subtract(ulong[] a, ulong[] b)
    {
        var r = new List<ulong>(a.Length);
        int j = 0;
        foreach (ulong x in a)
        {
            while (j < b.Length && b[j] < x)
            {
                j++;
            }

            if (j >= b.Length || b[j] != x)
            {
                r.Add(x);
            }
        }

        return [.. r];
    }

    /// <summary>Refs in any of <paramref name="lists"/>, ascending and without duplicates.</summary>
    public static ulong[] UnionAll<TList>(List<TList> lists)
        where TList : IEnumerable<ulong>
    {
        if (lists.Count == 1)
        {
            return [.. lists[0]];
        }

        var all = new List<ulong>();
        foreach (var l in lists)
        {
            all.AddRange(l);
        }

        all.Sort();
        var r = new List<ulong>(all.Count);
        foreach (ulong x in all)
        {
            if (r.Count == 0 || r[^1] != x)
            {
                r.Add(x);
            }
        }

        return [.. r];
    }
}

namespace MetricsCluster.StoreGateway;

/// <summary>Set operations on ascending series-ref arrays (postings), by linear merge.</summary>
internal static class RefSets
{
    public static ulong[] Intersect(ulong[] a, ulong[] b)
    {
        var result = new List<ulong>(Math.Min(a.Length, b.Length));
        for (int i = 0, j = 0; i < a.Length && j < b.Length;)
        {
            if (a[i] == b[j])
            {
                result.Add(a[i]);
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

        return [.. result];
    }

    public static ulong[] Subtract(ulong[] a, ulong[] b)
    {
        var result = new List<ulong>(a.Length);
        int j = 0;
        foreach (ulong x in a)
        {
            while (j < b.Length && b[j] < x)
            {
                j++;
            }

            if (j >= b.Length || b[j] != x)
            {
                result.Add(x);
            }
        }

        return [.. result];
    }

    /// <summary>Union of lists; values of one label name have disjoint postings, so concatenate and sort.</summary>
    public static ulong[] Union(List<ulong[]> lists)
    {
        if (lists.Count <= 1)
        {
            return lists.Count == 0 ? [] : lists[0];
        }

        var all = new List<ulong>(lists.Sum(l => l.Length));
        lists.ForEach(all.AddRange);
        all.Sort();
        return [.. all.Distinct()];
    }
}

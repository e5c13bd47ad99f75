namespace MetricsCluster.PromQL.Engine;

/// <summary>
/// Go's <c>container/heap</c> over samples, reproduced exactly so that <c>topk</c>/<c>bottomk</c> keep the same series
/// as Prometheus when values tie.
/// </summary>
internal static class GoHeap
{
    /// <summary><c>vectorByValueHeap.Less</c>: NaN is smallest.</summary>
    public static bool TopkLess(Sample a, Sample b) => double.IsNaN(a.F) || a.F < b.F;

    /// <summary><c>vectorByReverseValueHeap.Less</c>: NaN is smallest, larger values are "less".</summary>
    public static bool BottomkLess(Sample a, Sample b) => double.IsNaN(a.F) || a.F > b.F;

    /// <summary>Adds <paramref name="s"/> while the heap holds fewer than k, else replaces the root when <paramref name="s"/> ranks above it.</summary>
    public static void Offer(List<Sample> h, Sample s, int k, Func<Sample, Sample, bool> less)
    {
        if (h.Count < k)
        {
            h.Add(s);
            Up(h, h.Count - 1, less);
            return;
        }

        var root = h[0];
        bool better = less == TopkLess
            ? root.F < s.F || (double.IsNaN(root.F) && !double.IsNaN(s.F))
            : root.F > s.F || (double.IsNaN(root.F) && !double.IsNaN(s.F));
        if (better)
        {
            h[0] = s;
            if (k > 1 && !Down(h, 0, h.Count, less))
            {
                Up(h, 0, less);
            }
        }
    }

    /// <summary><c>sort.Sort(sort.Reverse(h))</c> for small inputs: Go's insertion sort, which is stable.</summary>
    public static void InsertionSortReverse(List<Sample> h, Func<Sample, Sample, bool> less)
    {
        for (int i = 1; i < h.Count; i++)
        {
            for (int j = i; j > 0 && less(h[j - 1], h[j]); j--)
            {
                (h[j], h[j - 1]) = (h[j - 1], h[j]);
            }
        }
    }

    private static void Up(List<Sample> h, int j, Func<Sample, Sample, bool> less)
    {
        while (true)
        {
            int i = (j - 1) / 2;
            if (i == j || !less(h[j], h[i]))
            {
                break;
            }

            (h[i], h[j]) = (h[j], h[i]);
            j = i;
        }
    }

    private static bool Down(List<Sample> h, int i0, int n, Func<Sample, Sample, bool> less)
    {
        int i = i0;
        while (true)
        {
            int j1 = (2 * i) + 1;
            if (j1 >= n || j1 < 0)
            {
                break;
            }

            int j = j1;
            int j2 = j1 + 1;
            if (j2 < n && less(h[j2], h[j1]))
            {
                j = j2;
            }

            if (!less(h[j], h[i]))
            {
                break;
            }

            (h[i], h[j]) = (h[j], h[i]);
            i = j;
        }

        return i > i0;
    }
}

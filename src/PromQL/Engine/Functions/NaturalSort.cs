namespace MetricsCluster.PromQL.Engine;

/// <summary>Natural ordering of strings (digit runs compare by number), as Prometheus' <c>sort_by_label</c> uses.</summary>
internal static class NaturalSort
{
    /// <summary>Negative, zero or positive as <paramref name="a"/> sorts before, with or after <paramref name="b"/>.</summary>
    public static int Compare(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                int si = i, sj = j;
                while (i < a.Length && char.IsAsciiDigit(a[i]))
                {
                    i++;
                }

                while (j < b.Length && char.IsAsciiDigit(b[j]))
                {
                    j++;
                }

                string da = a[si..i].TrimStart('0'), db = b[sj..j].TrimStart('0');
                if (da.Length != db.Length)
                {
                    return da.Length.CompareTo(db.Length);
                }

                int c = string.CompareOrdinal(da, db);
                if (c != 0)
                {
                    return c;
                }

                continue;
            }

            if (a[i] != b[j])
            {
                return a[i].CompareTo(b[j]);
            }

            i++;
            j++;
        }

        return (a.Length - i).CompareTo(b.Length - j);
    }
}

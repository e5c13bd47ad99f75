namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>
/// A Go map with string keys. Go ranges over and prints maps in key order (<c>internal/fmtsort</c>), byte-wise for
/// strings; the order is computed once, on first use.
/// </summary>
internal sealed class GoMap
{
    private readonly Dictionary<string, GoValue> _entries;
    private string[]? _sortedKeys;

    public GoMap(Dictionary<string, GoValue> entries) => _entries = entries;

    public int Count => _entries.Count;

    /// <summary>Builds a <c>map[string]string</c> (label sets).</summary>
    public static GoValue FromLabels(IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        var d = new Dictionary<string, GoValue>(labels.Count, StringComparer.Ordinal);
        foreach (var (k, v) in labels)
        {
            d[k] = GoValue.String(v);
        }

        return GoValue.Of(GoTypes.MapStringString, new GoMap(d));
    }

    public bool TryGet(string key, out GoValue value) => _entries.TryGetValue(key, out value);

    /// <summary>Keys in Go's order.</summary>
    public IReadOnlyList<string> SortedKeys
    {
        get
        {
            if (_sortedKeys is null)
            {
                var keys = _entries.Keys.ToArray();
                Array.Sort(keys, Go.GoText.Compare);
                _sortedKeys = keys;
            }

            return _sortedKeys;
        }
    }
}


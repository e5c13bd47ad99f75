using MetricsCluster.PromQL;

namespace MetricsCluster.QueryFrontend.Sharding;

/// <summary>
/// Annotations carry the position of the node that raised them (<c>PromQL info: ... (1:10)</c>). A shard query is
/// another text (printed, with a shard matcher added), so its positions are mapped back to the user's query, where
/// the unsharded engine would have put them: otherwise the sharded answer would differ in its annotations.
/// </summary>
internal static class AnnotationPositions
{
    /// <summary>
    /// Maps <c>line:col</c> of every node of <paramref name="query"/> (the printed shard query) to that of the
    /// same node of <paramref name="original"/>, whose positions are in <paramref name="text"/>. The two trees have
    /// the same shape, except for parentheses the printer may add or drop, which are skipped.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Map(string query, Expr original, string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(Parser.ParseExpr(query), query, original, text, map);
        return map;
    }

    private static void Walk(Expr printed, string query, Expr original, string text, Dictionary<string, string> map)
    {
        while (printed is ParenExpr p && original is not ParenExpr)
        {
            printed = p.Expr;
        }

        while (original is ParenExpr o && printed is not ParenExpr)
        {
            original = o.Expr;
        }

        map.TryAdd(printed.Pos.LineColumn(query), original.Pos.LineColumn(text));
        foreach (var (a, b) in Ast.Children(printed).Zip(Ast.Children(original)))
        {
            Walk(a, query, b, text, map);
        }
    }

    /// <summary>An annotation of a downstream answer with its trailing <c>(line:col)</c> mapped through <paramref name="map"/>.</summary>
    public static string Remap(string annotation, IReadOnlyDictionary<string, string> map)
    {
        int open = annotation.LastIndexOf(" (", StringComparison.Ordinal);
        if (open < 0 || !annotation.EndsWith(')'))
        {
            return annotation;
        }

        string at = annotation[(open + 2)..^1];
        return map.TryGetValue(at, out string? mapped) ? string.Concat(annotation.AsSpan(0, open + 2), mapped, ")") : annotation;
    }
}

using System.Globalization;

namespace MetricsCluster.EndToEnd.Tests.Infra.PromQLComparison;

/// <summary>The queries of queries.txt (copied next to the test assembly), with the time placeholders filled in.</summary>
public static class ComparisonQueries
{
    /// <summary>Every query, in file order; <c>&lt;T_START&gt;</c>, <c>&lt;T_MID&gt;</c>, <c>&lt;T_END&gt;</c> become unix seconds.</summary>
    public static IReadOnlyList<string> Load(ComparisonData data)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Infra", "PromQLComparison", "queries.txt");
        return File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l
                .Replace("<T_START>", Str(data.StartSec), StringComparison.Ordinal)
                .Replace("<T_MID>", Str(data.StartSec + 1800), StringComparison.Ordinal)
                .Replace("<T_END>", Str(data.EndSec), StringComparison.Ordinal))
            .ToList();
    }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}

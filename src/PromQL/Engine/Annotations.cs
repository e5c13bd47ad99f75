namespace MetricsCluster.PromQL.Engine;

/// <summary>
/// Warnings and infos collected during evaluation (Prometheus' <c>annotations.Annotations</c>), deduplicated, each
/// rendered with the position of the expression that raised it, e.g. <c>PromQL info: ... (1:6)</c>.
/// </summary>
internal sealed class Annotations
{
    /// <summary>Prefix of warnings.</summary>
    public const string WarningPrefix = "PromQL warning: ";

    /// <summary>Prefix of infos.</summary>
    public const string InfoPrefix = "PromQL info: ";

    private readonly List<(bool Warning, string Message, PositionRange Pos)> _items = [];
    private readonly HashSet<(bool, string, PositionRange)> _seen = [];

    /// <summary>Adds a warning; <paramref name="message"/> comes without the "PromQL warning: " prefix.</summary>
    public void Warn(string message, PositionRange pos) => Add(true, message, pos);

    /// <summary>Adds an info; <paramref name="message"/> comes without the "PromQL info: " prefix.</summary>
    public void Info(string message, PositionRange pos) => Add(false, message, pos);

    /// <summary>Rendered warnings.</summary>
    public IReadOnlyList<string> Warnings(string query) => Render(query, true);

    /// <summary>Rendered infos.</summary>
    public IReadOnlyList<string> Infos(string query) => Render(query, false);

    private void Add(bool warning, string message, PositionRange pos)
    {
        if (_seen.Add((warning, message, pos)))
        {
            _items.Add((warning, message, pos));
        }
    }

    private List<string> Render(string query, bool warnings) =>
        _items.Where(i => i.Warning == warnings)
            .Select(i => (warnings ? WarningPrefix : InfoPrefix) + i.Message + " (" + i.Pos.LineColumn(query) + ")")
            .ToList();
}

namespace MetricsCluster.PromQL.Engine;

/// <summary>Warnings and infos collected during evaluation (Prometheus' <c>annotations.Annotations</c>), deduplicated.</summary>
internal sealed class Annotations
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];
    private readonly List<string> _infos = [];

    /// <summary>Warnings in the order first raised.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Infos in the order first raised.</summary>
    public IReadOnlyList<string> Infos => _infos;

    /// <summary>Adds a warning ("PromQL warning: ..." as Prometheus words them).</summary>
    public void Warn(string message)
    {
        if (_seen.Add("w" + message))
        {
            _warnings.Add(message);
        }
    }

    /// <summary>Adds an info ("PromQL info: ...").</summary>
    public void Info(string message)
    {
        if (_seen.Add("i" + message))
        {
            _infos.Add(message);
        }
    }
}

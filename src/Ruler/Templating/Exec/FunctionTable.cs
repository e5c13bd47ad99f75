using MetricsCluster.Ruler.Templating.Functions;

namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>
/// The functions a rule template sees: Prometheus' (the template's own FuncMap, looked up first) and text/template's
/// builtins.
/// </summary>
internal static class FunctionTable
{
    public static GoFunc? Find(string name) =>
        PrometheusFunctions.All.TryGetValue(name, out var f) || Builtins.All.TryGetValue(name, out f) ? f : null;

    public static bool Exists(string name) => PrometheusFunctions.All.ContainsKey(name) || Builtins.All.ContainsKey(name);
}

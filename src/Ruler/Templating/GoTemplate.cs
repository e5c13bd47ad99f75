using MetricsCluster.Ruler.Templating.Exec;
using MetricsCluster.Ruler.Templating.Parse;

namespace MetricsCluster.Ruler.Templating;

/// <summary>
/// A parsed template as Prometheus builds it (<c>text/template</c>, Prometheus' functions, <c>missingkey=zero</c>):
/// parse once, execute on any data, concurrently. Parse and execution errors carry Go's texts.
/// </summary>
internal sealed class GoTemplate
{
    private readonly Dictionary<string, Tree> _set;
    private readonly Tree _root;

    private GoTemplate(Dictionary<string, Tree> set, Tree root)
    {
        _set = set;
        _root = root;
    }

    public string Name => _root.Name;

    /// <summary>Parses <paramref name="text"/> as the template <paramref name="name"/>.</summary>
    /// <exception cref="TemplateParseException">Go's parse error.</exception>
    public static GoTemplate Parse(string name, string text)
    {
        var set = Tree.Parse(name, text, FunctionTable.Exists);
        return new GoTemplate(set, set[name]);
    }

    /// <summary>Runs the template on <paramref name="data"/>.</summary>
    /// <exception cref="TemplateExecException">Go's execution error.</exception>
    public ValueTask<string> ExecuteAsync(GoValue data, ExecContext context) =>
        new Executor(_set, _root, FunctionTable.Find, context).ExecuteAsync(data);
}

namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>The fields of a struct value, in declaration order (the type holds the names).</summary>
internal sealed class GoStruct(GoValue[] fields)
{
    public GoValue[] Fields { get; } = fields;
}

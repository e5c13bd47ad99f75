using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MetricsCluster.Ruler.RuleFiles;
using MetricsCluster.Ruler.Storage.Proto;

namespace MetricsCluster.Ruler.Storage;

/// <summary>
/// The model to and from Mimir's stored <c>RuleGroupDesc</c>, field for field as Mimir's <c>rulespb.ToProto</c> and
/// <c>FromProto</c> map them (docs/format/ruler-storage.md).
/// </summary>
internal static class RuleGroupProto
{
    /// <summary>The object's bytes for <paramref name="group"/> of <paramref name="tenant"/> in <paramref name="ns"/>.</summary>
    public static byte[] Encode(string tenant, string ns, RuleGroup group)
    {
        var desc = new RuleGroupDesc { Name = group.Name, Namespace = ns, User = tenant, Limit = group.Limit };
        if (group.Interval is { } interval)
        {
            desc.Interval = Duration.FromTimeSpan(interval);
        }

        // Mimir stores only a positive offset; zero reads back as "the ruler's default", as in Mimir.
        if (group.QueryOffset is { } offset && offset > TimeSpan.Zero)
        {
            desc.QueryOffset = Duration.FromTimeSpan(offset);
        }

        desc.SourceTenants.AddRange(group.SourceTenants);
        desc.Rules.AddRange(group.Rules.Select(ToDesc));
        return desc.ToByteArray();
    }

    /// <summary>Parses an object's bytes; throws <see cref="InvalidProtocolBufferException"/> when they are not a group.</summary>
    public static RuleGroupDesc Decode(byte[] bytes) => RuleGroupDesc.Parser.ParseFrom(bytes);

    /// <summary>The model of a stored group.</summary>
    public static RuleGroup ToModel(RuleGroupDesc desc)
    {
        var offset = Positive(desc.QueryOffset) ?? Positive(desc.EvaluationDelay);
        return new RuleGroup(desc.Name, Positive(desc.Interval), desc.Limit, offset, desc.Rules.Select(ToModel).ToArray(), desc.SourceTenants.ToArray());
    }

    private static RuleDesc ToDesc(Rule rule)
    {
        var desc = new RuleDesc { Expr = rule.Expr, Record = rule.Record ?? string.Empty, Alert = rule.Alert ?? string.Empty };
        if (rule.For != TimeSpan.Zero)
        {
            desc.For = Duration.FromTimeSpan(rule.For);
        }

        if (rule.KeepFiringFor != TimeSpan.Zero)
        {
            desc.KeepFiringFor = Duration.FromTimeSpan(rule.KeepFiringFor);
        }

        desc.Labels.AddRange(rule.Labels.Select(p => new LabelPair { Name = p.Key, Value = p.Value }));
        desc.Annotations.AddRange(rule.Annotations.Select(p => new LabelPair { Name = p.Key, Value = p.Value }));
        return desc;
    }

    private static Rule ToModel(RuleDesc desc) => new(
        desc.Record.Length > 0 ? desc.Record : null,
        desc.Alert.Length > 0 ? desc.Alert : null,
        desc.Expr,
        Positive(desc.For) ?? TimeSpan.Zero,
        Positive(desc.KeepFiringFor) ?? TimeSpan.Zero,
        Rule.Sorted(desc.Labels.Select(p => KeyValuePair.Create(p.Name, p.Value))),
        Rule.Sorted(desc.Annotations.Select(p => KeyValuePair.Create(p.Name, p.Value))));

    // Mimir's Durations are non-nullable: a zero one is written (as an empty message) and means "not set".
    private static TimeSpan? Positive(Duration? d) => d?.ToTimeSpan() is { } t && t > TimeSpan.Zero ? t : null;
}

using MetricsCluster.Core;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MetricsCluster.Ruler.RuleFiles;

/// <summary>
/// Writes rule groups back as YAML with Prometheus' field names and order (<c>rulefmt.RuleGroup</c>,
/// <c>rulefmt.Rule</c>), leaving out empty fields as their <c>omitempty</c> tags do, for the config API's GET
/// answers and for rule files. <see cref="RuleFileParser"/> reads every output back to the same model.
/// </summary>
public static class RuleFileSerializer
{
    /// <summary>One group, as Mimir's <c>GET .../rules/{namespace}/{group}</c> answers it.</summary>
    /// <param name="group">The group.</param>
    /// <returns>The YAML text.</returns>
    public static string ToYaml(RuleGroup group) => Emit(e => WriteGroup(e, group));

    /// <summary>A rule file: <c>groups: [...]</c>.</summary>
    /// <param name="groups">The groups, in file order.</param>
    /// <returns>The YAML text.</returns>
    public static string ToRuleFile(IEnumerable<RuleGroup> groups) => Emit(e =>
    {
        e.Emit(new MappingStart());
        Scalar(e, "groups");
        e.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
        foreach (var g in groups)
        {
            WriteGroup(e, g);
        }

        e.Emit(new SequenceEnd());
        e.Emit(new MappingEnd());
    });

    /// <summary>
    /// Groups by namespace, <c>{namespace: [groups]}</c>, as Mimir's <c>GET .../config/v1/rules</c> answers: namespaces
    /// and the groups of each sorted by name (ordinal); no group gives <c>{}</c>.
    /// </summary>
    /// <param name="groups">The groups with their namespaces.</param>
    /// <returns>The YAML text.</returns>
    public static string ToNamespaceYaml(IEnumerable<TenantRuleGroup> groups) => Emit(e =>
    {
        var byNamespace = groups.GroupBy(g => g.Namespace, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        e.Emit(new MappingStart(null, null, true, byNamespace.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
        foreach (var ns in byNamespace)
        {
            Scalar(e, ns.Key);
            e.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
            foreach (var g in ns.OrderBy(g => g.Group.Name, StringComparer.Ordinal))
            {
                WriteGroup(e, g.Group);
            }

            e.Emit(new SequenceEnd());
        }

        e.Emit(new MappingEnd());
    });

    private static void WriteGroup(IEmitter e, RuleGroup g)
    {
        e.Emit(new MappingStart());
        Field(e, "name", g.Name);
        Field(e, "interval", g.Interval is { } i ? PromDuration.Format(i) : null);
        Field(e, "query_offset", g.QueryOffset is { } q ? PromDuration.Format(q) : null);
        if (g.Limit != 0)
        {
            // An integer field: written plain, so that it reads back as !!int.
            Scalar(e, "limit");
            e.Emit(new Scalar(null, null, g.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture), ScalarStyle.Plain, true, false));
        }

        // Prometheus' "rules" has no omitempty: an empty group still says "rules: []".
        Scalar(e, "rules");
        e.Emit(new SequenceStart(null, null, true, g.Rules.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
        foreach (var r in g.Rules)
        {
            WriteRule(e, r);
        }

        e.Emit(new SequenceEnd());
        if (g.SourceTenants.Count > 0)
        {
            Scalar(e, "source_tenants");
            e.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
            foreach (string t in g.SourceTenants)
            {
                Scalar(e, t);
            }

            e.Emit(new SequenceEnd());
        }

        e.Emit(new MappingEnd());
    }

    private static void WriteRule(IEmitter e, Rule r)
    {
        e.Emit(new MappingStart());
        Field(e, "record", r.Record);
        Field(e, "alert", r.Alert);
        Field(e, "expr", r.Expr);
        Field(e, "for", r.For != TimeSpan.Zero ? PromDuration.Format(r.For) : null);
        Field(e, "keep_firing_for", r.KeepFiringFor != TimeSpan.Zero ? PromDuration.Format(r.KeepFiringFor) : null);
        Map(e, "labels", r.Labels);
        Map(e, "annotations", r.Annotations);
        e.Emit(new MappingEnd());
    }

    private static void Map(IEmitter e, string key, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        if (pairs.Count == 0)
        {
            return;
        }

        Scalar(e, key);
        e.Emit(new MappingStart());
        foreach (var (k, v) in pairs)
        {
            Scalar(e, k);
            Scalar(e, v);
        }

        e.Emit(new MappingEnd());
    }

    private static void Field(IEmitter e, string key, string? value)
    {
        if (value is not null)
        {
            Scalar(e, key);
            Scalar(e, value);
        }
    }

    // Multi-line texts (long expressions, annotation templates) are written as literal blocks, as yaml.v3 writes
    // them, so they stay readable; every other text gets the plainest style that reads back as the same string.
    private static void Scalar(IEmitter e, string value)
    {
        // A literal block cannot keep trailing blanks on a line, a carriage return, leading blanks on its first line
        // (they would read as indentation) or several final newlines without a keep indicator: those go quoted.
        bool literal = value.Contains('\n', StringComparison.Ordinal) && !value.Contains('\r', StringComparison.Ordinal)
            && !value.StartsWith(' ') && !value.StartsWith('\t') && !value.EndsWith("\n\n", StringComparison.Ordinal)
            && !value.Split('\n').Any(line => line.EndsWith(' ') || line.EndsWith('\t'));
        bool quote = !literal && NeedsQuotes(value);
        var style = literal ? ScalarStyle.Literal : quote ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        e.Emit(new Scalar(null, null, value, style, isPlainImplicit: !quote && !literal, isQuotedImplicit: true));
    }

    // A plain scalar that YAML would read as null, a boolean or a number must be quoted to stay a string.
    private static bool NeedsQuotes(string value) =>
        value.Length == 0 || Yaml.ScalarTags.ResolvePlainText(value) != Yaml.ScalarTags.Str;

    private static string Emit(Action<IEmitter> body)
    {
        using var w = new StringWriter();
        var e = new Emitter(w, new EmitterSettings().WithIndentedSequences());
        e.Emit(new StreamStart());
        e.Emit(new DocumentStart(null, null, isImplicit: true));
        body(e);
        e.Emit(new DocumentEnd(isImplicit: true));
        e.Emit(new StreamEnd());
        return w.ToString();
    }
}

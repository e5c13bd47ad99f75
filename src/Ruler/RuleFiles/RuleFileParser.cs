using System.Text;
using MetricsCluster.Ruler.RuleFiles.Parsing;
using MetricsCluster.Ruler.RuleFiles.Yaml;

namespace MetricsCluster.Ruler.RuleFiles;

/// <summary>What to do with a field the rule-file format does not have.</summary>
public enum UnknownFields
{
    /// <summary>An error, as Prometheus' rule loader and <c>promtool check rules</c> make it (yaml.v3 <c>KnownFields</c>).</summary>
    Reject,

    /// <summary>Ignored, as Mimir's config API ignores it (plain <c>yaml.Unmarshal</c>).</summary>
    Ignore,
}

/// <summary>
/// Parses and validates Prometheus rule files (<c>groups: [...]</c>) and single rule groups (the body of Mimir's
/// config API), with the error texts of <c>promtool check rules</c> (Prometheus v2.42). Every error of the text is
/// reported, not only the first. A text that is not YAML, or is YAML of the wrong shape, reports only that (as
/// Prometheus does: a rule cannot be checked before the text decodes).
/// </summary>
public static class RuleFileParser
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses a rule file.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="unknownFields">Whether unknown fields are errors (the default, as Prometheus).</param>
    /// <returns>The groups (when there is no error) and every error, in promtool's words.</returns>
    public static RuleFileParseResult ParseFile(string text, UnknownFields unknownFields = UnknownFields.Reject)
    {
        var decoder = new RuleYamlDecoder(unknownFields == UnknownFields.Reject);
        if (!TryTree(text, out var root, out string? syntax))
        {
            return new([], [syntax!]);
        }

        var raw = decoder.DecodeFile(root);
        if (decoder.Errors.Count > 0)
        {
            return new([], decoder.Errors);
        }

        var errors = new List<string>();
        RuleValidator.ValidateFile(raw, errors);
        return errors.Count > 0 ? new([], errors) : new(raw.Select(g => g.ToModel()).ToArray(), []);
    }

    /// <summary>Parses a rule file from UTF-8 bytes; invalid UTF-8 is an error, as in Prometheus.</summary>
    /// <param name="utf8">The file's bytes.</param>
    /// <param name="unknownFields">Whether unknown fields are errors.</param>
    /// <returns>The groups and errors.</returns>
    public static RuleFileParseResult ParseFile(ReadOnlySpan<byte> utf8, UnknownFields unknownFields = UnknownFields.Reject) =>
        TryDecode(utf8, out string text, out string? error) ? ParseFile(text, unknownFields) : new([], [error!]);

    /// <summary>
    /// Parses one rule group (a config API body): Prometheus' rule checks, plus Mimir's group checks (a name, at
    /// least one rule) that the API adds, in Mimir's words.
    /// </summary>
    /// <param name="text">The group's YAML.</param>
    /// <param name="unknownFields">Whether unknown fields are errors (the default) or ignored (Mimir's API).</param>
    /// <returns>The group (when there is no error) and every error.</returns>
    public static RuleGroupParseResult ParseGroup(string text, UnknownFields unknownFields = UnknownFields.Reject)
    {
        var decoder = new RuleYamlDecoder(unknownFields == UnknownFields.Reject);
        if (!TryTree(text, out var root, out string? syntax))
        {
            return new(null, [syntax!], Undecodable: true);
        }

        var raw = decoder.DecodeGroup(root);
        if (decoder.Errors.Count > 0)
        {
            return new(null, decoder.Errors, Undecodable: true);
        }

        // Mimir's ValidateRuleGroup stops at these two, before looking at the rules.
        if (raw.Name.Length == 0)
        {
            return new(null, ["invalid rules configuration: rule group name must not be empty"], false);
        }

        if (raw.Rules.Count == 0)
        {
            return new(null, [$"invalid rules configuration: rule group '{raw.Name}' has no rules"], false);
        }

        var errors = new List<string>();
        RuleValidator.ValidateRules(raw, errors);
        return errors.Count > 0 ? new(null, errors, false) : new(raw.ToModel(), [], false);
    }

    /// <summary>Parses one rule group from UTF-8 bytes; invalid UTF-8 makes it undecodable.</summary>
    /// <param name="utf8">The group's bytes.</param>
    /// <param name="unknownFields">Whether unknown fields are errors or ignored.</param>
    /// <returns>The group and errors.</returns>
    public static RuleGroupParseResult ParseGroup(ReadOnlySpan<byte> utf8, UnknownFields unknownFields = UnknownFields.Reject) =>
        TryDecode(utf8, out string text, out string? error) ? ParseGroup(text, unknownFields) : new(null, [error!], Undecodable: true);

    private static bool TryTree(string text, out YNode? root, out string? error)
    {
        try
        {
            root = YamlTree.Parse(text);
            error = null;
            return true;
        }
        catch (YamlSyntaxException e)
        {
            root = null;
            error = e.Message;
            return false;
        }
    }

    private static bool TryDecode(ReadOnlySpan<byte> utf8, out string text, out string? error)
    {
        // The YAML reader skips a byte-order mark, as libyaml does; the strict decoder would keep it as U+FEFF.
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        try
        {
            text = s_strictUtf8.GetString(utf8.StartsWith(bom) ? utf8[3..] : utf8);
            error = null;
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            error = "yaml: invalid UTF-8 in input";
            return false;
        }
    }
}

using System.Text;
using System.Text.RegularExpressions;
using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

/// <summary><c>label_replace</c> and <c>label_join</c>: rewrite each series' labels once (not per step), as Prometheus does.</summary>
internal static class LabelFunctions
{
    public static Matrix LabelReplace(Evaluator ev, Matrix matrix, Expr[] args)
    {
        string dst = Str(args[1]), repl = Str(args[2]), src = Str(args[3]), pattern = Str(args[4]);
        Regex regex;
        try
        {
            regex = new Regex("^(?s:" + pattern + ")$", RegexOptions.CultureInvariant);
        }
        catch (ArgumentException)
        {
            throw PromQLException.Execution($"invalid regular expression in label_replace(): {pattern}");
        }

        if (!IsValidLabelName(dst))
        {
            throw PromQLException.Execution($"invalid destination label name in label_replace(): {dst}");
        }

        foreach (var s in matrix)
        {
            var m = regex.Match(s.Metric.Get(src));
            if (!m.Success)
            {
                continue;
            }

            s.Metric = LabelOps.Set(s.Metric, dst, Expand(repl, m, regex));
            if (dst == LabelOps.MetricName)
            {
                s.DropName = false;
            }
        }

        return Checked(ev, matrix);
    }

    public static Matrix LabelJoin(Evaluator ev, Matrix matrix, Expr[] args)
    {
        string dst = Str(args[1]), sep = Str(args[2]);
        var srcs = args.Skip(3).Select(Str).ToArray();
        foreach (var src in srcs)
        {
            if (!IsValidLabelName(src))
            {
                throw PromQLException.Execution($"invalid source label name in label_join(): {src}");
            }
        }

        if (!IsValidLabelName(dst))
        {
            throw PromQLException.Execution($"invalid destination label name in label_join(): {dst}");
        }

        foreach (var s in matrix)
        {
            string joined = string.Join(sep, srcs.Select(n => s.Metric.Get(n)));
            s.Metric = LabelOps.Set(s.Metric, dst, joined);
            if (dst == LabelOps.MetricName)
            {
                s.DropName = false;
            }
        }

        return Checked(ev, matrix);
    }

    private static Matrix Checked(Evaluator ev, Matrix matrix)
    {
        if (!ev.Delayed)
        {
            var seen = new HashSet<Labels>();
            foreach (var s in matrix)
            {
                if (!seen.Add(s.Metric))
                {
                    throw PromQLException.Execution("vector cannot contain metrics with the same labelset");
                }
            }
        }

        return matrix;
    }

    private static string Str(Expr e) => e is StringLiteral s ? s.Value : throw new PromQLException(QueryErrorType.BadData, "expected a string argument");

    /// <summary>Prometheus 3 accepts any valid UTF-8 label name.</summary>
    private static bool IsValidLabelName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var rune in name.EnumerateRunes())
        {
            if (rune == Rune.ReplacementChar)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Go's <c>Regexp.Expand</c>: <c>$$</c> is a dollar; <c>$name</c> takes the longest run of letters, digits and
    /// underscores (so <c>$1x</c> names group "1x"); <c>${name}</c> is explicit; unknown groups expand to "".
    /// </summary>
    internal static string Expand(string template, Match m, Regex regex)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                sb.Append(c);
                continue;
            }

            char next = template[i + 1];
            if (next == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }

            string name;
            int end;
            if (next == '{')
            {
                int close = template.IndexOf('}', i + 2);
                if (close < 0 || close == i + 2 || !IsGroupName(template.AsSpan(i + 2, close - i - 2)))
                {
                    sb.Append(c);
                    continue;
                }

                name = template.Substring(i + 2, close - i - 2);
                end = close;
            }
            else
            {
                int j = i + 1;
                while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] == '_'))
                {
                    j++;
                }

                if (j == i + 1)
                {
                    sb.Append(c);
                    continue;
                }

                name = template.Substring(i + 1, j - i - 1);
                end = j - 1;
            }

            sb.Append(GroupValue(m, regex, name));
            i = end;
        }

        return sb.ToString();
    }

    private static bool IsGroupName(ReadOnlySpan<char> s)
    {
        foreach (char ch in s)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string GroupValue(Match m, Regex regex, string name)
    {
        if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
        {
            return n < m.Groups.Count && m.Groups[n].Success ? m.Groups[n].Value : string.Empty;
        }

        return regex.GroupNumberFromName(name) >= 0 && m.Groups[name].Success ? m.Groups[name].Value : string.Empty;
    }
}

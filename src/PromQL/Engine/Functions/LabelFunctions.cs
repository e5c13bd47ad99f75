using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Core.Re2;

namespace MetricsCluster.PromQL.Engine;

/// <summary><c>label_replace</c> and <c>label_join</c>: rewrite each series' labels once (not per step), as Prometheus does.</summary>
internal static class LabelFunctions
{
    public static Matrix LabelReplace(Evaluator ev, Matrix matrix, Expr[] args)
    {
        string dst = Str(args[1]), repl = Str(args[2]), src = Str(args[3]), pattern = Str(args[4]);
        // RE2 semantics and linear-time matching, anchored as Prometheus anchors it: "^(?s:" + pattern + ")$".
        Re2Regex regex;
        try
        {
            regex = Re2Regex.CompileAnchored(pattern, dotMatchesNewline: true);
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
            if (regex.Match(s.Metric.Get(src)) is not { } m)
            {
                continue;
            }

            s.Metric = LabelOps.Set(s.Metric, dst, regex.Expand(repl, m));
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
}

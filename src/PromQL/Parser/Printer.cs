using System.Globalization;
using System.Text;
using MetricsCluster.Core;

namespace MetricsCluster.PromQL;

/// <summary>Prints expressions in Prometheus' <c>String()</c> form; <c>Parser.ParseExpr(Print(e))</c> yields an equal AST.</summary>
public static class Printer
{
    /// <summary>Prints an expression on one line.</summary>
    public static string Print(Expr e)
    {
        var sb = new StringBuilder();
        Write(sb, e);
        return sb.ToString();
    }

    /// <summary>Parses and re-prints a query (the <c>format_query</c> API); for now the same as <see cref="Print"/>.</summary>
    public static string FormatQuery(string query) => Print(Parser.ParseExpr(query));

    private static void Write(StringBuilder sb, Expr e)
    {
        switch (e)
        {
            case NumberLiteral n:
                sb.Append(n.IsDuration ? FormatSignedDuration(TimeSpan.FromMilliseconds(Math.Round(n.Value * 1000))) : FormatFloat(n.Value));
                break;
            case StringLiteral s:
                sb.Append(Quoting.Quote(s.Value));
                break;
            case VectorSelector vs:
                WriteSelector(sb, vs);
                WriteAt(sb, vs.Timestamp, vs.StartOrEnd);
                WriteOffset(sb, vs.OriginalOffset);
                break;
            case MatrixSelector ms:
                WriteSelector(sb, ms.VectorSelector);
                sb.Append('[').Append(FormatDuration(ms.Range)).Append(']');
                WriteAt(sb, ms.VectorSelector.Timestamp, ms.VectorSelector.StartOrEnd);
                WriteOffset(sb, ms.VectorSelector.OriginalOffset);
                break;
            case SubqueryExpr sq:
                Write(sb, sq.Expr);
                sb.Append('[').Append(FormatDuration(sq.Range)).Append(':');
                if (sq.Step != TimeSpan.Zero)
                {
                    sb.Append(FormatDuration(sq.Step));
                }

                sb.Append(']');
                WriteAt(sb, sq.Timestamp, sq.StartOrEnd);
                WriteOffset(sb, sq.OriginalOffset);
                break;
            case ParenExpr p:
                sb.Append('(');
                Write(sb, p.Expr);
                sb.Append(')');
                break;
            case UnaryExpr u:
                sb.Append(u.Op == UnaryOp.Minus ? '-' : '+');
                Write(sb, u.Expr);
                break;
            case BinaryExpr b:
                WriteBinary(sb, b);
                break;
            case AggregateExpr a:
                WriteAggregate(sb, a);
                break;
            case Call c:
                sb.Append(c.Function.Name).Append('(');
                for (int i = 0; i < c.Args.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Write(sb, c.Args[i]);
                }

                sb.Append(')');
                break;
            default:
                throw new ArgumentException("unknown expression type " + e.GetType().Name, nameof(e));
        }
    }

    private static void WriteBinary(StringBuilder sb, BinaryExpr b)
    {
        // A signed literal left of ^ must keep its parentheses: "-2 ^ 2" reads back as -(2 ^ 2), another value,
        // and "+Inf ^ x" as +(Inf ^ x). Prometheus' printer drops them; we print what parses back to the same.
        if (b.Op == BinaryOp.Pow && b.Lhs is NumberLiteral { IsDuration: false } n && (n.Value < 0 || double.IsPositiveInfinity(n.Value) || (n.Value == 0 && double.IsNegative(n.Value))))
        {
            sb.Append('(');
            Write(sb, b.Lhs);
            sb.Append(')');
        }
        else
        {
            Write(sb, b.Lhs);
        }

        sb.Append(' ').Append(Operators.Name(b.Op));
        if (b.ReturnBool)
        {
            sb.Append(" bool");
        }

        var vm = b.Matching;
        bool grouped = vm is not null && vm.Card is VectorMatchCardinality.ManyToOne or VectorMatchCardinality.OneToMany;
        if (vm is not null && (vm.MatchingLabels.Count > 0 || vm.On || grouped))
        {
            sb.Append(vm.On ? " on (" : " ignoring (");
            WriteLabels(sb, vm.MatchingLabels);
            sb.Append(')');
            if (grouped)
            {
                sb.Append(vm.Card == VectorMatchCardinality.ManyToOne ? " group_left (" : " group_right (");
                WriteLabels(sb, vm.Include);
                sb.Append(')');
            }
        }

        sb.Append(' ');
        Write(sb, b.Rhs);
    }

    private static void WriteAggregate(StringBuilder sb, AggregateExpr a)
    {
        sb.Append(Operators.Name(a.Op));
        if (a.Without || a.Grouping.Count > 0)
        {
            sb.Append(a.Without ? " without (" : " by (");
            WriteLabels(sb, a.Grouping);
            sb.Append(") ");
        }

        sb.Append('(');
        if (a.Param is not null)
        {
            Write(sb, a.Param);
            sb.Append(", ");
        }

        Write(sb, a.Expr);
        sb.Append(')');
    }

    private static void WriteLabels(StringBuilder sb, IReadOnlyList<string> labels)
    {
        for (int i = 0; i < labels.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(QuoteLabelName(labels[i]));
        }
    }

    private static string QuoteLabelName(string name) => Quoting.IsLegacyLabelName(name) && Keywords.Lookup(name) != TokenKind.Number
        ? name
        : Quoting.Quote(name);

    private static void WriteSelector(StringBuilder sb, VectorSelector vs)
    {
        // A name that cannot be written bare (UTF-8 or a keyword) is printed through its __name__ matcher instead.
        bool bareName = Quoting.IsLegacyMetricName(vs.Name) && Keywords.Lookup(vs.Name) is null;
        var labels = new List<string>();
        foreach (var m in vs.Matchers)
        {
            if (bareName && m.Name == "__name__" && m.Type == MatcherType.Equal && m.Value == vs.Name)
            {
                continue;
            }

            labels.Add(FormatMatcher(m));
        }

        labels.Sort(StringComparer.Ordinal);
        if (bareName)
        {
            sb.Append(vs.Name);
        }

        if (labels.Count > 0 || !bareName)
        {
            sb.Append('{').AppendJoin(',', labels).Append('}');
        }
    }

    private static string FormatMatcher(Matcher m)
    {
        string op = m.Type switch
        {
            MatcherType.Equal => "=",
            MatcherType.NotEqual => "!=",
            MatcherType.Regex => "=~",
            _ => "!~",
        };
        string name = Quoting.IsLegacyLabelName(m.Name) ? m.Name : Quoting.Quote(m.Name);
        return name + op + Quoting.Quote(m.Value);
    }

    private static void WriteAt(StringBuilder sb, long? ts, AtModifier mod)
    {
        if (ts is { } t)
        {
            sb.Append(" @ ").Append((t / 1000.0).ToString("F3", CultureInfo.InvariantCulture));
        }
        else if (mod == AtModifier.Start)
        {
            sb.Append(" @ start()");
        }
        else if (mod == AtModifier.End)
        {
            sb.Append(" @ end()");
        }
    }

    private static void WriteOffset(StringBuilder sb, TimeSpan offset)
    {
        if (offset != TimeSpan.Zero)
        {
            sb.Append(" offset ").Append(FormatSignedDuration(offset));
        }
    }

    private static string FormatSignedDuration(TimeSpan d) => d < TimeSpan.Zero ? "-" + FormatDuration(-d) : FormatDuration(d);

    /// <summary>Formats a duration as Prometheus' <c>model.Duration.String()</c>, e.g. <c>1h30m</c>, <c>2w</c>, <c>0s</c>.</summary>
    public static string FormatDuration(TimeSpan d)
    {
        long ms = (long)d.TotalMilliseconds;
        if (ms == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        void Unit(string unit, long mult, bool exact)
        {
            if (exact && ms % mult != 0)
            {
                return;
            }

            long v = ms / mult;
            if (v > 0)
            {
                sb.Append(v.ToString(CultureInfo.InvariantCulture)).Append(unit);
                ms -= v * mult;
            }
        }

        Unit("y", 1000L * 60 * 60 * 24 * 365, true);
        Unit("w", 1000L * 60 * 60 * 24 * 7, true);
        Unit("d", 1000L * 60 * 60 * 24, false);
        Unit("h", 1000L * 60 * 60, false);
        Unit("m", 1000L * 60, false);
        Unit("s", 1000L, false);
        Unit("ms", 1, false);
        return sb.ToString();
    }

    /// <summary>Formats a float as Prometheus' printer does (Go <c>strconv.FormatFloat(v, 'f', -1, 64)</c>): <c>1000000</c>, <c>0.5</c>, <c>+Inf</c>.</summary>
    public static string FormatFloat(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }

        if (v == 0)
        {
            return double.IsNegative(v) ? "-0" : "0";
        }

        // Shortest round-trip digits from .NET's "R" form, laid out without an exponent.
        string shortest = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        int exp = DecimalExponent(shortest);
        string digits = Digits(shortest);
        var sb = new StringBuilder();
        if (v < 0)
        {
            sb.Append('-');
        }

        if (exp < 0)
        {
            sb.Append("0.").Append('0', -exp - 1).Append(digits);
        }
        else if (digits.Length <= exp + 1)
        {
            sb.Append(digits).Append('0', exp + 1 - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, exp + 1).Append('.').Append(digits, exp + 1, digits.Length - exp - 1);
        }

        return sb.ToString();
    }

    private static int DecimalExponent(string s)
    {
        int e = s.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            return int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        int point = s.IndexOf('.', StringComparison.Ordinal);
        string intPart = point >= 0 ? s[..point] : s;
        string trimmed = intPart.TrimStart('0');
        if (trimmed.Length > 0)
        {
            return trimmed.Length - 1;
        }

        string frac = s[(point + 1)..];
        return -(frac.Length - frac.TrimStart('0').Length + 1);
    }

    /// <summary>The significant digits of a round-trip string, without sign, point, exponent or leading/trailing zeros.</summary>
    private static string Digits(string s)
    {
        int e = s.IndexOfAny(['E', 'e']);
        string mant = e >= 0 ? s[..e] : s;
        string d = mant.Replace(".", string.Empty, StringComparison.Ordinal).TrimStart('0').TrimEnd('0');
        return d.Length == 0 ? "0" : d;
    }
}

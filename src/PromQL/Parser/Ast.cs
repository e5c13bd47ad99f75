using System.Collections;
using MetricsCluster.Core;

namespace MetricsCluster.PromQL;

/// <summary>An immutable list with structural equality, so AST records compare by value.</summary>
/// <typeparam name="T">Element type.</typeparam>
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items;

    /// <summary>Wraps a copy of <paramref name="items"/>.</summary>
    public ValueList(IEnumerable<T> items) => _items = items.ToArray();

    /// <summary>The empty list.</summary>
    public static ValueList<T> Empty { get; } = new([]);

    /// <inheritdoc/>
    public T this[int index] => _items[index];

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(ValueList<T>? other) =>
        other is not null && _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ValueList<T> l && Equals(l);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = default(HashCode);
        foreach (var item in _items)
        {
            h.Add(item);
        }

        return h.ToHashCode();
    }
}

/// <summary>Binary operators, including set operators.</summary>
public enum BinaryOp
{
    /// <summary><c>+</c></summary>
    Add,

    /// <summary><c>-</c></summary>
    Sub,

    /// <summary><c>*</c></summary>
    Mul,

    /// <summary><c>/</c></summary>
    Div,

    /// <summary><c>%</c></summary>
    Mod,

    /// <summary><c>^</c></summary>
    Pow,

    /// <summary><c>atan2</c></summary>
    Atan2,

    /// <summary><c>==</c></summary>
    Eql,

    /// <summary><c>!=</c></summary>
    Neq,

    /// <summary><c>&gt;</c></summary>
    Gtr,

    /// <summary><c>&lt;</c></summary>
    Lss,

    /// <summary><c>&gt;=</c></summary>
    Gte,

    /// <summary><c>&lt;=</c></summary>
    Lte,

    /// <summary><c>and</c></summary>
    And,

    /// <summary><c>or</c></summary>
    Or,

    /// <summary><c>unless</c></summary>
    Unless,
}

/// <summary>Unary operators.</summary>
public enum UnaryOp
{
    /// <summary><c>+</c></summary>
    Plus,

    /// <summary><c>-</c></summary>
    Minus,
}

/// <summary>Aggregation operators.</summary>
public enum AggregateOp
{
    /// <summary><c>sum</c></summary>
    Sum,

    /// <summary><c>avg</c></summary>
    Avg,

    /// <summary><c>count</c></summary>
    Count,

    /// <summary><c>min</c></summary>
    Min,

    /// <summary><c>max</c></summary>
    Max,

    /// <summary><c>group</c></summary>
    Group,

    /// <summary><c>stddev</c></summary>
    Stddev,

    /// <summary><c>stdvar</c></summary>
    Stdvar,

    /// <summary><c>count_values</c> (string parameter).</summary>
    CountValues,

    /// <summary><c>topk</c> (scalar parameter).</summary>
    Topk,

    /// <summary><c>bottomk</c> (scalar parameter).</summary>
    Bottomk,

    /// <summary><c>quantile</c> (scalar parameter).</summary>
    Quantile,

    /// <summary><c>limitk</c> (scalar parameter).</summary>
    Limitk,

    /// <summary><c>limit_ratio</c> (scalar parameter).</summary>
    LimitRatio,
}

/// <summary>Vector matching cardinality.</summary>
public enum VectorMatchCardinality
{
    /// <summary>One-to-one.</summary>
    OneToOne,

    /// <summary>Many-to-one (<c>group_left</c>).</summary>
    ManyToOne,

    /// <summary>One-to-many (<c>group_right</c>).</summary>
    OneToMany,

    /// <summary>Many-to-many (set operators).</summary>
    ManyToMany,
}

/// <summary>The <c>@ start()</c> / <c>@ end()</c> preprocessors.</summary>
public enum AtModifier
{
    /// <summary>No preprocessor.</summary>
    None,

    /// <summary><c>@ start()</c></summary>
    Start,

    /// <summary><c>@ end()</c></summary>
    End,
}

/// <summary>Names and properties of operators.</summary>
public static class Operators
{
    /// <summary>PromQL spelling of a binary operator.</summary>
    public static string Name(BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Sub => "-",
        BinaryOp.Mul => "*",
        BinaryOp.Div => "/",
        BinaryOp.Mod => "%",
        BinaryOp.Pow => "^",
        BinaryOp.Atan2 => "atan2",
        BinaryOp.Eql => "==",
        BinaryOp.Neq => "!=",
        BinaryOp.Gtr => ">",
        BinaryOp.Lss => "<",
        BinaryOp.Gte => ">=",
        BinaryOp.Lte => "<=",
        BinaryOp.And => "and",
        BinaryOp.Or => "or",
        _ => "unless",
    };

    /// <summary>PromQL spelling of an aggregation operator.</summary>
    public static string Name(AggregateOp op) => op switch
    {
        AggregateOp.CountValues => "count_values",
        AggregateOp.LimitRatio => "limit_ratio",
        _ => op.ToString().ToLowerInvariant(),
    };

    /// <summary>True for <c>== != &gt; &lt; &gt;= &lt;=</c>.</summary>
    public static bool IsComparison(BinaryOp op) => op is BinaryOp.Eql or BinaryOp.Neq or BinaryOp.Gtr or BinaryOp.Lss or BinaryOp.Gte or BinaryOp.Lte;

    /// <summary>True for <c>and or unless</c>.</summary>
    public static bool IsSetOperator(BinaryOp op) => op is BinaryOp.And or BinaryOp.Or or BinaryOp.Unless;

    /// <summary>True for aggregations that take a parameter before the vector.</summary>
    public static bool HasParam(AggregateOp op) => op is AggregateOp.CountValues or AggregateOp.Topk or AggregateOp.Bottomk
        or AggregateOp.Quantile or AggregateOp.Limitk or AggregateOp.LimitRatio;
}

/// <summary>Base of all PromQL expressions. Printing (<see cref="ToString"/>) gives Prometheus' <c>String()</c> form.</summary>
/// <param name="Pos">Where the expression is in the query text.</param>
public abstract record Expr(PositionRange Pos)
{
    /// <summary>The type the expression evaluates to.</summary>
    public abstract ValueType Type { get; }

    /// <summary>Prints the expression so that parsing the result yields an equal AST.</summary>
    public sealed override string ToString() => Printer.Print(this);
}

/// <summary>A float literal; <paramref name="IsDuration"/> marks literals written as durations (<c>1h</c>).</summary>
/// <param name="Pos">Position.</param>
/// <param name="Value">The value (seconds for durations).</param>
/// <param name="IsDuration">Written as a duration.</param>
public sealed record NumberLiteral(PositionRange Pos, double Value, bool IsDuration = false) : Expr(Pos)
{
    /// <inheritdoc/>
    public override ValueType Type => ValueType.Scalar;
}

/// <summary>A string literal (unquoted value).</summary>
/// <param name="Pos">Position.</param>
/// <param name="Value">The unescaped value.</param>
public sealed record StringLiteral(PositionRange Pos, string Value) : Expr(Pos)
{
    /// <inheritdoc/>
    public override ValueType Type => ValueType.String;
}

/// <summary>An instant vector selector such as <c>foo{a="b"} offset 5m @ 100</c>.</summary>
/// <param name="Pos">Position.</param>
/// <param name="Name">The metric name, or "" when only given through matchers.</param>
/// <param name="Matchers">All matchers, including the one for the metric name.</param>
/// <param name="OriginalOffset">The offset as written (zero for none).</param>
/// <param name="Timestamp">The <c>@</c> timestamp in milliseconds, if any.</param>
/// <param name="StartOrEnd">The <c>@ start()</c>/<c>@ end()</c> preprocessor.</param>
public sealed record VectorSelector(PositionRange Pos, string Name, ValueList<Matcher> Matchers, TimeSpan OriginalOffset = default,
    long? Timestamp = null, AtModifier StartOrEnd = AtModifier.None) : Expr(Pos)
{
    /// <inheritdoc/>
    public override ValueType Type => ValueType.InstantVector;

    /// <summary>Structural equality; matchers compare by kind, name and value.</summary>
    public bool Equals(VectorSelector? other) =>
        other is not null && Pos == other.Pos && Name == other.Name && OriginalOffset == other.OriginalOffset &&
        Timestamp == other.Timestamp && StartOrEnd == other.StartOrEnd && Matchers.Count == other.Matchers.Count &&
        Matchers.Zip(other.Matchers).All(p => p.First.Type == p.Second.Type && p.First.Name == p.Second.Name && p.First.Value == p.Second.Value);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Pos, Name, OriginalOffset, Timestamp, StartOrEnd, Matchers.Count);
}

/// <summary>A range vector selector <c>foo[5m]</c>; offset and <c>@</c> live on the inner selector.</summary>
/// <param name="Pos">Position.</param>
/// <param name="VectorSelector">The selector.</param>
/// <param name="Range">The range.</param>
public sealed record MatrixSelector(PositionRange Pos, VectorSelector VectorSelector, TimeSpan Range) : Expr(Pos)
{
    /// <inheritdoc/>
    public override ValueType Type => ValueType.RangeVector;
}

/// <summary>A subquery <c>expr[range:step]</c>; a zero <paramref name="Step"/> means the default step.</summary>
/// <param name="Pos">Position.</param>
/// <param name="Expr">The inner instant-vector expression.</param>
/// <param name="Range">The range.</param>
/// <param name="Step">The step, zero if omitted.</param>
/// <param name="OriginalOffset">The offset as written.</param>
/// <param name="Timestamp">The <c>@</c> timestamp in milliseconds, if any.</param>
/// <param name="StartOrEnd">The <c>@ start()</c>/<c>@ end()</c> preprocessor.</param>
public sealed record SubqueryExpr(PositionRange Pos, Expr Expr, TimeSpan Range, TimeSpan Step, TimeSpan OriginalOffset = default,
    long? Timestamp = null, AtModifier StartOrEnd = AtModifier.None) : Expr(Pos)
{
    /// <inheritdoc/>
    public override ValueType Type => ValueType.RangeVector;
}

/// <summary>A parenthesised expression.</summary>
/// <param name="Pos">Position.</param>
/// <param name="Expr">The inner expression.</param>
public sealed record ParenExpr(PositionRange Pos, Expr Expr) : Expr(Pos)
{
    /// <inheritdoc/>
    public override ValueType Type => Expr.Type;
}

/// <summary>A unary plus or minus.</summary>
/// <param name="Pos">Position.</param>
/// <param name="Op">The operator.</param>
/// <param name="Expr">The operand.</param>
public sealed record UnaryExpr(PositionRange Pos, UnaryOp Op, Expr Expr) : Expr(Pos)
{
    /// <inheritdoc/>
    public override ValueType Type => Expr.Type;
}

/// <summary>How the two sides of a vector/vector binary operation are matched.</summary>
/// <param name="Card">The cardinality.</param>
/// <param name="MatchingLabels">Labels of <c>on</c>/<c>ignoring</c>.</param>
/// <param name="On">True for <c>on</c>, false for <c>ignoring</c>.</param>
/// <param name="Include">Labels of <c>group_left</c>/<c>group_right</c>.</param>
public sealed record VectorMatching(VectorMatchCardinality Card, ValueList<string> MatchingLabels, bool On, ValueList<string> Include);

/// <summary>A binary operation.</summary>
/// <param name="Pos">Position.</param>
/// <param name="Op">The operator.</param>
/// <param name="Lhs">Left operand.</param>
/// <param name="Rhs">Right operand.</param>
/// <param name="ReturnBool">The <c>bool</c> modifier.</param>
/// <param name="Matching">Vector matching; null unless both sides are instant vectors.</param>
public sealed record BinaryExpr(PositionRange Pos, BinaryOp Op, Expr Lhs, Expr Rhs, bool ReturnBool, VectorMatching? Matching) : Expr(Pos)
{
    /// <inheritdoc/>
    public override ValueType Type =>
        Lhs.Type == ValueType.Scalar && Rhs.Type == ValueType.Scalar ? ValueType.Scalar : ValueType.InstantVector;
}

/// <summary>An aggregation such as <c>sum by (job) (x)</c> or <c>topk(5, x)</c>.</summary>
/// <param name="Pos">Position.</param>
/// <param name="Op">The aggregation.</param>
/// <param name="Expr">The aggregated vector.</param>
/// <param name="Param">The parameter of topk, quantile, count_values, ...</param>
/// <param name="Grouping">The by/without labels.</param>
/// <param name="Without">True for <c>without</c>.</param>
public sealed record AggregateExpr(PositionRange Pos, AggregateOp Op, Expr Expr, Expr? Param, ValueList<string> Grouping, bool Without) : Expr(Pos)
{
    /// <inheritdoc/>
    public override ValueType Type => ValueType.InstantVector;
}

/// <summary>A function call.</summary>
/// <param name="Pos">Position.</param>
/// <param name="Function">The signature.</param>
/// <param name="Args">The arguments.</param>
public sealed record Call(PositionRange Pos, Function Function, ValueList<Expr> Args) : Expr(Pos)
{
    /// <inheritdoc/>
    public override ValueType Type => Function.ReturnType;
}

/// <summary>Walks the AST (Prometheus' <c>Inspect</c>).</summary>
public static class Ast
{
    /// <summary>The direct children of <paramref name="e"/>, in source order.</summary>
    public static IEnumerable<Expr> Children(Expr e)
    {
        switch (e)
        {
            case MatrixSelector m: yield return m.VectorSelector; break;
            case SubqueryExpr s: yield return s.Expr; break;
            case ParenExpr p: yield return p.Expr; break;
            case UnaryExpr u: yield return u.Expr; break;
            case BinaryExpr b:
                yield return b.Lhs;
                yield return b.Rhs;
                break;
            case AggregateExpr a:
                if (a.Param is not null)
                {
                    yield return a.Param;
                }

                yield return a.Expr;
                break;
            case Call c:
                foreach (var arg in c.Args)
                {
                    yield return arg;
                }

                break;
            default:
                break;
        }
    }

    /// <summary>Visits nodes depth-first, pre-order; children are skipped when <paramref name="visit"/> returns false.</summary>
    public static void Inspect(Expr e, Func<Expr, bool> visit)
    {
        if (!visit(e))
        {
            return;
        }

        foreach (var child in Children(e))
        {
            Inspect(child, visit);
        }
    }
}

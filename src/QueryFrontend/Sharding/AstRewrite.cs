using MetricsCluster.Core;
using MetricsCluster.PromQL;

namespace MetricsCluster.QueryFrontend.Sharding;

/// <summary>Small AST helpers of the sharding mapper: rebuilding a node from mapped children, and what a subtree holds.</summary>
internal static class AstRewrite
{
    /// <summary>A copy of <paramref name="e"/> whose direct children are <paramref name="map"/> of the originals (positions kept).</summary>
    public static Expr MapChildren(Expr e, Func<Expr, Expr> map) => e switch
    {
        MatrixSelector m => m with { VectorSelector = (VectorSelector)map(m.VectorSelector) },
        SubqueryExpr s => s with { Expr = map(s.Expr) },
        ParenExpr p => p with { Expr = map(p.Expr) },
        UnaryExpr u => u with { Expr = map(u.Expr) },
        BinaryExpr b => b with { Lhs = map(b.Lhs), Rhs = map(b.Rhs) },
        AggregateExpr a => a with { Expr = map(a.Expr), Param = a.Param is null ? null : map(a.Param) },
        Call c => c with { Args = new ValueList<Expr>(c.Args.Select(map)) },
        _ => e,
    };

    /// <summary><paramref name="e"/> with <paramref name="extra"/> added to every selector's matchers.</summary>
    public static Expr AddMatcher(Expr e, Matcher extra) => e is VectorSelector v
        ? v with { Matchers = new ValueList<Matcher>([.. v.Matchers, extra]) }
        : MapChildren(e, c => AddMatcher(c, extra));

    /// <summary>Whether any node of <paramref name="e"/> satisfies <paramref name="test"/>.</summary>
    public static bool Any(Expr e, Func<Expr, bool> test)
    {
        bool found = false;
        Ast.Inspect(e, n =>
        {
            found |= test(n);
            return !found;
        });
        return found;
    }

    /// <summary>Whether <paramref name="e"/> reads storage (has a selector).</summary>
    public static bool HasSelector(Expr e) => Any(e, n => n is VectorSelector);
}

namespace MetricsCluster.PromQL;

/// <summary>Type checking after parsing, as Prometheus' <c>checkAST</c>; throws on the first error.</summary>
internal sealed class Checker(string input)
{
    private const int MaxDepth = 2048;

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(PositionRange pos, string message) => throw new PromQLParseException(pos, message, input);

    private void ExpectType(Expr e, ValueType want, string context, int depth)
    {
        var t = Check(e, depth + 1);
        if (t != want)
        {
            Fail(e.Pos, $"expected type {ValueTypes.Documented(want)} in {context}, got {ValueTypes.Documented(t)}");
        }
    }

    public ValueType Check(Expr e, int depth)
    {
        if (depth > MaxDepth)
        {
            Fail(e.Pos, "expression nesting too deep");
        }

        switch (e)
        {
            case AggregateExpr a:
                ExpectType(a.Expr, ValueType.InstantVector, "aggregation expression", depth);
                if (a.Param is not null)
                {
                    ExpectType(a.Param, a.Op == AggregateOp.CountValues ? ValueType.String : ValueType.Scalar, "aggregation parameter", depth);
                }

                break;
            case BinaryExpr b:
                CheckBinary(b, depth);
                break;
            case Call c:
                CheckCall(c, depth);
                break;
            case ParenExpr p:
                Check(p.Expr, depth + 1);
                break;
            case UnaryExpr u:
                {
                    var t = Check(u.Expr, depth + 1);
                    if (t is not ValueType.Scalar and not ValueType.InstantVector)
                    {
                        Fail(u.Pos, $"unary expression only allowed on expressions of type scalar or instant vector, got {Quoting.Quote(ValueTypes.Documented(t))}");
                    }

                    break;
                }

            case SubqueryExpr s:
                {
                    var t = Check(s.Expr, depth + 1);
                    if (t != ValueType.InstantVector)
                    {
                        Fail(s.Pos, $"subquery is only allowed on instant vector, got {ValueTypes.Name(t)} instead");
                    }

                    break;
                }

            default:
                break;
        }

        return e.Type;
    }

    private void CheckCall(Call c, int depth)
    {
        var fn = c.Function;
        int nargs = fn.ArgTypes.Count;
        if (fn.Variadic == 0)
        {
            if (nargs != c.Args.Count)
            {
                Fail(c.Pos, $"expected {nargs} argument(s) in call to {Quoting.Quote(fn.Name)}, got {c.Args.Count}");
            }
        }
        else
        {
            int min = nargs - 1;
            if (min > c.Args.Count)
            {
                Fail(c.Pos, $"expected at least {min} argument(s) in call to {Quoting.Quote(fn.Name)}, got {c.Args.Count}");
            }

            int max = min + fn.Variadic;
            if (fn.Variadic > 0 && max < c.Args.Count)
            {
                Fail(c.Pos, $"expected at most {max} argument(s) in call to {Quoting.Quote(fn.Name)}, got {c.Args.Count}");
            }
        }

        for (int i = 0; i < c.Args.Count; i++)
        {
            var want = fn.ArgTypes[Math.Min(i, nargs - 1)];
            ExpectType(c.Args[i], want, $"call to function {Quoting.Quote(fn.Name)}", depth);
        }
    }

    private void CheckBinary(BinaryExpr b, int depth)
    {
        var lt = Check(b.Lhs, depth + 1);
        var rt = Check(b.Rhs, depth + 1);
        var opRange = OpRange(b);
        if (b.ReturnBool && !Operators.IsComparison(b.Op))
        {
            Fail(opRange, "bool modifier can only be used on comparison operators");
        }

        if (Operators.IsComparison(b.Op) && !b.ReturnBool && lt == ValueType.Scalar && rt == ValueType.Scalar)
        {
            Fail(opRange, "comparisons between scalars must use BOOL modifier");
        }

        var vm = b.Matching;
        if (vm is not null && vm.On)
        {
            foreach (var l in vm.MatchingLabels)
            {
                if (vm.Include.Contains(l))
                {
                    Fail(opRange, $"label {Quoting.Quote(l)} must not occur in ON and GROUP clause at once");
                }
            }
        }

        if (lt is not ValueType.Scalar and not ValueType.InstantVector)
        {
            Fail(b.Lhs.Pos, "binary expression must contain only scalar and instant vector types");
        }

        if (rt is not ValueType.Scalar and not ValueType.InstantVector)
        {
            Fail(b.Rhs.Pos, "binary expression must contain only scalar and instant vector types");
        }

        if (lt != ValueType.InstantVector || rt != ValueType.InstantVector)
        {
            if (vm is not null && vm.MatchingLabels.Count > 0)
            {
                Fail(b.Pos, "vector matching only allowed between instant vectors");
            }
        }
        else if (Operators.IsSetOperator(b.Op) && vm is not null &&
            vm.Card is VectorMatchCardinality.OneToMany or VectorMatchCardinality.ManyToOne)
        {
            Fail(b.Pos, $"no grouping allowed for {Quoting.Quote(Operators.Name(b.Op))} operation");
        }

        if ((lt == ValueType.Scalar || rt == ValueType.Scalar) && Operators.IsSetOperator(b.Op))
        {
            Fail(b.Pos, $"set operator {Quoting.Quote(Operators.Name(b.Op))} not allowed in binary scalar expression");
        }
    }

    /// <summary>The operator's position: between the operands, trimmed of whitespace.</summary>
    private PositionRange OpRange(BinaryExpr b)
    {
        int start = b.Lhs.Pos.End;
        int end = b.Rhs.Pos.Start;
        while (start < end && char.IsWhiteSpace(input[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(input[end - 1]))
        {
            end--;
        }

        return new PositionRange(start, end);
    }
}

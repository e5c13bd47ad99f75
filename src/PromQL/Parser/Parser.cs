using System.Globalization;
using MetricsCluster.Core;

namespace MetricsCluster.PromQL;

/// <summary>
/// Recursive-descent PromQL parser, one method per production. Use <see cref="ParseExpr"/>; every failure is a
/// <see cref="PromQLParseException"/> with Prometheus' message text.
/// </summary>
public sealed partial class Parser
{
    // Deep nesting would overflow the stack; Prometheus has no such limit, but a query this deep is not real.
    private const int MaxDepth = 256;

    private readonly string _input;
    private readonly List<Token> _tokens = [];
    private readonly string? _lexError;
    private int _i;
    private int _depth;

    private Parser(string input)
    {
        _input = input;
        var lexer = new Lexer(input);
        while (true)
        {
            var t = lexer.Next();
            _tokens.Add(t);
            if (t.Kind == TokenKind.Error)
            {
                _lexError = lexer.ErrorMessage;
                break;
            }

            if (t.Kind == TokenKind.Eof)
            {
                break;
            }
        }
    }

    /// <summary>Parses and type-checks a PromQL expression.</summary>
    /// <exception cref="PromQLParseException">On any syntax or type error.</exception>
    public static Expr ParseExpr(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var p = new Parser(input);
        if (p.Current.Kind == TokenKind.Eof)
        {
            throw new PromQLParseException(new PositionRange(0, 0), "no expression found in input", input);
        }

        var e = p.ParseBinary(1);
        if (p.Current.Kind != TokenKind.Eof)
        {
            p.Unexpected(null, null);
        }

        new Checker(input).Check(e, 0);
        return e;
    }

    /// <summary>
    /// Parses a series selector alone, as Prometheus' <c>ParseMetricSelector</c> (the <c>match[]</c> parameters): its
    /// grammar starts at <c>vector_selector</c>, so anything after the selector is reported as the unexpected token
    /// it is (<c>up(</c>: <c>1:3: parse error: unexpected "("</c>), before any lexer error further on. As Prometheus',
    /// it accepts selectors whose matchers all match the empty string (<c>{}</c>, <c>{job=""}</c>): the callers decide.
    /// </summary>
    /// <exception cref="PromQLParseException">On a syntax error, or a selector the checker refuses.</exception>
    public static VectorSelector ParseMetricSelector(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var p = new Parser(input);
        var t = p.Current;
        VectorSelector? selector = t.Kind switch
        {
            TokenKind.LeftBrace => p.ParseVectorSelector(null, requireNonEmpty: false),
            TokenKind.Identifier or TokenKind.MetricIdentifier or TokenKind.Aggregator or TokenKind.By or TokenKind.Without
                or TokenKind.Offset or TokenKind.And or TokenKind.Or or TokenKind.Unless or TokenKind.Start or TokenKind.End
                => p.ParseVectorSelector(p.Advance(), requireNonEmpty: false),
            _ => null,
        };
        if (selector is null || p.Current.Kind != TokenKind.Eof)
        {
            p.Unexpected(null, null);
        }

        new Checker(input).Check(selector!, 0);
        return selector!;
    }

    private Token Current => _tokens[_i];

    private Token PeekAt(int n) => _tokens[Math.Min(_i + n, _tokens.Count - 1)];

    private Token Advance()
    {
        var t = Current;
        if (t.Kind == TokenKind.Error)
        {
            Fail(t.Pos, _lexError!);
        }

        if (_i < _tokens.Count - 1)
        {
            _i++;
        }

        return t;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(PositionRange pos, string message) => throw new PromQLParseException(pos, message, _input);

    private string Text(Token t) => t.Text(_input);

    /// <summary>Describes a token as Prometheus' <c>Item.desc()</c> does.</summary>
    private string Describe(Token t)
    {
        string text = Text(t);
        return t.Kind switch
        {
            TokenKind.Eof => "end of input",
            TokenKind.Identifier => "identifier " + Quoting.Quote(text),
            TokenKind.MetricIdentifier => "metric identifier " + Quoting.Quote(text),
            TokenKind.Number => "number " + Quoting.Quote(text),
            TokenKind.Duration => "duration " + Quoting.Quote(text),
            TokenKind.String => "string " + Quoting.Quote(text),
            TokenKind.Aggregator => "<aggr:" + text + ">",
            _ when t.IsOperator => "<op:" + text + ">",
            _ when t.IsKeyword => "<" + text + ">",
            _ => Quoting.Quote(text),
        };
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Unexpected(string? context, string? expected)
    {
        var t = Current;
        if (t.Kind == TokenKind.Error)
        {
            Fail(t.Pos, _lexError!);
        }

        string msg = "unexpected " + Describe(t);
        if (context is not null)
        {
            msg += " in " + context;
        }

        if (expected is not null)
        {
            msg += ", expected " + expected;
        }

        Fail(t.Pos, msg);
        throw new InvalidOperationException();
    }

    private Token Expect(TokenKind kind, string context, string expected)
    {
        if (Current.Kind != kind)
        {
            Unexpected(context, expected);
        }

        return Advance();
    }

    private static int Precedence(TokenKind k) => k switch
    {
        TokenKind.Or => 1,
        TokenKind.And or TokenKind.Unless => 2,
        TokenKind.EqlC or TokenKind.Neq or TokenKind.Lss or TokenKind.Lte or TokenKind.Gtr or TokenKind.Gte => 3,
        TokenKind.Add or TokenKind.Sub => 4,
        TokenKind.Mul or TokenKind.Div or TokenKind.Mod or TokenKind.Atan2 => 5,
        TokenKind.Pow => 6,
        _ => 0,
    };

    private static BinaryOp ToBinaryOp(TokenKind k) => k switch
    {
        TokenKind.Or => BinaryOp.Or,
        TokenKind.And => BinaryOp.And,
        TokenKind.Unless => BinaryOp.Unless,
        TokenKind.EqlC => BinaryOp.Eql,
        TokenKind.Neq => BinaryOp.Neq,
        TokenKind.Lss => BinaryOp.Lss,
        TokenKind.Lte => BinaryOp.Lte,
        TokenKind.Gtr => BinaryOp.Gtr,
        TokenKind.Gte => BinaryOp.Gte,
        TokenKind.Add => BinaryOp.Add,
        TokenKind.Sub => BinaryOp.Sub,
        TokenKind.Mul => BinaryOp.Mul,
        TokenKind.Div => BinaryOp.Div,
        TokenKind.Mod => BinaryOp.Mod,
        TokenKind.Atan2 => BinaryOp.Atan2,
        _ => BinaryOp.Pow,
    };

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            Fail(Current.Pos, "expression nesting too deep");
        }
    }

    /// <summary>binary_expr: expr op bin_modifier expr, by precedence climbing; <c>^</c> is right-associative.</summary>
    private Expr ParseBinary(int minPrec)
    {
        Enter();
        var lhs = ParseUnary();
        while (true)
        {
            int prec = Precedence(Current.Kind);
            if (prec == 0 || prec < minPrec)
            {
                break;
            }

            var opTok = Advance();
            var op = ToBinaryOp(opTok.Kind);
            var (returnBool, matching) = ParseBinModifiers(op);
            var rhs = ParseBinary(op == BinaryOp.Pow ? prec : prec + 1);
            // As Prometheus, matching only exists between two instant vectors; labels elsewhere are a type error.
            VectorMatching? vm = matching;
            if ((lhs.Type != ValueType.InstantVector || rhs.Type != ValueType.InstantVector) && matching.MatchingLabels.Count == 0)
            {
                vm = null;
            }

            lhs = new BinaryExpr(new PositionRange(lhs.Pos.Start, rhs.Pos.End), op, lhs, rhs, returnBool, vm);
        }

        _depth--;
        return lhs;
    }

    /// <summary>bin_modifier: [bool] [(on|ignoring) labels [(group_left|group_right) [labels]]].</summary>
    private (bool ReturnBool, VectorMatching Matching) ParseBinModifiers(BinaryOp op)
    {
        bool returnBool = false;
        if (Current.Kind == TokenKind.Bool)
        {
            Advance();
            returnBool = true;
        }

        var card = Operators.IsSetOperator(op) ? VectorMatchCardinality.ManyToMany : VectorMatchCardinality.OneToOne;
        var matchingLabels = ValueList<string>.Empty;
        var include = ValueList<string>.Empty;
        bool on = false;
        if (Current.Kind is TokenKind.On or TokenKind.Ignoring)
        {
            on = Advance().Kind == TokenKind.On;
            matchingLabels = ParseGroupingLabels();
            if (Current.Kind is TokenKind.GroupLeft or TokenKind.GroupRight)
            {
                card = Advance().Kind == TokenKind.GroupLeft ? VectorMatchCardinality.ManyToOne : VectorMatchCardinality.OneToMany;
                if (Current.Kind == TokenKind.LeftParen)
                {
                    include = ParseGroupingLabels();
                }
            }
        }

        return (returnBool, new VectorMatching(card, matchingLabels, on, include));
    }

    /// <summary>grouping_labels: "(" [label {"," label} [","]] ")".</summary>
    private ValueList<string> ParseGroupingLabels()
    {
        Expect(TokenKind.LeftParen, "grouping opts", "\"(\"");
        var labels = new List<string>();
        while (Current.Kind != TokenKind.RightParen)
        {
            var t = Current;
            if (t.Kind is TokenKind.Identifier or TokenKind.MetricIdentifier || t.IsKeyword)
            {
                labels.Add(Text(Advance()));
            }
            else if (t.Kind == TokenKind.String)
            {
                string label = Unquote(Advance());
                if (label.Length == 0)
                {
                    Fail(t.Pos, "invalid label name for grouping: " + Quoting.Quote(label));
                }

                labels.Add(label);
            }
            else
            {
                Unexpected("grouping opts", "label");
            }

            if (Current.Kind == TokenKind.Comma)
            {
                Advance();
            }
            else if (Current.Kind != TokenKind.RightParen)
            {
                Unexpected("grouping opts", "\",\" or \")\"");
            }
        }

        Advance();
        return new ValueList<string>(labels);
    }

    /// <summary>unary_expr: ("+"|"-") expr, binding looser than <c>^</c> but tighter than <c>*</c>.</summary>
    private Expr ParseUnary()
    {
        if (Current.Kind is TokenKind.Add or TokenKind.Sub)
        {
            var opTok = Advance();
            var operand = ParseBinary(6);
            var pos = new PositionRange(opTok.Pos.Start, operand.Pos.End);
            if (operand is NumberLiteral n)
            {
                // Prometheus folds the sign into number literals.
                return n with { Pos = pos, Value = opTok.Kind == TokenKind.Sub ? -n.Value : n.Value };
            }

            return new UnaryExpr(pos, opTok.Kind == TokenKind.Sub ? UnaryOp.Minus : UnaryOp.Plus, operand);
        }

        return ParsePostfix(ParsePrimary());
    }

    /// <summary>Postfix modifiers: range <c>[d]</c>, subquery <c>[d:s]</c>, <c>offset d</c>, <c>@ t</c>.</summary>
    private Expr ParsePostfix(Expr e)
    {
        while (true)
        {
            switch (Current.Kind)
            {
                case TokenKind.LeftBracket:
                    e = ParseRangeOrSubquery(e);
                    break;
                case TokenKind.Offset:
                    e = ParseOffset(e);
                    break;
                case TokenKind.At:
                    e = ParseAt(e);
                    break;
                default:
                    return e;
            }
        }
    }

    /// <summary>primary: number | string | paren_expr | vector_selector | function_call | aggregate_expr.</summary>
    private Expr ParsePrimary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Number:
                Advance();
                return new NumberLiteral(t.Pos, ParseNumber(t));
            case TokenKind.Duration:
                Advance();
                return new NumberLiteral(t.Pos, ParseDuration(t).TotalSeconds, true);
            case TokenKind.String:
                Advance();
                return new StringLiteral(t.Pos, Unquote(t));
            case TokenKind.LeftParen:
                return ParseParen();
            case TokenKind.LeftBrace:
                return ParseVectorSelector(null);
            case TokenKind.Identifier:
                return PeekAt(1).Kind == TokenKind.LeftParen ? ParseCall() : ParseVectorSelector(Advance());
            case TokenKind.MetricIdentifier:
                return ParseVectorSelector(Advance());
            case TokenKind.Aggregator when PeekAt(1).Kind != TokenKind.LeftBrace:
                return ParseAggregate();
            case TokenKind.Aggregator:
                return ParseVectorSelector(Advance());
            case TokenKind.By or TokenKind.Without or TokenKind.Offset or TokenKind.And or TokenKind.Or or TokenKind.Unless
                or TokenKind.Start or TokenKind.End:
                // Prometheus' metric_identifier admits these keywords as metric names.
                return ParseVectorSelector(Advance());
            default:

                Unexpected(null, null);
                return null!;
        }
    }

    /// <summary>paren_expr: "(" expr ")".</summary>
    private ParenExpr ParseParen()
    {
        var open = Advance();
        var inner = ParseBinary(1);
        var close = Expect(TokenKind.RightParen, "paren expression", "\")\"");
        return new ParenExpr(new PositionRange(open.Pos.Start, close.Pos.End), inner);
    }

    /// <summary>function_call: IDENTIFIER "(" [expr {"," expr} [","]] ")".</summary>
    private Call ParseCall()
    {
        var nameTok = Advance();
        string name = Text(nameTok);
        bool known = Functions.TryGet(name, out var fn);

        // Prometheus' grammar checks the name when it reduces the whole call, so an error inside the arguments (an
        // unclosed parenthesis, an unexpected token) is the one reported for `non_existent(foo`.
        var (args, close) = ParseArgs("function call");
        if (!known)
        {
            Fail(nameTok.Pos, "unknown function with name " + Quoting.Quote(name));
        }

        return new Call(new PositionRange(nameTok.Pos.Start, close.Pos.End), fn, args);
    }

    private (ValueList<Expr> Args, Token Close) ParseArgs(string context)
    {
        Expect(TokenKind.LeftParen, context, "\"(\"");
        var args = new List<Expr>();
        while (Current.Kind != TokenKind.RightParen)
        {
            args.Add(ParseBinary(1));
            if (Current.Kind == TokenKind.Comma)
            {
                var comma = Advance();
                if (Current.Kind == TokenKind.RightParen)
                {
                    Fail(comma.Pos, "trailing commas not allowed in function call args");
                }
            }
            else if (Current.Kind != TokenKind.RightParen)
            {
                Unexpected(context, "\",\" or \")\"");
            }
        }

        return (new ValueList<Expr>(args), Advance());
    }

    /// <summary>aggregate_expr: op [modifier] "(" args ")" [modifier].</summary>
    private AggregateExpr ParseAggregate()
    {
        var opTok = Advance();
        var op = ParseAggregateOp(Text(opTok));
        ValueList<string>? grouping = null;
        bool without = false;
        int end;
        if (Current.Kind is TokenKind.By or TokenKind.Without)
        {
            without = Advance().Kind == TokenKind.Without;
            grouping = ParseGroupingLabels();
        }

        if (Current.Kind != TokenKind.LeftParen)
        {
            Unexpected("aggregation", null);
        }

        var (args, close) = ParseArgs("aggregation");
        end = close.Pos.End;
        if (grouping is null && Current.Kind is TokenKind.By or TokenKind.Without)
        {
            without = Advance().Kind == TokenKind.Without;
            grouping = ParseGroupingLabels();
            end = _tokens[_i - 1].Pos.End;
        }

        var pos = new PositionRange(opTok.Pos.Start, end);
        if (args.Count == 0)
        {
            Fail(pos, "no arguments for aggregate expression provided");
        }

        int desired = Operators.HasParam(op) ? 2 : 1;
        if (args.Count != desired)
        {
            Fail(pos, $"wrong number of arguments for aggregate expression provided, expected {desired}, got {args.Count}");
        }

        return new AggregateExpr(pos, op, args[desired - 1], desired == 2 ? args[0] : null, grouping ?? ValueList<string>.Empty, without);
    }

    private static AggregateOp ParseAggregateOp(string text) => text.ToLowerInvariant() switch
    {
        "sum" => AggregateOp.Sum,
        "avg" => AggregateOp.Avg,
        "count" => AggregateOp.Count,
        "min" => AggregateOp.Min,
        "max" => AggregateOp.Max,
        "group" => AggregateOp.Group,
        "stddev" => AggregateOp.Stddev,
        "stdvar" => AggregateOp.Stdvar,
        "topk" => AggregateOp.Topk,
        "bottomk" => AggregateOp.Bottomk,
        "count_values" => AggregateOp.CountValues,
        "quantile" => AggregateOp.Quantile,
        "limitk" => AggregateOp.Limitk,
        _ => AggregateOp.LimitRatio,
    };

    private double ParseNumber(Token t)
    {
        string s = Text(t).Replace("_", string.Empty, StringComparison.Ordinal);
        if (s.Equals("inf", StringComparison.OrdinalIgnoreCase))
        {
            return double.PositiveInfinity;
        }

        if (s.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        if (s.Length > 2 && s[0] == '0' && s[1] is 'x' or 'X')
        {
            // Go's ParseFloat accepts hex integers of any size; very long ones saturate to +Inf.
            double v = 0;
            foreach (char c in s.AsSpan(2))
            {
                v = (v * 16) + Convert.ToInt32(c.ToString(), 16);
            }

            return v;
        }

        return double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private string Unquote(Token t)
    {
        string? s = Quoting.TryUnquote(Text(t), out string? error);
        if (s is null)
        {
            Fail(t.Pos, error!);
        }

        return s;
    }
}

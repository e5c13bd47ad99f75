namespace MetricsCluster.PromQL;

/// <summary>Token kinds produced by <see cref="Lexer"/>.</summary>
public enum TokenKind
{
    /// <summary>End of input.</summary>
    Eof,

    /// <summary>A lexing error; <see cref="Lexer.ErrorMessage"/> holds the text.</summary>
    Error,

    /// <summary>Identifier without a colon.</summary>
    Identifier,

    /// <summary>Identifier containing a colon (recording-rule name).</summary>
    MetricIdentifier,

    /// <summary>Number (decimal, hex, Inf, NaN).</summary>
    Number,

    /// <summary>Duration such as <c>1h30m</c>.</summary>
    Duration,

    /// <summary>Quoted string including its quotes.</summary>
    String,

    /// <summary><c>(</c></summary>
    LeftParen,

    /// <summary><c>)</c></summary>
    RightParen,

    /// <summary><c>{</c></summary>
    LeftBrace,

    /// <summary><c>}</c></summary>
    RightBrace,

    /// <summary><c>[</c></summary>
    LeftBracket,

    /// <summary><c>]</c></summary>
    RightBracket,

    /// <summary><c>,</c></summary>
    Comma,

    /// <summary><c>:</c> inside brackets.</summary>
    Colon,

    /// <summary><c>@</c></summary>
    At,

    /// <summary><c>=</c></summary>
    Eql,

    /// <summary><c>=~</c></summary>
    EqlRegex,

    /// <summary><c>!~</c></summary>
    NeqRegex,

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

    /// <summary><c>==</c></summary>
    EqlC,

    /// <summary><c>!=</c></summary>
    Neq,

    /// <summary><c>&lt;</c></summary>
    Lss,

    /// <summary><c>&lt;=</c></summary>
    Lte,

    /// <summary><c>&gt;</c></summary>
    Gtr,

    /// <summary><c>&gt;=</c></summary>
    Gte,

    /// <summary><c>and</c></summary>
    And,

    /// <summary><c>or</c></summary>
    Or,

    /// <summary><c>unless</c></summary>
    Unless,

    /// <summary><c>atan2</c></summary>
    Atan2,

    /// <summary>Any aggregation operator keyword (sum, topk, ...).</summary>
    Aggregator,

    /// <summary><c>offset</c></summary>
    Offset,

    /// <summary><c>by</c></summary>
    By,

    /// <summary><c>without</c></summary>
    Without,

    /// <summary><c>on</c></summary>
    On,

    /// <summary><c>ignoring</c></summary>
    Ignoring,

    /// <summary><c>group_left</c></summary>
    GroupLeft,

    /// <summary><c>group_right</c></summary>
    GroupRight,

    /// <summary><c>bool</c></summary>
    Bool,

    /// <summary><c>start</c> (for <c>@ start()</c>).</summary>
    Start,

    /// <summary><c>end</c> (for <c>@ end()</c>).</summary>
    End,
}

/// <summary>A token: its kind and where it is in the input; the text is <c>input[Pos.Start..Pos.End]</c>.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Pos">The position range.</param>
public readonly record struct Token(TokenKind Kind, PositionRange Pos)
{
    /// <summary>The token's text within <paramref name="input"/>.</summary>
    public string Text(string input) => input[Pos.Start..Pos.End];

    /// <summary>True for keywords that may double as label or metric names.</summary>
    public bool IsKeyword => Kind is TokenKind.And or TokenKind.Or or TokenKind.Unless or TokenKind.Atan2 or TokenKind.Aggregator
        or TokenKind.Offset or TokenKind.By or TokenKind.Without or TokenKind.On or TokenKind.Ignoring
        or TokenKind.GroupLeft or TokenKind.GroupRight or TokenKind.Bool or TokenKind.Start or TokenKind.End;

    /// <summary>True for operator tokens (printed as <c>&lt;op:+&gt;</c> in errors).</summary>
    public bool IsOperator => Kind is TokenKind.Add or TokenKind.Sub or TokenKind.Mul or TokenKind.Div or TokenKind.Mod
        or TokenKind.Pow or TokenKind.EqlC or TokenKind.Neq or TokenKind.Lss or TokenKind.Lte or TokenKind.Gtr or TokenKind.Gte
        or TokenKind.Eql or TokenKind.EqlRegex or TokenKind.NeqRegex or TokenKind.And or TokenKind.Or or TokenKind.Unless
        or TokenKind.Atan2 or TokenKind.At;
}

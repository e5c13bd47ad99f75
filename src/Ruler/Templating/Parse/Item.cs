using MetricsCluster.Ruler.Templating.Go;

namespace MetricsCluster.Ruler.Templating.Parse;

/// <summary>Lexical item types, in Go's order (text/template/parse/lex.go); keywords come after <see cref="Keyword"/>.</summary>
internal enum ItemType
{
    Error,
    Bool,
    Char,
    CharConstant,
    Comment,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    Keyword,
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

/// <summary>
/// A token: its type, start (a char index into the template text), text and line. The default item is what Go's
/// parser reads from the lexer's closed channel after an error: an error item with no text on line 0.
/// </summary>
internal readonly record struct Item(ItemType Type, int Pos, string Val, int Line)
{
    /// <summary>Go's <c>item.String()</c>, as parse errors quote tokens (<c>unexpected "}" in operand</c>).</summary>
    public override string ToString() => Type switch
    {
        ItemType.Eof => "EOF",
        ItemType.Error => Val,
        > ItemType.Keyword => "<" + Val + ">",
        _ when GoText.ByteLength(Val) > 10 => GoFmt.Sprintf("%.10q...", Val),
        _ => GoText.Quote(Val),
    };
}

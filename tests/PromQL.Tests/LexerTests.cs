using Xunit;

namespace MetricsCluster.PromQL.Tests;

public class LexerTests
{
    private static List<(TokenKind Kind, string Text)> Lex(string input)
    {
        var result = new List<(TokenKind, string)>();
        var lexer = new Lexer(input);
        while (true)
        {
            var t = lexer.Next();
            result.Add((t.Kind, t.Kind == TokenKind.Error ? lexer.ErrorMessage! : t.Text(input)));
            if (t.Kind is TokenKind.Eof or TokenKind.Error)
            {
                return result;
            }
        }
    }

    [Theory]
    [InlineData("1", new[] { TokenKind.Number })]
    [InlineData("0x1f .5 1e-3 Inf nan", new[] { TokenKind.Number, TokenKind.Number, TokenKind.Number, TokenKind.Number, TokenKind.Number })]
    [InlineData("5m 1h30m 100ms", new[] { TokenKind.Duration, TokenKind.Duration, TokenKind.Duration })]
    [InlineData("foo foo:bar :x", new[] { TokenKind.Identifier, TokenKind.MetricIdentifier, TokenKind.MetricIdentifier })]
    [InlineData("sum BY without on ignoring group_left group_right bool offset start end",
        new[] { TokenKind.Aggregator, TokenKind.By, TokenKind.Without, TokenKind.On, TokenKind.Ignoring, TokenKind.GroupLeft,
            TokenKind.GroupRight, TokenKind.Bool, TokenKind.Offset, TokenKind.Start, TokenKind.End })]
    [InlineData("+ - * / % ^ == != < <= > >= and or unless atan2 @ ,",
        new[] { TokenKind.Add, TokenKind.Sub, TokenKind.Mul, TokenKind.Div, TokenKind.Mod, TokenKind.Pow, TokenKind.EqlC, TokenKind.Neq,
            TokenKind.Lss, TokenKind.Lte, TokenKind.Gtr, TokenKind.Gte, TokenKind.And, TokenKind.Or, TokenKind.Unless, TokenKind.Atan2,
            TokenKind.At, TokenKind.Comma })]
    [InlineData("{sum=\"a\", b!~'c', d=~`e`, f!=\"\"}",
        new[] { TokenKind.LeftBrace, TokenKind.Identifier, TokenKind.Eql, TokenKind.String, TokenKind.Comma, TokenKind.Identifier,
            TokenKind.NeqRegex, TokenKind.String, TokenKind.Comma, TokenKind.Identifier, TokenKind.EqlRegex, TokenKind.String,
            TokenKind.Comma, TokenKind.Identifier, TokenKind.Neq, TokenKind.String, TokenKind.RightBrace })]
    [InlineData("x[5m:1m]", new[] { TokenKind.Identifier, TokenKind.LeftBracket, TokenKind.Duration, TokenKind.Colon, TokenKind.Duration, TokenKind.RightBracket })]
    [InlineData("(a) # comment\n", new[] { TokenKind.LeftParen, TokenKind.Identifier, TokenKind.RightParen })]
    public void TokenKinds(string input, TokenKind[] expected)
    {
        var tokens = Lex(input);
        Assert.Equal(TokenKind.Eof, tokens[^1].Kind);
        Assert.Equal(expected, tokens.Take(tokens.Count - 1).Select(t => t.Kind));
    }

    [Theory]
    [InlineData("a !b", "unexpected character after '!': 'b'")]
    [InlineData("(", "unclosed left parenthesis")]
    [InlineData("1x", "bad number or duration syntax: \"1x\"")]
    [InlineData("{a=1}", "unexpected character inside braces: '1'")]
    public void Errors(string input, string message)
    {
        var tokens = Lex(input);
        Assert.Equal((TokenKind.Error, message), tokens[^1]);
    }

    [Fact]
    public void PositionsAreCharacterOffsets()
    {
        var lexer = new Lexer("foo  +\n 12");
        Assert.Equal(new PositionRange(0, 3), lexer.Next().Pos);
        Assert.Equal(new PositionRange(5, 6), lexer.Next().Pos);
        Assert.Equal(new PositionRange(8, 10), lexer.Next().Pos);
        Assert.Equal(new PositionRange(10, 10), lexer.Next().Pos);
    }
}

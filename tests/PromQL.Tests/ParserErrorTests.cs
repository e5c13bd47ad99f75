using Xunit;

namespace MetricsCluster.PromQL.Tests;

public class ParserErrorTests
{
    [Theory]
    [InlineData("", "1:1: parse error: no expression found in input")]
    [InlineData("# just a comment", "no expression found in input")]
    [InlineData("1+", "1:3: parse error: unexpected end of input")]
    [InlineData("*1", "1:1: parse error: unexpected <op:*>")]
    [InlineData("1 +* 2", "1:4: parse error: unexpected <op:*>")]
    [InlineData("foo bar", "1:5: parse error: unexpected identifier \"bar\"")]
    [InlineData("1 2", "unexpected number \"2\"")]
    [InlineData("foo offset", "unexpected end of input in offset, expected number or duration")]
    [InlineData("(1))", "1:4: parse error: unexpected right parenthesis ')'")]
    [InlineData("((1)", "unclosed left parenthesis")]
    [InlineData("foo[5m", "unclosed left bracket")]
    [InlineData("foo]", "unexpected right bracket ']'")]
    [InlineData("foo[5m[1m]]", "unexpected left bracket '['")]
    [InlineData("{", "unexpected end of input inside braces")]
    [InlineData("}", "1:1: parse error: unexpected character: '}'")]
    [InlineData("foo{a=\"b\"", "unexpected end of input inside braces")]
    [InlineData("foo{{", "unexpected left brace '{'")]
    [InlineData("foo{a}", "unexpected \"}\" in label matching, expected label matching operator")]
    [InlineData("foo{a=b}", "unexpected identifier \"b\" in label matching, expected string")]
    [InlineData("foo{a=\"b\" c=\"d\"}", "in label matching, expected \",\" or \"}\"")]
    [InlineData("foo{=\"b\"}", "unexpected <op:=> in label matching, expected identifier or \"}\"")]
    [InlineData("foo{a:b=\"c\"}", "unexpected character inside braces: ':'")]
    [InlineData("foo !~ bar", "unexpected character after '!': '~'")]
    [InlineData("foo =~ bar", "unexpected character after '=': '~'")]
    [InlineData("$", "unexpected character: '$'")]
    [InlineData("\"abc", "unterminated quoted string")]
    [InlineData("'abc\n'", "unterminated quoted string")]
    [InlineData("`abc", "unterminated raw string")]
    [InlineData("\"\\q\"", "1:1: parse error: unknown escape sequence U+0071 'q'")]
    [InlineData("1x", "bad number or duration syntax: \"1x\"")]
    [InlineData("1__0", "bad number or duration syntax")]
    [InlineData("1_", "bad number or duration syntax")]
    [InlineData("foo[5mm]", "bad number or duration syntax")]
    [InlineData("foo[5m1h]", "not a valid duration string: \"5m1h\"")]
    [InlineData("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("{x=\"\"}", "vector selector must contain at least one non-empty matcher")]
    [InlineData("{x=~\".*\"}", "vector selector must contain at least one non-empty matcher")]
    [InlineData("{x!~\".+\"}", "vector selector must contain at least one non-empty matcher")]
    [InlineData("foo{__name__=\"bar\"}", "metric name must not be set twice: \"foo\" or \"bar\"")]
    [InlineData("foo{\"bar\"}", "metric name must not be set twice: \"foo\" or \"bar\"")]
    [InlineData("foo{a=~\"(\"}", "error parsing regexp")]
    [InlineData("foo{a=~\"1)|(2\"}", "error parsing regexp: invalid regular expression \"1)|(2\": unexpected )")]
    [InlineData("foo{a=~\"(?=1)1\"}", "not supported by RE2")]
    [InlineData("foo{a!~\"(a)\\\\1\"}", "error parsing regexp")]
    [InlineData("rate(foo)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector")]
    [InlineData("rate(foo[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2")]
    [InlineData("rate()", "expected 1 argument(s) in call to \"rate\", got 0")]
    [InlineData("time(1)", "expected 0 argument(s) in call to \"time\", got 1")]
    [InlineData("round(foo, 1, 2)", "expected at most 2 argument(s) in call to \"round\", got 3")]
    [InlineData("label_join(foo, \"a\")", "expected at least 3 argument(s) in call to \"label_join\", got 2")]
    [InlineData("label_join(foo, \"a\", \",\", 1)", "expected type string in call to function \"label_join\", got scalar")]
    [InlineData("sort_by_label()", "expected at least 1 argument(s) in call to \"sort_by_label\", got 0")]
    [InlineData("clamp(foo, 1)", "expected 3 argument(s) in call to \"clamp\", got 2")]
    [InlineData("abs(1)", "expected type instant vector in call to function \"abs\", got scalar")]
    [InlineData("vector(foo)", "expected type scalar in call to function \"vector\", got instant vector")]
    [InlineData("non_existent(foo)", "1:1: parse error: unknown function with name \"non_existent\"")]
    // Answers of Prometheus 2.42's /api/v1/query: the arguments' errors come before the unknown name.
    [InlineData("foo(", "1:5: parse error: unclosed left parenthesis")]
    [InlineData("non_existent(foo", "1:17: parse error: unclosed left parenthesis")]
    [InlineData("non_existent(", "1:14: parse error: unclosed left parenthesis")]
    [InlineData("non_existent(foo bar)", "1:18: parse error: unexpected identifier \"bar\"")]
    [InlineData("non_existent(,)", "1:14: parse error: unexpected \",\"")]
    [InlineData("foo + bar[5m]", "1:7: parse error: binary expression must contain only scalar and instant vector types")]
    [InlineData("\"a\" + 1", "binary expression must contain only scalar and instant vector types")]
    [InlineData("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier")]
    [InlineData("foo + bool bar", "bool modifier can only be used on comparison operators")]
    [InlineData("foo and 1", "set operator \"and\" not allowed in binary scalar expression")]
    [InlineData("1 or 2", "set operator \"or\" not allowed in binary scalar expression")]
    [InlineData("foo and on(a) group_left bar", "no grouping allowed for \"and\" operation")]
    [InlineData("foo * on(a) group_left(a) bar", "label \"a\" must not occur in ON and GROUP clause at once")]
    [InlineData("1 + on(a) foo", "vector matching only allowed between instant vectors")]
    [InlineData("-\"a\"", "unary expression only allowed on expressions of type scalar or instant vector, got \"string\"")]
    [InlineData("-foo[5m]", "unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"")]
    [InlineData("(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors")]
    [InlineData("rate(foo[5m])[5m]", "ranges only allowed for vector selectors")]
    [InlineData("foo offset 5m [5m]", "no offset modifiers allowed before range")]
    [InlineData("foo @ 1 [5m]", "no @ modifiers allowed before range")]
    [InlineData("foo offset 1m offset 2m", "offset may not be set multiple times")]
    [InlineData("foo[5m] offset 1m offset 2m", "offset may not be set multiple times")]
    [InlineData("foo @ 1 @ 2", "@ <timestamp> may not be set multiple times")]
    [InlineData("1 offset 5m", "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery")]
    [InlineData("sum(foo) @ 5", "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery")]
    [InlineData("foo @ Inf", "timestamp out of bounds for @ modifier")]
    [InlineData("foo @ bar", "unexpected identifier \"bar\" in @, expected timestamp")]
    [InlineData("foo[5m][10m:1m]", "subquery is only allowed on instant vector, got matrix instead")]
    [InlineData("1[5m:1m]", "subquery is only allowed on instant vector, got scalar instead")]
    [InlineData("foo[5m:1m:1m]", "unexpected colon ':'")]
    [InlineData("sum()", "no arguments for aggregate expression provided")]
    [InlineData("sum(foo, bar)", "wrong number of arguments for aggregate expression provided, expected 1, got 2")]
    [InlineData("topk(foo)", "wrong number of arguments for aggregate expression provided, expected 2, got 1")]
    [InlineData("topk(\"a\", foo)", "expected type scalar in aggregation parameter, got string")]
    [InlineData("count_values(1, foo)", "expected type string in aggregation parameter, got scalar")]
    [InlineData("sum(1)", "expected type instant vector in aggregation expression, got scalar")]
    [InlineData("sum(foo[5m])", "expected type instant vector in aggregation expression, got range vector")]
    [InlineData("sum by (a) (foo) by (b)", "unexpected <by>")]
    [InlineData("sum by (1) (x)", "unexpected number \"1\" in grouping opts, expected label")]
    [InlineData("on{a=\"b\"}", "1:1: parse error: unexpected <on>")]
    [InlineData("bool", "unexpected <bool>")]
    [InlineData("abs(foo,)", "1:8: parse error: trailing commas not allowed in function call args")]
    [InlineData("sum(foo,)", "trailing commas not allowed in function call args")]
    [InlineData("foo offset +5m", "unexpected <op:+> in offset, expected number or duration")]
    [InlineData("foo[]", "1:5: parse error: unexpected \"]\" in subquery selector, expected number or duration")]
    [InlineData("foo[5m 1m]", "unexpected duration \"1m\" in subquery or range, expected \":\" or \"]\"")]
    [InlineData("foo[5m:x]", "unexpected identifier \"x\" in subquery selector, expected number or duration or \"]\"")]
    [InlineData("{\"foo\" x}", "unexpected identifier \"x\" in label matching, expected \",\" or \"}\"")]
    [InlineData("foo{a=\"b\"} @", "unexpected end of input in @, expected timestamp")]
    [InlineData("sum by (a b) (x)", "in grouping opts, expected \",\" or \")\"")]
    [InlineData("sum", "1:4: parse error: unexpected end of input in aggregation")]
    [InlineData("abs(foo bar)", "unexpected identifier \"bar\" in function call, expected \",\" or \")\"")]
    [InlineData("foo offset", "1:11: parse error")]
    [InlineData("foo\n+ *", "2:3: parse error: unexpected <op:*>")]
    public void InvalidExpressionsReportPrometheusErrors(string input, string expected)
    {
        var ex = Assert.Throws<PromQLParseException>(() => Parser.ParseExpr(input));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExceptionCarriesPositionAndBareMessage()
    {
        var ex = Assert.Throws<PromQLParseException>(() => Parser.ParseExpr("rate(foo[5m], 1)"));
        Assert.Equal(new PositionRange(0, 16), ex.Pos);
        Assert.Equal("expected 1 argument(s) in call to \"rate\", got 2", ex.Error);
        Assert.Equal("rate(foo[5m], 1)", ex.Query);
    }

    [Fact]
    public void DeepNestingIsAParseErrorNotAStackOverflow()
    {
        Assert.Throws<PromQLParseException>(() => Parser.ParseExpr(new string('(', 5000) + "1" + new string(')', 5000)));
        Assert.Throws<PromQLParseException>(() => Parser.ParseExpr(new string('-', 5000) + "1"));
        Assert.Throws<PromQLParseException>(() => Parser.ParseExpr(string.Join(" ^ ", Enumerable.Repeat("1", 5000))));
    }
}

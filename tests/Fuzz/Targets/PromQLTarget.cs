using System.Text;
using MetricsCluster.Fuzz.Tests.Framework;
using MetricsCluster.PromQL;
using Xunit;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// The PromQL lexer and parser: they may only throw <see cref="PromQLParseException"/> (G19), and whatever parses
/// prints to a string that parses to the same print (G14).
/// </summary>
public sealed class PromQLTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "promql";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        // Queries arrive as UTF-8 form values; invalid sequences become U+FFFD as ASP.NET decodes them.
        string query = Encoding.UTF8.GetString(input);
        Expr expr;
        try
        {
            expr = Parser.ParseExpr(query);
        }
        catch (PromQLParseException)
        {
            return;
        }

        string printed = expr.ToString();
        Assert.Equal(printed, Parser.ParseExpr(printed).ToString());
    }
}

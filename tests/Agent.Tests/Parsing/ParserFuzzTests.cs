using FsCheck;
using FsCheck.Fluent;
using MetricsCluster.Agent.Parsing;
using Xunit;

namespace MetricsCluster.Agent.Tests.Parsing;

/// <summary>
/// G19: arbitrary bytes and mutations of valid pages never crash either parser; the only failure allowed
/// is <see cref="ExpositionParseException"/> with a position inside the page.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly byte[] s_alphabet = "abc_:{}=\",# \t\n\\01.e+-InfNaEOFHELPTYPEUNIT\xff"u8.ToArray();

    [Fact]
    public void ArbitraryBytesFailOnlyWithAPosition()
    {
        var interesting = Gen.Elements(s_alphabet);
        var gen = Gen.ArrayOf(Gen.OneOf(ArbMap.Default.GeneratorFor<byte>(), interesting, interesting));
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(3000), Prop.ForAll(gen.ToArbitrary(), (byte[] page) => ParseBoth(page)));
    }

    [Fact]
    public void MutatedNodeExporterPagesFailOnlyWithAPosition()
    {
        byte[][] pages = [NodeExporterPageTests.TextPage, NodeExporterPageTests.OpenMetricsPage, Small];
        var gen = from which in Gen.Choose(0, pages.Length - 1)
                  from edits in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Elements(s_alphabet)), 4)
                  from cut in Gen.Choose(0, 100)
                  select Mutate(pages[which], edits, cut);
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(gen.ToArbitrary(), (byte[] page) => ParseBoth(page)));
    }

    private static byte[] Small => "# TYPE foo counter\n# HELP foo h\\n\nfoo_total{a=\"b\",c=\"\\\"\"} 1 1 # {t=\"x\"} 2 3\n{\"x.y\",z=\"1\"} NaN\n# EOF\n"u8.ToArray();

    private static byte[] Mutate(byte[] page, (int Pos, byte B)[] edits, int cutPercent)
    {
        var copy = (byte[])page.Clone();
        foreach (var (pos, b) in edits)
        {
            copy[pos % copy.Length] = b;
        }

        // Truncate to a percentage of the page, 100 keeping it whole.
        return copy[..(int)((long)copy.Length * cutPercent / 100)];
    }

    private static void ParseBoth(byte[] page)
    {
        ParseOne(page, openMetrics: false);
        ParseOne(page, openMetrics: true);
    }

    private static void ParseOne(byte[] page, bool openMetrics)
    {
        try
        {
            if (openMetrics)
            {
                var p = new OpenMetricsParser(page);
                Consume(ref p);
            }
            else
            {
                var p = new PromTextParser(page);
                Consume(ref p);
            }
        }
        catch (ExpositionParseException e)
        {
            Assert.InRange(e.Offset, 0, page.Length);
            Assert.InRange(e.Line, 1, page.Count(b => b == '\n') + 1);
        }
    }

    private static void Consume<TParser>(ref TParser p)
        where TParser : IExpositionParser, allows ref struct
    {
        int guard = 0;
        EntryKind kind;
        while ((kind = p.Next()) != EntryKind.EndOfInput)
        {
            // Reading every accessor and the label reader must be safe for whatever Next accepted.
            _ = p.Series.Length + p.MetricName.Length + p.Text.Length;
            _ = ExpositionText.UnescapeHelp(p.Text, openMetrics: true);
            if (kind == EntryKind.Series)
            {
                var pairs = new List<KeyValuePair<string, string>>();
                ExpositionText.ReadLabels(p.Series, pairs);
                Assert.Contains(pairs, l => l.Key == "__name__");
            }

            Assert.True(++guard <= 1_000_000, "parser does not advance");
        }
    }
}

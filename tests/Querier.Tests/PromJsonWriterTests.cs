using System.Text;
using MetricsCluster.Querier.Api;
using Xunit;

namespace MetricsCluster.Querier.Tests;

/// <summary>Number, timestamp and string formatting against what Prometheus' jsoniter codec writes.</summary>
public sealed class PromJsonWriterTests
{
    // Expected texts are Go's strconv.AppendFloat(f, 'f' or 'e', -1, 64) under jsonutil.MarshalFloat's cut-offs.
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(1.0, "1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(123456789.123, "123456789.123")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1.2345678901234568e20, "123456789012345680000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(-1.5e300, "-1.5e+300")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(0.00012, "0.00012")]
    [InlineData(1e-7, "1e-07")]
    [InlineData(-2.5e-7, "-2.5e-07")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void Floats_are_written_like_prometheus(double f, string expected)
    {
        Assert.Equal(expected, PromJsonWriter.FormatFloat(f));
        Assert.Equal("\"" + expected + "\"", Written(w => w.Float(f)));
    }

    // Float writes whole numbers and the usual magnitudes straight into its buffer; each must be FormatFloat's text
    // (Go's), including at the edges of those paths (1, 1e-4, 1e15, 2^53) and for many random values.
    [Fact]
    public void Float_fast_paths_write_what_format_float_writes()
    {
        var rng = new Random(42);
        var values = new List<double>
        {
            1, -1, 0.5, 0.0001, 0.00009999999999999999, -0.0001, 1e15, 999999999999999, 1e15 - 0.5, 999999999999999.9,
            9007199254740992, 12, 27.25, -13.37, 0.1 + 0.2, 1e14 + 0.5, 123456.789, double.Epsilon, 1e-5, 12345678901234.5,
        };
        for (int i = 0; i < 20_000; i++)
        {
            values.Add(rng.Next(0, 4) switch
            {
                0 => Math.Round((rng.NextDouble() - 0.5) * 2e6, 2),
                1 => (double)rng.NextInt64(-(1L << 53), 1L << 53),
                2 => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 18)),
                _ => BitConverter.Int64BitsToDouble(rng.NextInt64()),
            });
        }

        foreach (double f in values)
        {
            Assert.Equal("\"" + PromJsonWriter.FormatFloat(f) + "\"", Written(w => w.Float(f)));
        }
    }

    [Fact]
    public void Many_floats_after_a_small_initial_capacity_are_all_kept()
    {
        var w = new PromJsonWriter(1);
        var expected = new StringBuilder();
        for (int i = 0; i < 2_000; i++)
        {
            double f = i % 3 == 0 ? i : i / 7.0;
            w.Float(f).Raw((byte)',');
            expected.Append('"').Append(PromJsonWriter.FormatFloat(f)).Append("\",");
        }

        Assert.Equal(expected.ToString(), Encoding.UTF8.GetString(w.WrittenMemory.Span));
    }

    // Scalar results: promql.Scalar.MarshalJSON uses strconv.FormatFloat(v, 'f', -1, 64), never an exponent.
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(0.1, "0.1")]
    [InlineData(123456789.123, "123456789.123")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(1e-7, "0.0000001")]
    [InlineData(-1.25e-8, "-0.0000000125")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void Scalar_values_never_use_an_exponent(double f, string expected) => Assert.Equal(expected, PromJsonWriter.FormatFloatF(f));

    [Fact]
    public void Smallest_subnormal_scalar_is_written_out_in_full() =>
        Assert.Equal("0." + new string('0', 323) + "5", PromJsonWriter.FormatFloatF(5e-324));

    // Scalar and string timestamps: Go's encoding/json on float64(T)/1000.
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.5, "1.5")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(1435781451.781, "1435781451.781")]
    [InlineData(0.001, "0.001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(1e21, "1e+21")]
    public void Json_numbers_are_written_like_go_encoding_json(double f, string expected) => Assert.Equal(expected, Written(w => w.Number(f)));

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1000L, "1")]
    [InlineData(1500L, "1.500")]
    [InlineData(1001L, "1.001")]
    [InlineData(1010L, "1.010")]
    [InlineData(1435781451781L, "1435781451.781")]
    [InlineData(-500L, "-0.500")]
    [InlineData(-1500L, "-1.500")]
    [InlineData(-2000L, "-2")]
    [InlineData(long.MaxValue, "9223372036854775.807")]
    [InlineData(long.MinValue, "-9223372036854775.808")]
    public void Timestamps_are_seconds_with_three_digit_fraction_only_when_non_zero(long ms, string expected) =>
        Assert.Equal(expected, Written(w => w.Timestamp(ms)));

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("q\"b\\s", "\"q\\\"b\\\\s\"")]
    [InlineData("a\nb\rc\td", "\"a\\nb\\rc\\td\"")]
    [InlineData("\b\f\u0001\u001f", "\"\\u0008\\u000c\\u0001\\u001f\"")]
    [InlineData("<a>&", "\"\\u003ca\\u003e\\u0026\"")]
    [InlineData("é€😀", "\"é€😀\"")]
    [InlineData("\u2028\u2029", "\"\\u2028\\u2029\"")]
    [InlineData("\u007f", "\"\u007f\"")]
    public void Strings_are_escaped_like_go(string s, string expected) => Assert.Equal(expected, Written(w => w.String(s)));

    [Fact]
    public void Each_invalid_utf8_byte_becomes_one_replacement_escape() =>
        Assert.Equal("\"a\\ufffd\\ufffdb\"", Written(w => w.String([(byte)'a', 0xC3, 0xFF, (byte)'b'])));

    private static string Written(Action<PromJsonWriter> write)
    {
        var w = new PromJsonWriter();
        write(w);
        return Encoding.UTF8.GetString(w.WrittenMemory.Span);
    }
}

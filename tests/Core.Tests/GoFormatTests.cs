using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Core.Tests;

/// <summary>
/// <see cref="GoFormat.FormatFloat"/> against Go 1.19's strconv.FormatFloat (the expected strings were printed by Go):
/// shortest and fixed precision, every format, round-half-even on exact ties, subnormals and the largest double.
/// </summary>
public sealed class GoFormatTests
{
    [Theory]
    //          value                    'g' -1                      'e' -1                     'f' -1    'g' 4        'e' 3         'f' 2        'x' -1                   'b' -1
    [InlineData(0d, "0", "0e+00", "0", "0", "0.000e+00", "0.00", "0x0p+00", "0p-1074")]
    [InlineData(1d, "1", "1e+00", "1", "1", "1.000e+00", "1.00", "0x1p+00", "4503599627370496p-52")]
    [InlineData(-1d, "-1", "-1e+00", "-1", "-1", "-1.000e+00", "-1.00", "-0x1p+00", "-4503599627370496p-52")]
    [InlineData(0.1, "0.1", "1e-01", "0.1", "0.1", "1.000e-01", "0.10", "0x1.999999999999ap-04", "7205759403792794p-56")]
    [InlineData(1e+06, "1e+06", "1e+06", "1000000", "1e+06", "1.000e+06", "1000000.00", "0x1.e848p+19", "8589934592000000p-33")]
    [InlineData(1e+21, "1e+21", "1e+21", "1000000000000000000000", "1e+21", "1.000e+21", "1000000000000000000000.00", "0x1.b1ae4d6e2ef5p+69", "7629394531250000p+17")]
    [InlineData(1.23456789e+08, "1.23456789e+08", "1.23456789e+08", "123456789", "1.235e+08", "1.235e+08", "123456789.00", "0x1.d6f3454p+26", "8285044862877696p-26")]
    [InlineData(1.2345678e-05, "1.2345678e-05", "1.2345678e-05", "0.000012345678", "1.235e-05", "1.235e-05", "0.00", "0x1.9e4091070df4cp-17", "7287601999437644p-69")]
    [InlineData(1234.5, "1234.5", "1.2345e+03", "1234.5", "1234", "1.234e+03", "1234.50", "0x1.34ap+10", "5429388417957888p-42")]
    [InlineData(2.5, "2.5", "2.5e+00", "2.5", "2.5", "2.500e+00", "2.50", "0x1.4p+01", "5629499534213120p-51")]
    [InlineData(0.000123456, "0.000123456", "1.23456e-04", "0.000123456", "0.0001235", "1.235e-04", "0.00", "0x1.02e7ef70994ddp-13", "4554722472727773p-65")]
    [InlineData(100000d, "100000", "1e+05", "100000", "1e+05", "1.000e+05", "100000.00", "0x1.86ap+16", "6871947673600000p-36")]
    [InlineData(999999.5, "999999.5", "9.999995e+05", "999999.5", "1e+06", "1.000e+06", "999999.50", "0x1.e847fp+19", "8589930297032704p-33")]
    public void Formats_as_Go(double v, string g, string e, string f, string g4, string e3, string f2, string x, string b)
    {
        Assert.Equal(g, GoFormat.FormatFloat(v, 'g', -1));
        Assert.Equal(g, GoFormat.G(v));
        Assert.Equal(e, GoFormat.FormatFloat(v, 'e', -1));
        Assert.Equal(f, GoFormat.FormatFloat(v, 'f', -1));
        Assert.Equal(g4, GoFormat.FormatFloat(v, 'g', 4));
        Assert.Equal(e3, GoFormat.FormatFloat(v, 'e', 3));
        Assert.Equal(f2, GoFormat.FormatFloat(v, 'f', 2));
        Assert.Equal(x, GoFormat.FormatFloat(v, 'x', -1));
        Assert.Equal(b, GoFormat.FormatFloat(v, 'b', -1));
    }

    [Fact]
    public void Formats_extremes_and_specials_as_Go()
    {
        Assert.Equal("5e-324", GoFormat.G(double.Epsilon));
        Assert.Equal("4.941e-324", GoFormat.FormatFloat(double.Epsilon, 'g', 4));
        Assert.Equal("1.7976931348623157e+308", GoFormat.G(double.MaxValue));
        Assert.Equal(
            "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.00",
            GoFormat.FormatFloat(double.MaxValue, 'f', 2));
        Assert.Equal("-0", GoFormat.G(-0.0));
        Assert.Equal("+Inf", GoFormat.G(double.PositiveInfinity));
        Assert.Equal("-Inf", GoFormat.FormatFloat(double.NegativeInfinity, 'e', 3));
        Assert.Equal("NaN", GoFormat.F6(double.NaN));
        Assert.Equal("0 2 2 4", string.Join(' ', new[] { 0.5, 1.5, 2.5, 3.5 }.Select(v => GoFormat.FormatFloat(v, 'f', 0))));
    }
}

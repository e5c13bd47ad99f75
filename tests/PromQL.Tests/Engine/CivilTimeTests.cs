using MetricsCluster.PromQL.Engine;
using Xunit;

namespace MetricsCluster.PromQL.Tests.Engine;

/// <summary>The date functions' calendar fields: equal to DateTime's inside its range, and defined outside it.</summary>
public sealed class CivilTimeTests
{
    [Fact]
    public void Matches_DateTime_wherever_DateTime_has_an_answer()
    {
        var random = new Random(12);
        long min = (long)(DateTime.MinValue - DateTime.UnixEpoch).TotalSeconds;
        long max = (long)(DateTime.MaxValue - DateTime.UnixEpoch).TotalSeconds - 1;
        long[] edges = [min, min + 1, -86401, -86400, -1, 0, 1, 86399, 86400, 951782400 /* 2000-02-29 */, max];
        foreach (long s in edges.Concat(Enumerable.Range(0, 20_000).Select(_ => random.NextInt64(min, max))))
        {
            var d = DateTime.UnixEpoch.AddSeconds(s);
            var c = CivilTime.FromUnixSeconds(s);
            Assert.Equal((d.Year, d.Month, d.Day, d.Hour, d.Minute, (int)d.DayOfWeek, d.DayOfYear, DateTime.DaysInMonth(d.Year, d.Month)),
                (c.Year, c.Month, c.Day, c.Hour, c.Minute, c.DayOfWeek, c.DayOfYear, c.DaysInMonth));
        }
    }

    [Theory]
    // The second before 0001-01-01 is 0000-12-31T23:59:59 in Go's astronomical numbering; year 0 is a leap year.
    [InlineData(-62135596801L, 0L, 12, 31, 23, 59, 366)]
    [InlineData(-62162121600L, 0L, 2, 29, 0, 0, 60)]
    // 1e11 s before the epoch, as Go's time.Unix(-1e11, 0).UTC() prints it: -1199-02-15T14:13:20Z.
    [InlineData(-100000000000L, -1199L, 2, 15, 14, 13, 46)]
    public void Answers_before_year_one(long seconds, long year, int month, int day, int hour, int minute, int dayOfYear)
    {
        var c = CivilTime.FromUnixSeconds(seconds);
        Assert.Equal((year, month, day, hour, minute, dayOfYear), (c.Year, c.Month, c.Day, c.Hour, c.Minute, c.DayOfYear));
    }
}

using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Ruler.Api;
using MetricsCluster.Ruler.Notifier;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Notifier;

public sealed class NotifierFormatTests
{
    [Fact]
    public void Target_keeps_the_path_prefix_and_takes_basic_auth_out_of_the_url()
    {
        var t = new AlertmanagerTarget(new Uri("http://user:p%40ss@am.example:9093/alertmanager/"));
        Assert.Equal("http://am.example:9093/alertmanager/api/v2/alerts", t.PostUrl.ToString());
        Assert.Equal("http://am.example:9093/alertmanager/api/v2/alerts", t.Name);
        Assert.Equal("Basic", t.Authorization!.Scheme);
        Assert.Equal("user:p@ss", Encoding.UTF8.GetString(Convert.FromBase64String(t.Authorization.Parameter!)));
        Assert.Null(new AlertmanagerTarget(new Uri("http://am:9093")).Authorization);
        Assert.Throws<ArgumentException>(() => new AlertmanagerTarget(new Uri("ftp://am:9093")));
    }

    [Theory]
    [InlineData("up == 0", "/graph?g0.expr=up+%3D%3D+0&g0.tab=1")]
    [InlineData("rate(x[5m]) > 1 and on() vector(1)", "/graph?g0.expr=rate%28x%5B5m%5D%29+%3E+1+and+on%28%29+vector%281%29&g0.tab=1")]
    [InlineData("a_b.c~d-é", "/graph?g0.expr=a_b.c~d-%C3%A9&g0.tab=1")]
    public void Generator_link_escapes_as_gos_QueryEscape(string expr, string expected) =>
        Assert.Equal(expected, GeneratorLink.ForExpression(expr));

    [Fact]
    public void Encode_writes_postable_alerts()
    {
        var alert = new NotifierAlert("t1", Labels.FromStrings("alertname", "Down", "job", "j"), [new("summary", "s \"q\"")], 1_700_000_000_000, 1_700_000_240_123, "http://x/graph");
        string json = Encoding.UTF8.GetString(AlertNotifier.Encode([alert]));
        Assert.Equal(
            "[{\"labels\":{\"alertname\":\"Down\",\"job\":\"j\"},\"annotations\":{\"summary\":\"s \\u0022q\\u0022\"},\"startsAt\":\"2023-11-14T22:13:20.000Z\",\"endsAt\":\"2023-11-14T22:17:20.123Z\",\"generatorURL\":\"http://x/graph\"}]",
            json);
    }

    [Theory]
    [InlineData(0L, "1970-01-01T00:00:00Z")]
    [InlineData(1_700_000_000_000L, "2023-11-14T22:13:20Z")]
    [InlineData(1_700_000_000_120L, "2023-11-14T22:13:20.12Z")]
    public void Go_time_trims_trailing_zeros(long ms, string expected) => Assert.Equal(expected, GoTime.FormatMs(ms));

    [Fact]
    public void Go_time_of_never_is_the_zero_time() => Assert.Equal("0001-01-01T00:00:00Z", GoTime.Format(null));
}

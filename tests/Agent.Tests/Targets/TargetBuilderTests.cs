using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Discovery;
using MetricsCluster.Agent.Relabel;
using MetricsCluster.Agent.Targets;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.Targets;

/// <summary>Prometheus' TestPopulateLabels (scrape/manager_test.go) ported row by row, plus URL and group cases.</summary>
public sealed class TargetBuilderTests
{
    private static readonly ScrapeConfig s_https = new()
    {
        JobName = "job", Scheme = "https", MetricsPath = "/metrics", ScrapeInterval = TimeSpan.FromSeconds(1), ScrapeTimeout = TimeSpan.FromSeconds(1),
    };

    private static readonly ScrapeConfig s_http = s_https with { Scheme = "http" };

    private static readonly ScrapeConfig s_addressFromCustom = s_https with
    {
        RelabelConfigs = [new RelabelConfig { Action = RelabelAction.Replace, SourceLabels = ["custom"], Replacement = "${1}", TargetLabel = "__address__" }],
    };

    private static Labels L(params string[] kv) => Labels.FromStrings(kv);

    private static string[] Std(string scheme, string path, string job, string interval, string timeout, params string[] more) =>
        ["__scheme__", scheme, "__metrics_path__", path, "job", job, "__scrape_interval__", interval, "__scrape_timeout__", timeout, .. more];

    public static TheoryData<string, Labels, ScrapeConfig, bool, Labels?, Labels?, string?> Cases => new()
    {
        {
            "regular population", L("__address__", "1.2.3.4:1000", "custom", "value"), s_https, false,
            L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "1.2.3.4:1000", "instance", "1.2.3.4:1000", "custom", "value")),
            L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "1.2.3.4:1000", "custom", "value")), null
        },
        {
            "pre-defined labels win, http port defaulted",
            L(Std("http", "/custom", "custom-job", "2s", "2s", "__address__", "1.2.3.4")), s_https, false,
            L(Std("http", "/custom", "custom-job", "2s", "2s", "__address__", "1.2.3.4:80", "instance", "1.2.3.4:80")),
            L(Std("http", "/custom", "custom-job", "2s", "2s", "__address__", "1.2.3.4")), null
        },
        {
            "instance provided, https port for IPv6", L("__address__", "[::1]", "instance", "custom-instance"), s_https, false,
            L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "[::1]:443", "instance", "custom-instance")),
            L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "[::1]", "instance", "custom-instance")), null
        },
        { "address missing", L("custom", "value"), s_https, false, null, null, "no address" },
        {
            "address added by relabeling", L("custom", "host:1234"), s_addressFromCustom, false,
            L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "host:1234", "instance", "host:1234", "custom", "host:1234")),
            L(Std("https", "/metrics", "job", "1s", "1s", "custom", "host:1234")), null
        },
        {
            "invalid interval", L("__address__", "1.2.3.4:1000", "__scrape_interval__", "2notseconds"), s_https, false, null, null,
            "error parsing scrape interval: not a valid duration string: \"2notseconds\""
        },
        {
            "invalid timeout", L("__address__", "1.2.3.4:1000", "__scrape_timeout__", "2notseconds"), s_https, false, null, null,
            "error parsing scrape timeout: not a valid duration string: \"2notseconds\""
        },
        { "zero interval", L("__address__", "1.2.3.4:1000", "__scrape_interval__", "0s"), s_https, false, null, null, "scrape interval cannot be 0" },
        { "zero timeout", L("__address__", "1.2.3.4:1000", "__scrape_timeout__", "0s"), s_https, false, null, null, "scrape timeout cannot be 0" },
        {
            "timeout above interval", L("__address__", "1.2.3.4:1000", "__scrape_interval__", "1s", "__scrape_timeout__", "2s"), s_https, false, null, null,
            "scrape timeout cannot be greater than scrape interval (\"2s\" > \"1s\")"
        },
        {
            "no default port", L("__address__", "1.2.3.4"), s_https, true,
            L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "1.2.3.4", "instance", "1.2.3.4")),
            L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "1.2.3.4")), null
        },
        {
            "remove default port http", L("__address__", "1.2.3.4:80"), s_http, true,
            L(Std("http", "/metrics", "job", "1s", "1s", "__address__", "1.2.3.4", "instance", "1.2.3.4:80")),
            L(Std("http", "/metrics", "job", "1s", "1s", "__address__", "1.2.3.4:80")), null
        },
        {
            "remove default port https", L("__address__", "1.2.3.4:443"), s_https, true,
            L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "1.2.3.4", "instance", "1.2.3.4:443")),
            L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "1.2.3.4:443")), null
        },

        // Our rows.
        {
            "meta labels removed after relabeling", L("__address__", "h:1", "__meta_x", "y"), s_https, false,
            L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "h:1", "instance", "h:1")),
            L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "h:1", "__meta_x", "y")), null
        },
        { "url as address", L("__address__", "http://h:1/metrics"), s_https, false, null, null, "\"http://h:1/metrics\" is not a valid hostname" },
        {
            "relabeled scheme that is not http", L("__address__", "h", "__scheme__", "ftp"), s_https, false, null, null, "invalid scheme: \"https\""
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Populate(string name, Labels input, ScrapeConfig cfg, bool noDefaultPort, Labels? internalLabels, Labels? discovered, string? error)
    {
        var r = TargetBuilder.Populate(cfg, input, Labels.Empty, noDefaultPort);
        Assert.True(error == r.Error, $"{name}: error {r.Error}");
        Assert.True(internalLabels == r.Target?.InternalLabels, $"{name}: got {r.Target?.InternalLabels}");
        Assert.True(discovered == r.Target?.DiscoveredLabels, $"{name}: discovered {r.Target?.DiscoveredLabels}");
        if (r.Target is { } t)
        {
            Assert.DoesNotContain(t.Labels.Pairs(), p => p.Key.StartsWith("__", StringComparison.Ordinal));
            Assert.Equal(internalLabels!.Value.Get("instance"), t.Labels.Get("instance"));
        }
    }

    [Fact]
    public void DroppedTargetKeepsItsDiscoveredLabels()
    {
        var cfg = s_https with { RelabelConfigs = [new RelabelConfig { Action = RelabelAction.Drop, SourceLabels = ["__meta_env"], Regex = "dev" }] };
        var r = TargetBuilder.Populate(cfg, L("__address__", "h:1", "__meta_env", "dev"), Labels.Empty);
        Assert.Null(r.Target);
        Assert.Null(r.Error);
        Assert.Equal(L(Std("https", "/metrics", "job", "1s", "1s", "__address__", "h:1", "__meta_env", "dev")), r.Dropped);
    }

    [Fact]
    public void UrlCarriesParamsWithLabelOverrides()
    {
        var cfg = s_http with
        {
            MetricsPath = "/probe",
            Params = [new("module", ["http_2xx", "second"]), new("target", ["orig"]), new("q", ["a b&c"])],
            RelabelConfigs =
            [
                new RelabelConfig { SourceLabels = ["__address__"], TargetLabel = "__param_target" },
                new RelabelConfig { Action = RelabelAction.Replace, Replacement = "exporter:9115", TargetLabel = "__address__" },
                new RelabelConfig { Action = RelabelAction.Replace, Replacement = "x", TargetLabel = "__param_extra" },
            ],
        };
        var t = TargetBuilder.Populate(cfg, L("__address__", "example.com"), Labels.Empty).Target!;
        Assert.Equal("http://exporter:9115/probe?extra=x&module=http_2xx&module=second&q=a+b%26c&target=example.com", t.Url.AbsoluteUri);
        Assert.Equal(L("job", "job", "instance", "exporter:9115"), t.Labels);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), (t.Interval, t.Timeout));
    }

    [Fact]
    public void IntervalAndTimeoutComeFromTheJobOrRelabeledLabels()
    {
        var cfg = s_http with
        {
            ScrapeInterval = TimeSpan.FromSeconds(90), ScrapeTimeout = TimeSpan.FromSeconds(10),
            RelabelConfigs = [new RelabelConfig { Replacement = "5s", TargetLabel = "__scrape_timeout__" }],
        };
        var t = TargetBuilder.Populate(cfg, L("__address__", "h:1"), Labels.Empty).Target!;
        Assert.Equal("1m30s", t.InternalLabels.Get("__scrape_interval__"));
        Assert.Equal((TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(5)), (t.Interval, t.Timeout));
    }

    [Fact]
    public void FromGroupMergesGroupLabelsAndNamesFailures()
    {
        var group = new TargetGroup("file.json:0", [L("__address__", "a:1", "env", "own"), L("x", "no-address"), L("__address__", "b:2")], L("env", "prod", "team", "t"));
        var results = TargetBuilder.FromGroup(s_http, group);
        Assert.Equal(L("job", "job", "instance", "a:1", "env", "own", "team", "t"), results[0].Target!.Labels);
        Assert.Equal("instance 1 in group file.json:0: no address", results[1].Error);
        Assert.Equal(L("job", "job", "instance", "b:2", "env", "prod", "team", "t"), results[2].Target!.Labels);
    }

    [Theory]
    [InlineData("h:1", true, "h", "1")]
    [InlineData("h:", true, "h", "")]
    [InlineData("h", false, "", "")]
    [InlineData("[::1]:80", true, "::1", "80")]
    [InlineData("[::1]", false, "", "")]
    [InlineData("::1", false, "", "")]
    [InlineData("a:b:c", false, "", "")]
    [InlineData("[::1]x:80", false, "", "")]
    public void SplitsLikeGo(string hostport, bool ok, string host, string port)
    {
        Assert.Equal(ok, HostPort.TrySplit(hostport, out string h, out string p));
        Assert.Equal((host, port), (h, p));
    }
}

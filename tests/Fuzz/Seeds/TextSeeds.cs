using System.Text;
using MetricsCluster.Config;

namespace MetricsCluster.Fuzz.Tests.Seeds;

/// <summary>Seeds for the text parsers: exposition formats, PromQL and the YAML configs.</summary>
internal static class TextSeeds
{
    /// <summary>Prometheus text 0.0.4 pages.</summary>
    public static IEnumerable<(string Name, byte[] Data)> ExpositionText()
    {
        yield return ("counter", Utf8("""
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            """));
        yield return ("escapes-and-specials", Utf8("""
            # HELP msdos_file_access_time_seconds A help with \\ and \n escapes.
            # TYPE msdos_file_access_time_seconds gauge
            msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
            metric_without_timestamp_and_labels 12.47
            something_weird{problem="division by zero"} +Inf -3982045
            nan_value NaN
            # A normal comment.

            """));
        yield return ("histogram-summary", Utf8("""
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{le="0.05"} 24054
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            http_request_duration_seconds_sum 53423
            http_request_duration_seconds_count 144320
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.5"} 4773
            rpc_duration_seconds_sum 1.7560473e+07
            rpc_duration_seconds_count 2693
            {"quoted.name",a="b"} 1

            """));
    }

    /// <summary>OpenMetrics 1.0 pages.</summary>
    public static IEnumerable<(string Name, byte[] Data)> OpenMetrics()
    {
        yield return ("counter-unit-eof", Utf8("""
            # TYPE acme_http_router_request_seconds summary
            # UNIT acme_http_router_request_seconds seconds
            # HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
            acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
            acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
            acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
            # TYPE go_goroutines gauge
            go_goroutines 69
            # EOF

            """));
        yield return ("exemplar-histogram-eof", Utf8("""
            # TYPE foo histogram
            foo_bucket{le="0.01"} 0
            foo_bucket{le="1"} 1 # {trace_id="KOO5S4vxi0o"} 0.67 1.6e9
            foo_bucket{le="+Inf"} 17 1520879607.789
            foo_count 17
            foo_sum 324789.3
            # TYPE bar stateset
            bar{bar="a"} 1
            # TYPE baz info
            baz_info{version="1.0"} 1
            # EOF

            """));
    }

    /// <summary>PromQL expressions covering the grammar (from the parser and printer tests).</summary>
    public static IEnumerable<(string Name, byte[] Data)> PromQL()
    {
        string[] queries =
        [
            "sum by (job) (rate(http_requests_total{job=\"api\"}[5m]))",
            "foo{a=\"b\", c=~\"d.*\", e!=\"f\", g!~\"h\"} offset -5m @ 100 + on(a) group_left(b) bar",
            "histogram_quantile(0.9, sum without (x) (rate(foo_bucket[5m:1m])))",
            "-2 ^ 3 ^ -1 * 4 % 5 atan2 6 > bool foo and bar or baz unless qux",
            "topk(5, {\"metric.name\", \"l.x\"!=\"\"} @ end())",
            "label_join(foo, \"dst\", \",\", 'a', `b`) # comment",
            "count_values(\"v\", rate(foo[1h30m] offset 1w)) / 0x1F + Inf - NaN",
            "max_over_time(deriv(rate(x[1m])[5m:30s])[10m:]) @ start()",
            "quantile_over_time(0.5, {__name__=~\"a|b\"}[1d]) unless ignoring(i) group_right y",
            "absent(nonexistent{job=\"x\"}) == 1e3 != 1.5e-3",
        ];
        return queries.Select((q, i) => ($"query-{i:D2}", Utf8(q)));
    }

    /// <summary>The host's config: its full default dump and a hand-written nested one.</summary>
    public static IEnumerable<(string Name, byte[] Data)> ClusterConfigs()
    {
        yield return ("defaults-dump", Utf8(ConfigDump.ToYaml(new ClusterConfig())));
        yield return ("nested", Utf8("""
            server:
              http_listen_port: 9100
            data:
              dir: /tmp/x
            distributor:
              ingestion_rate_limit: 5000
            validation:
              create_grace_period: 1h30m
            querier:
              timeout: 30s
              max_samples: 1000

            """));
    }

    /// <summary>Agent configs: scrape, relabel and remote write sections.</summary>
    public static IEnumerable<(string Name, byte[] Data)> AgentConfigs()
    {
        yield return ("full", Utf8("""
            global:
              scrape_interval: 15s
              scrape_timeout: 10s
              external_labels:
                cluster: eu-1
            scrape_configs:
              - job_name: node
                scrape_interval: 30s
                metrics_path: /metrics
                scheme: http
                params:
                  collect[]: [cpu, meminfo]
                honor_labels: true
                sample_limit: 1000
                body_size_limit: 10MB
                basic_auth:
                  username: u
                  password: p
                static_configs:
                  - targets: ["localhost:9100", "b:9100"]
                    labels:
                      env: prod
                file_sd_configs:
                  - files: ["targets/*.json"]
                    refresh_interval: 1m
                relabel_configs:
                  - source_labels: [__address__]
                    regex: "(.*):9100"
                    target_label: host
                    replacement: $1
                    action: replace
                metric_relabel_configs:
                  - regex: go_.*
                    action: labeldrop
            remote_write:
              - url: http://localhost:9009/api/v1/push
                name: mc
                headers:
                  X-Scope-OrgID: team-a
                remote_timeout: 30s
                write_relabel_configs:
                  - source_labels: [__name__]
                    regex: "expensive_.*"
                    action: drop
                queue_config:
                  capacity: 2500
                  max_shards: 200
                  min_backoff: 30ms
                  max_backoff: 5s

            """));
        yield return ("minimal", Utf8("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [\"x:1\"]\n"));
    }

    /// <summary>File service discovery target files, JSON and YAML.</summary>
    public static IEnumerable<(string Name, byte[] Data)> FileSd()
    {
        yield return ("json", Utf8("""
            [{"targets": ["a:9100", "b:9100"], "labels": {"env": "prod", "team": "x"}}, {"targets": ["c:1"]}]
            """));
        yield return ("yaml", Utf8("""
            - targets: ["a:9100", "b:9100"]
              labels:
                env: prod
            - targets:
                - c:1

            """));
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}

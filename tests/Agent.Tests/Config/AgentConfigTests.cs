using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Relabel;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.Config;

/// <summary>Parsing of Prometheus-format agent configs: defaults, every field, and one row per error.</summary>
public sealed class AgentConfigTests
{
    private const string Full = """
        global:
          scrape_interval: 15s
          scrape_timeout: 5s
          evaluation_interval: 30s
          external_labels:
            cluster: eu-1
            replica: a
        scrape_configs:
          - job_name: node
            scrape_interval: 1m30s
            scrape_timeout: 20s
            metrics_path: /probe
            scheme: https
            params:
              module: [http_2xx, other]
            honor_labels: true
            honor_timestamps: false
            sample_limit: 1000
            label_limit: 30
            label_name_length_limit: 100
            label_value_length_limit: 200
            body_size_limit: 10MB
            basic_auth:
              username: u
              password_file: secrets/pw
            static_configs:
              - targets: ["a:9100", "b:9100"]
                labels: {env: prod}
            file_sd_configs:
              - files: [sd/*.json, /abs/x.yml]
                refresh_interval: 30s
            relabel_configs:
              - source_labels: [__address__]
                target_label: __param_target
              - action: hashmod
                source_labels: [__address__]
                modulus: 4
                target_label: __tmp_hash
            metric_relabel_configs:
              - action: labeldrop
                regex: tmp_.*
          - job_name: defaults
        remote_write:
          - url: http://localhost:9009/api/v1/push
            name: mimir
            headers: {X-Scope-OrgID: tenant-1}
            bearer_token: tok
            remote_timeout: 10s
            write_relabel_configs:
              - action: drop
                source_labels: [__name__]
                regex: go_.*
            queue_config:
              capacity: 100
              max_shards: 4
              min_shards: 2
              max_samples_per_send: 50
              batch_send_deadline: 1s
              min_backoff: 10ms
              max_backoff: 1s
              retry_on_http_429: true
        """;

    [Fact]
    public void ParsesEveryField()
    {
        var c = AgentConfig.Parse(Full, "/etc/agent");
        Assert.Equal(TimeSpan.FromSeconds(15), c.Global.ScrapeInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), c.Global.ScrapeTimeout);
        Assert.Equal(Labels.FromStrings("cluster", "eu-1", "replica", "a"), c.Global.ExternalLabels);

        var s = c.ScrapeConfigs[0];
        Assert.Equal("node", s.JobName);
        Assert.Equal(TimeSpan.FromSeconds(90), s.ScrapeInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), s.ScrapeTimeout);
        Assert.Equal("/probe", s.MetricsPath);
        Assert.Equal("https", s.Scheme);
        Assert.Equal(["http_2xx", "other"], Assert.Single(s.Params, p => p.Key == "module").Value);
        Assert.True(s.HonorLabels);
        Assert.False(s.HonorTimestamps);
        Assert.Equal((1000UL, 30UL, 100UL, 200UL), (s.SampleLimit, s.LabelLimit, s.LabelNameLengthLimit, s.LabelValueLengthLimit));
        Assert.Equal(10L * 1024 * 1024, s.BodySizeLimit);
        Assert.Equal(new BasicAuth("u", null, "/etc/agent/secrets/pw"), s.Auth.BasicAuth);
        var g = Assert.Single(s.StaticConfigs);
        Assert.Equal("0", g.Source);
        Assert.Equal(["a:9100", "b:9100"], g.Targets.Select(t => t.Get("__address__")));
        Assert.Equal(Labels.FromStrings("env", "prod"), g.Labels);
        var f = Assert.Single(s.FileSdConfigs);
        Assert.Equal(["/etc/agent/sd/*.json", "/abs/x.yml"], f.Files);
        Assert.Equal(TimeSpan.FromSeconds(30), f.RefreshInterval);
        Assert.Equal(2, s.RelabelConfigs.Count);
        Assert.Equal(RelabelAction.HashMod, s.RelabelConfigs[1].Action);
        Assert.Equal(4UL, s.RelabelConfigs[1].Modulus);
        Assert.Equal(RelabelAction.LabelDrop, Assert.Single(s.MetricRelabelConfigs).Action);

        var rw = Assert.Single(c.RemoteWrite);
        Assert.Equal(new Uri("http://localhost:9009/api/v1/push"), rw.Url);
        Assert.Equal("mimir", rw.Name);
        Assert.Equal("tenant-1", Assert.Single(rw.Headers).Value);
        Assert.Equal("tok", rw.Auth.BearerToken);
        Assert.Equal(TimeSpan.FromSeconds(10), rw.RemoteTimeout);
        Assert.Equal(RelabelAction.Drop, Assert.Single(rw.WriteRelabelConfigs).Action);
        Assert.Equal(
            new QueueConfig
            {
                Capacity = 100, MaxShards = 4, MinShards = 2, MaxSamplesPerSend = 50, BatchSendDeadline = TimeSpan.FromSeconds(1),
                MinBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromSeconds(1), RetryOnHttp429 = true,
            },
            rw.QueueConfig);
    }

    [Fact]
    public void AppliesPrometheusDefaults()
    {
        var c = AgentConfig.Parse("scrape_configs: [{job_name: a}]\nremote_write: [{url: 'http://x/push'}]");
        Assert.Equal(TimeSpan.FromMinutes(1), c.Global.ScrapeInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), c.Global.ScrapeTimeout);
        var s = c.ScrapeConfigs[0];
        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10)), (s.ScrapeInterval, s.ScrapeTimeout));
        Assert.Equal(("/metrics", "http", false, true), (s.MetricsPath, s.Scheme, s.HonorLabels, s.HonorTimestamps));
        Assert.Equal(new QueueConfig(), c.RemoteWrite[0].QueueConfig);
        Assert.Equal(2500, c.RemoteWrite[0].QueueConfig.Capacity);
        Assert.Equal(TimeSpan.FromSeconds(30), c.RemoteWrite[0].RemoteTimeout);
        Assert.Empty(AgentConfig.Parse("").ScrapeConfigs);
        Assert.Empty(AgentConfig.Parse("rule_files: []\nalerting: {}").ScrapeConfigs);
    }

    [Theory]
    [InlineData("global: {scrape_interval: 5s}\nscrape_configs: [{job_name: a}]", 5, 5)]
    [InlineData("scrape_configs: [{job_name: a, scrape_interval: 3s}]", 3, 3)]
    [InlineData("global: {scrape_timeout: 2s}\nscrape_configs: [{job_name: a, scrape_interval: 5s}]", 5, 2)]
    [InlineData("global: {scrape_timeout: 20s, scrape_interval: 30s}\nscrape_configs: [{job_name: a, scrape_interval: 15s}]", 15, 15)]
    public void TimeoutDefaultsToMinOfGlobalTimeoutAndInterval(string yaml, int intervalS, int timeoutS)
    {
        var s = AgentConfig.Parse(yaml).ScrapeConfigs[0];
        Assert.Equal(TimeSpan.FromSeconds(intervalS), s.ScrapeInterval);
        Assert.Equal(TimeSpan.FromSeconds(timeoutS), s.ScrapeTimeout);
    }

    [Theory]
    [InlineData("foo: 1", "line 1: foo: unknown field")]
    [InlineData("global:\n  scrape_intervl: 1s", "line 2: global.scrape_intervl: unknown field")]
    [InlineData("global: {scrape_interval: 10s, scrape_timeout: 20s}", "global scrape timeout greater than scrape interval")]
    [InlineData("global: {scrape_interval: 1.5s}", "not a valid duration string: \"1.5s\"")]
    [InlineData("global: {external_labels: {a-b: x}}", "\"a-b\" is not a valid label name")]
    [InlineData("rule_files: [a.yml]", "rule_files: is a Prometheus section the agent does not support")]
    [InlineData("scrape_configs:\n  - job_name: a\n  - job_name: a", "line 3: scrape_configs[1] (job \"a\"): found multiple scrape configs with job name \"a\"")]
    [InlineData("scrape_configs: [{scrape_interval: 1s}]", "job_name is empty")]
    [InlineData("scrape_configs:\n  - job_name: j\n    scrape_interval: 5s\n    scrape_timeout: 6s", "line 4: scrape_configs[0] (job \"j\").scrape_timeout: scrape timeout greater than scrape interval for scrape config with job name \"j\"")]
    [InlineData("scrape_configs:\n  - job_name: j\n    scheme: ftp", "line 3: scrape_configs[0] (job \"j\").scheme: invalid scheme \"ftp\"")]
    [InlineData("scrape_configs: [{job_name: j, sample_limit: -1}]", "sample_limit: \"-1\" is not a non-negative integer")]
    [InlineData("scrape_configs: [{job_name: j, honor_labels: yes}]", "honor_labels: expected true or false")]
    [InlineData("scrape_configs: [{job_name: j, body_size_limit: 10XB}]", "\"10XB\" is not a valid byte size")]
    [InlineData("scrape_configs: [{job_name: j, bearer_token: a, bearer_token_file: b}]", "at most one of bearer_token & bearer_token_file")]
    [InlineData("scrape_configs: [{job_name: j, bearer_token: a, basic_auth: {username: u}}]", "at most one of basic_auth, oauth2, bearer_token & bearer_token_file")]
    [InlineData("scrape_configs: [{job_name: j, basic_auth: {username: u, password: p, password_file: f}}]", "at most one of basic_auth password & password_file")]
    [InlineData("scrape_configs: [{job_name: j, basic_auth: {user: u}}]", "basic_auth.user: unknown field")]
    [InlineData("scrape_configs: [{job_name: j, static_configs: [{targets: ['http://a:1/metrics']}]}]", "\"http://a:1/metrics\" is not a valid hostname")]
    [InlineData("scrape_configs: [{job_name: j, static_configs: [{targets: [a], lables: {}}]}]", "static_configs[0].lables: unknown field")]
    [InlineData("scrape_configs: [{job_name: j, static_configs: [{targets: a}]}]", "static_configs[0].targets: expected a list")]
    [InlineData("scrape_configs: [{job_name: j, file_sd_configs: [{files: []}]}]", "must contain at least one path name")]
    [InlineData("scrape_configs: [{job_name: j, file_sd_configs: [{files: [a/*/b.json]}]}]", "path name \"a/*/b.json\" is not valid for file discovery")]
    [InlineData("scrape_configs: [{job_name: j, file_sd_configs: [{files: [a.txt]}]}]", "is not valid for file discovery")]
    [InlineData("scrape_configs: [{job_name: j, kubernetes_sd_configs: [{role: pod}]}]", "kubernetes_sd_configs: is valid in Prometheus but not supported")]
    [InlineData("scrape_configs:\n  - job_name: j\n    relabel_configs:\n      - action: bogus", "line 4: scrape_configs[0] (job \"j\").relabel_configs[0].action: unknown relabel action \"bogus\"")]
    [InlineData("scrape_configs:\n  - job_name: j\n    relabel_configs:\n      - action: replace", "line 4: scrape_configs[0] (job \"j\").relabel_configs[0]: relabel configuration for replace action requires 'target_label' value")]
    [InlineData("scrape_configs:\n  - job_name: j\n    metric_relabel_configs:\n      - action: keep\n        regex: '(a'", "line 5: scrape_configs[0] (job \"j\").metric_relabel_configs[0]: invalid regular expression \"(a\"")]
    [InlineData("scrape_configs: [{job_name: j, relabel_configs: [{source_labels: [a-b], target_label: x}]}]", "\"a-b\" is not a valid label name")]
    [InlineData("scrape_configs: [{job_name: j, relabel_configs: [{action: hashmod, target_label: x}]}]", "hashmod requires non-zero modulus")]
    [InlineData("scrape_configs: [{job_name: j, relabel_configs: [~]}]", "relabel_configs[0]: empty or null relabeling rule")]
    [InlineData("scrape_configs: [{job_name: j, relabel_configs: [{target_label: x, foo: 1}]}]", "relabel_configs[0].foo: unknown field")]
    [InlineData("scrape_configs: [~]", "empty or null scrape config section")]
    [InlineData("remote_write: [{name: x}]", "remote_write[0].url: url for remote_write is empty")]
    [InlineData("remote_write: [{url: 'ftp://x'}]", "is not an absolute http or https URL")]
    [InlineData("remote_write: [{url: 'http://x', headers: {Content-Type: a}}]", "Content-Type is a reserved header. It must not be changed")]
    [InlineData("remote_write: [{url: 'http://x', name: a}, {url: 'http://y', name: a}]", "found multiple remote write configs with job name \"a\"")]
    [InlineData("remote_write: [{url: 'http://x', queue_config: {max_shards: 0}}]", "max_shards must be between 1")]
    [InlineData("remote_write: [{url: 'http://x', queue_config: {min_shards: 5, max_shards: 2}}]", "min_shards (5) must not exceed max_shards (2)")]
    [InlineData("remote_write: [{url: 'http://x', queue_config: {capacty: 5}}]", "queue_config.capacty: unknown field")]
    [InlineData("remote_write: [{url: 'http://x', remote_timeout: 1x}]", "not a valid duration string")]
    [InlineData("global: {scrape_interval: 1s, scrape_interval: 2s}", "line 1: invalid YAML: Duplicate key")]
    [InlineData("scrape_configs: [job_name: a", "invalid YAML")]
    [InlineData("a:\n  \0: d\n", "invalid YAML")] // Found by tests/Fuzz (crash cf751807): YamlDotNet threw ArgumentException.
    [InlineData("scrape_configs: a", "line 1: scrape_configs: expected a list")]
    public void RejectsInvalid(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => AgentConfig.Parse(yaml, source: "agent.yml"));
        Assert.StartsWith("agent.yml: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadResolvesRelativePathsAgainstTheFilesDirectory()
    {
        string dir = Directory.CreateTempSubdirectory("agentcfg").FullName;
        try
        {
            string path = Path.Combine(dir, "agent.yml");
            File.WriteAllText(path, "scrape_configs: [{job_name: a, bearer_token_file: tok, file_sd_configs: [{files: [sd/*.yaml]}]}]");
            var s = AgentConfig.Load(path).ScrapeConfigs[0];
            Assert.Equal(Path.Combine(dir, "tok"), s.Auth.BearerTokenFile);
            Assert.Equal(Path.Combine(dir, "sd/*.yaml"), s.FileSdConfigs[0].Files[0]);

            var missing = Assert.Throws<ConfigException>(() => AgentConfig.Load(Path.Combine(dir, "nope.yml")));
            Assert.Contains("nope.yml", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

using MetricsCluster.Core;
using MetricsCluster.Ruler.RuleFiles;
using MetricsCluster.Ruler.Storage;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Storage;

public sealed class LocalRuleStoreTests : IDisposable
{
    private const string Alerts = """
        groups:
          - name: node
            rules:
              - alert: NodeDown
                expr: up{job="node"} == 0
                for: 5m
          - name: api
            rules:
              - record: job:up:sum
                expr: sum by (job) (up)
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mc-localrules-" + Guid.NewGuid().ToString("N"));
    private readonly LocalRuleStore _store;

    public LocalRuleStoreTests()
    {
        Write("user1/alerts.yaml", Alerts);
        Write("user1/more.yml", "groups:\n  - name: z\n    rules:\n      - record: a\n        expr: up\n");
        Write("user1/README.md", "not rules");
        Write("user1/..data/hidden.yaml", "not read: a directory");
        Write("user2/empty.yaml", string.Empty);
        Write("bad tenant/x.yaml", Alerts);
        Write(".mc~tmp/x.yaml", Alerts);
        _store = new LocalRuleStore(_dir);
    }

    [Fact]
    public async Task Tenants_are_directories_and_namespaces_are_yaml_file_names()
    {
        Assert.Equal(["user1", "user2"], await _store.ListTenantsAsync());
        Assert.Equal(
            [new RuleGroupKey("alerts.yaml", "api"), new RuleGroupKey("alerts.yaml", "node"), new RuleGroupKey("more.yml", "z")],
            await _store.ListGroupKeysAsync("user1"));
        Assert.Equal(["api", "node"], (await _store.ListGroupsAsync("user1", "alerts.yaml")).Select(g => g.Group.Name));
        Assert.Empty(await _store.ListGroupsAsync("user2"));
        Assert.Empty(await _store.ListGroupsAsync("user3"));

        var node = await _store.GetGroupAsync("user1", "alerts.yaml", "node");
        Assert.Equal(TimeSpan.FromMinutes(5), node!.Rules[0].For);
        Assert.Null(await _store.GetGroupAsync("user1", "alerts.yaml", "nope"));
    }

    [Theory]
    [InlineData("../user2/empty.yaml")]
    [InlineData("..")]
    [InlineData("README.md")]
    [InlineData("/etc/passwd")]
    public async Task A_namespace_that_is_not_a_rule_file_name_matches_nothing(string ns) =>
        Assert.Empty(await _store.ListGroupsAsync("user1", ns));

    [Fact]
    public async Task A_bad_tenant_id_reaches_nothing() =>
        await Assert.ThrowsAsync<InvalidTenantIdException>(() => _store.ListGroupsAsync("../user1"));

    [Fact]
    public async Task Writes_are_rejected_and_change_nothing()
    {
        await Assert.ThrowsAsync<ReadOnlyRuleStoreException>(() => _store.SetGroupAsync("user1", "alerts.yaml", new RuleGroup("x", [Rule.Recording("a", "up")])));
        await Assert.ThrowsAsync<ReadOnlyRuleStoreException>(() => _store.DeleteGroupAsync("user1", "alerts.yaml", "node"));
        var e = await Assert.ThrowsAsync<ReadOnlyRuleStoreException>(() => _store.DeleteNamespaceAsync("user1", "alerts.yaml"));

        Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
        Assert.Equal(Alerts, File.ReadAllText(Path.Combine(_dir, "user1/alerts.yaml")));
    }

    [Fact]
    public async Task A_file_that_does_not_parse_fails_its_tenant_with_promtools_errors()
    {
        Write("user2/broken.yaml", "groups:\n  - name: g\n    rules:\n      - record: a\n");
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => _store.ListGroupsAsync("user2"));
        Assert.EndsWith("broken.yaml: 0:0: group \"g\", rule 1, \"a\": field 'expr' must be set in rule", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_directory_has_no_tenants() =>
        Assert.Empty(await new LocalRuleStore(Path.Combine(_dir, "nope")).ListTenantsAsync());

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string relative, string text)
    {
        string path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}

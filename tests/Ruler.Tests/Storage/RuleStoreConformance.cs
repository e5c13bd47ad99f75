using MetricsCluster.Core;
using MetricsCluster.Ruler.RuleFiles;
using MetricsCluster.Ruler.Storage;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Storage;

/// <summary>The contract of a writable <see cref="IRuleStore"/>, inherited once per backend (G18).</summary>
public abstract class RuleStoreConformance
{
    protected static readonly RuleGroup Full = new(
        "api",
        TimeSpan.FromMinutes(2),
        5,
        TimeSpan.FromSeconds(30),
        [
            Rule.Recording("job:up:sum", "sum by (job) (up)", KeyValuePair.Create("team", "a")),
            new Rule(null, "Down", "up == 0", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30),
                [KeyValuePair.Create("severity", "page")], [KeyValuePair.Create("summary", "down")]),
        ],
        ["t1", "t2"]);

    /// <summary>A new, empty store.</summary>
    protected abstract IRuleStore Store { get; }

    [Fact]
    public async Task A_group_reads_back_as_written_and_a_write_replaces_it()
    {
        await Store.SetGroupAsync("user1", "ns", Full);
        Assert.Equal(Full, await Store.GetGroupAsync("user1", "ns", "api"));

        var replaced = Full with { Rules = [Rule.Recording("other", "up")], SourceTenants = [] };
        await Store.SetGroupAsync("user1", "ns", replaced);
        Assert.Equal(replaced, await Store.GetGroupAsync("user1", "ns", "api"));
        Assert.Null(await Store.GetGroupAsync("user1", "ns", "nope"));
        Assert.Null(await Store.GetGroupAsync("user2", "ns", "api"));
    }

    [Theory]
    [InlineData("a/b", "with / slash")]
    [InlineData("..", ".")]
    [InlineData("ünïcode ✓", "% and ?#")]
    [InlineData("rules", "+=")]
    public async Task Any_namespace_and_group_name_is_one_safe_key(string ns, string group)
    {
        var g = new RuleGroup(group, [Rule.Recording("x", "up")]);
        await Store.SetGroupAsync("user1", ns, g);

        Assert.Equal(g, await Store.GetGroupAsync("user1", ns, group));
        Assert.Equal([new RuleGroupKey(ns, group)], await Store.ListGroupKeysAsync("user1"));
        Assert.Equal(["user1"], await Store.ListTenantsAsync());
    }

    [Fact]
    public async Task Listings_are_per_tenant_and_namespace_and_sorted()
    {
        for (int i = 24; i >= 0; i--)
        {
            await Store.SetGroupAsync("user1", i % 2 == 0 ? "even" : "odd", new RuleGroup($"g{i:00}", [Rule.Recording("x", i.ToString(System.Globalization.CultureInfo.InvariantCulture))]));
        }

        await Store.SetGroupAsync("user2", "even", new RuleGroup("other", [Rule.Recording("y", "up")]));

        Assert.Equal(["user1", "user2"], await Store.ListTenantsAsync());
        var all = await Store.ListGroupsAsync("user1");
        Assert.Equal(25, all.Count);
        Assert.Equal(
            all.Select(g => (g.Namespace, g.Group.Name)).OrderBy(k => k.Namespace, StringComparer.Ordinal).ThenBy(k => k.Name, StringComparer.Ordinal),
            all.Select(g => (g.Namespace, g.Group.Name)));
        Assert.All(all, g => Assert.Equal("user1", g.Tenant));
        Assert.Equal("24", all.Single(g => g.Group.Name == "g24").Group.Rules[0].Expr);
        Assert.Equal(12, (await Store.ListGroupKeysAsync("user1", "odd")).Count);
        Assert.Equal(13, (await Store.ListGroupsAsync("user1", "even")).Count);
        Assert.Empty(await Store.ListGroupsAsync("user1", "none"));
        Assert.Empty(await Store.ListGroupsAsync("user3"));
    }

    [Fact]
    public async Task Deletes_say_whether_there_was_something_to_delete()
    {
        await Store.SetGroupAsync("user1", "ns", new RuleGroup("a", [Rule.Recording("x", "up")]));
        await Store.SetGroupAsync("user1", "ns", new RuleGroup("b", [Rule.Recording("x", "up")]));
        await Store.SetGroupAsync("user1", "kept", new RuleGroup("c", [Rule.Recording("x", "up")]));

        Assert.True(await Store.DeleteGroupAsync("user1", "ns", "a"));
        Assert.False(await Store.DeleteGroupAsync("user1", "ns", "a"));
        Assert.True(await Store.DeleteNamespaceAsync("user1", "ns"));
        Assert.False(await Store.DeleteNamespaceAsync("user1", "ns"));
        Assert.Equal([new RuleGroupKey("kept", "c")], await Store.ListGroupKeysAsync("user1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../user2")]
    [InlineData("a/b")]
    [InlineData("__mimir_cluster")]
    public async Task A_bad_tenant_id_reaches_nothing(string tenant)
    {
        await Assert.ThrowsAsync<InvalidTenantIdException>(() => Store.SetGroupAsync(tenant, "ns", Full));
        await Assert.ThrowsAsync<InvalidTenantIdException>(() => Store.GetGroupAsync(tenant, "ns", "api"));
        await Assert.ThrowsAsync<InvalidTenantIdException>(() => Store.ListGroupsAsync(tenant));
        await Assert.ThrowsAsync<InvalidTenantIdException>(() => Store.DeleteNamespaceAsync(tenant, "ns"));
        Assert.Empty(await Store.ListTenantsAsync());
    }

    [Fact]
    public async Task Empty_names_are_rejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SetGroupAsync("user1", string.Empty, Full));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SetGroupAsync("user1", "ns", Full with { Name = string.Empty }));
    }
}

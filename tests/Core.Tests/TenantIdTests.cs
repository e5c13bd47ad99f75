using Xunit;

namespace MetricsCluster.Core.Tests;

public class TenantIdTests
{
    public static TheoryData<string?, string?> Cases => new()
    {
        { "tenant-1", null },
        { "a", null },
        { "Az09!-_.*'()", null },
        { new string('x', 150), null },
        { "...", null },
        { null, "no org id" },
        { string.Empty, "no org id" },
        { new string('x', 151), "tenant ID is too long: max 150 characters" },
        { ".", "tenant ID is '.' or '..'" },
        { "..", "tenant ID is '.' or '..'" },
        { "__mimir_cluster", "tenant ID '__mimir_cluster' is not allowed" },
        { "a/b", "tenant ID 'a/b' contains unsupported character '/'" },
        { "a b", "tenant ID 'a b' contains unsupported character ' '" },
        { "t\u00e9", "tenant ID 't\u00e9' contains unsupported character '\u00e9'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValidateFollowsMimirRules(string? id, string? expected)
    {
        Assert.Equal(expected, TenantId.Validate(id));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TryResolveWithMultitenancyUsesTheHeader(string? id, string? expected)
    {
        bool ok = TenantId.TryResolve(id, multitenancyEnabled: true, out string tenant, out string? error);
        Assert.Equal(expected is null, ok);
        Assert.Equal(expected, error);
        Assert.Equal(ok ? id : string.Empty, tenant);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("team-a")]
    [InlineData("bad/tenant")]
    public void TryResolveWithoutMultitenancyIsAnonymous(string? header)
    {
        Assert.True(TenantId.TryResolve(header, multitenancyEnabled: false, out string tenant, out string? error));
        Assert.Equal(TenantId.Anonymous, tenant);
        Assert.Null(error);
    }

    [Fact]
    public void TryResolveRejectsSeveralTenants()
    {
        Assert.False(TenantId.TryResolve("a|b", multitenancyEnabled: true, out _, out string? error));
        Assert.Equal("multiple org IDs present", error);
    }

    [Theory]
    [InlineData("../../x", "contains unsupported character '/'")]
    [InlineData("/abs", "contains unsupported character '/'")]
    [InlineData("..", "tenant ID is '.' or '..'")]
    [InlineData("a\0b", "contains unsupported character")]
    public void ThrowIfInvalidNamesTheTenantTheReasonAndTheRule(string id, string reason)
    {
        var e = Assert.Throws<InvalidTenantIdException>(() => TenantId.ThrowIfInvalid(id));
        Assert.Equal(id, e.Tenant);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains(TenantId.Rule, e.Message, StringComparison.Ordinal);
        Assert.Contains("(err-mc-tenant-id-invalid)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".a")]
    [InlineData("x.tmp")]
    [InlineData("a.tmp.b")]
    public void ThrowIfInvalidReturnsValidIds(string id) => Assert.Same(id, TenantId.ThrowIfInvalid(id));
}

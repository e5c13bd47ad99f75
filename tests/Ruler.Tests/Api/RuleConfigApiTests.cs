using System.Collections.Concurrent;
using System.Net;
using System.Text;
using MetricsCluster.Core.Limits;
using MetricsCluster.ObjectStore;
using MetricsCluster.Ruler.Api;
using MetricsCluster.Ruler.RuleFiles;
using MetricsCluster.Ruler.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Api;

/// <summary>Mimir's rule config API on real Kestrel (loopback, port 0) over a filesystem bucket and a local directory.</summary>
public sealed class RuleConfigApiTests : IAsyncLifetime
{
    private const string Rules = "/prometheus/config/v1/rules";

    private const string Group = """
        name: api
        interval: 1m
        rules:
          - record: job:up:sum
            expr: sum by (job) (up)
          - alert: Down
            expr: up == 0
            for: 5m
            labels:
              severity: page
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mc-ruler-api-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentQueue<string> _changed = new();
    private FilesystemBucket _bucket = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _bucket = new FilesystemBucket(Path.Combine(_dir, "bucket"));
        Directory.CreateDirectory(Path.Combine(_dir, "local", "user1"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "local", "user1", "rules.yaml"), "groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n");

        var overrides = new StaticOverrides(new Limits(), new Dictionary<string, Limits>
        {
            ["small"] = new Limits { RulerMaxRuleGroupsPerTenant = 2, RulerMaxRulesPerRuleGroup = 2 },
            ["unlimited"] = new Limits { RulerMaxRuleGroupsPerTenant = 0, RulerMaxRulesPerRuleGroup = 0 },
        });
        var b = WebApplication.CreateSlimBuilder();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        _app = b.Build();
        _app.MapRulerConfigApi("/prometheus", new BucketRuleStore(_bucket), overrides, ResolveTenant, _changed.Enqueue);
        _app.MapRulerConfigApi("/local", new LocalRuleStore(Path.Combine(_dir, "local")), overrides, ResolveTenant, _changed.Enqueue);
        await _app.StartAsync();
        var addr = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(addr) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        _bucket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_posted_group_is_accepted_signalled_and_read_back_under_its_decoded_namespace()
    {
        var post = await Send(HttpMethod.Post, Rules + "/team%2Fa%2541", "user1", Group);
        Assert.Equal((HttpStatusCode.Accepted, "application/json"), (post.Status, post.ContentType));
        Assert.Equal("""{"status":"success","data":null,"errorType":"","error":""}""", post.Body);
        Assert.Equal(["user1"], _changed);

        var expected = RuleFileParser.ParseGroup(Group).Group!;
        var one = await Send(HttpMethod.Get, Rules + "/team%2Fa%2541/api", "user1");
        Assert.Equal((HttpStatusCode.OK, "application/yaml"), (one.Status, one.ContentType));
        Assert.Equal(RuleFileSerializer.ToYaml(expected), one.Body);

        string all = RuleFileSerializer.ToNamespaceYaml([new TenantRuleGroup("user1", "team/a%41", expected)]);
        Assert.Equal(all, (await Send(HttpMethod.Get, Rules, "user1")).Body);
        Assert.Equal(all, (await Send(HttpMethod.Get, Rules + "/team%2Fa%2541", "user1")).Body);
        Assert.Equal("{}\n", (await Send(HttpMethod.Get, Rules + "/other", "user1")).Body);
        Assert.Equal("{}\n", (await Send(HttpMethod.Get, Rules, "user2")).Body);
    }

    [Fact]
    public async Task No_groups_is_an_empty_map_and_a_missing_group_is_404()
    {
        Assert.Equal((HttpStatusCode.OK, "{}\n"), Short(await Send(HttpMethod.Get, Rules, "user1")));
        Assert.Equal((HttpStatusCode.NotFound, "group does not exist\n"), Short(await Send(HttpMethod.Get, Rules + "/ns/nope", "user1")));
        Assert.Equal((HttpStatusCode.NotFound, "group does not exist\n"), Short(await Send(HttpMethod.Delete, Rules + "/ns/nope", "user1")));
        Assert.Equal((HttpStatusCode.NotFound, "group namespace does not exist\n"), Short(await Send(HttpMethod.Delete, Rules + "/ns", "user1")));
        Assert.Empty(_changed);
    }

    [Fact]
    public async Task A_bad_group_is_refused_with_every_error_and_nothing_stored_changes()
    {
        await Send(HttpMethod.Post, Rules + "/ns", "user1", Group);
        string before = (await Send(HttpMethod.Get, Rules, "user1")).Body;

        var bad = await Send(HttpMethod.Post, Rules + "/ns", "user1", """
            name: api
            rules:
              - record: bad name
                expr: up
              - alert: A
                expr: sum(
            """);

        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal(
            "3:13: group \"api\", rule 1, \"bad name\": invalid recording rule name: bad name, " +
            "6:11: group \"api\", rule 2, \"A\": could not parse expression: 1:5: parse error: unclosed left parenthesis\n",
            bad.Body);
        Assert.StartsWith("unable to decode rule group: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into rulefmt.RuleGroup",
            (await Send(HttpMethod.Post, Rules + "/ns", "user1", "[1, 2]")).Body, StringComparison.Ordinal);
        Assert.Equal("invalid rules configuration: rule group 'api' has no rules\n", (await Send(HttpMethod.Post, Rules + "/ns", "user1", "name: api\n")).Body);
        Assert.Equal(before, (await Send(HttpMethod.Get, Rules, "user1")).Body);
        Assert.Equal(["user1"], _changed);
    }

    [Fact]
    public async Task Five_kinds_of_mistakes_in_one_group_are_each_named_and_nothing_stored_changes()
    {
        await Send(HttpMethod.Post, Rules + "/ns", "user1", Group);
        string before = (await Send(HttpMethod.Get, Rules, "user1")).Body;

        var bad = await Send(HttpMethod.Post, Rules + "/ns", "user1", """
            name: api
            rules:
              - record: bad name
                expr: up
              - alert: Unparsable
                expr: rate(up[5m]
              - record: ok:rate
                expr: up
                for: 5m
              - alert: BadLabel
                expr: up == 0
                labels:
                  0bad: x
              - alert: BadTemplate
                expr: up == 0
                annotations:
                  summary: "{{ $labels.instance "
            """);

        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("rule 1, \"bad name\": invalid recording rule name: bad name", bad.Body, StringComparison.Ordinal);
        Assert.Contains("rule 2, \"Unparsable\": could not parse expression: ", bad.Body, StringComparison.Ordinal);
        Assert.Contains("rule 3, \"ok:rate\": invalid field 'for' in recording rule", bad.Body, StringComparison.Ordinal);
        Assert.Contains("rule 4, \"BadLabel\": invalid label name: 0bad", bad.Body, StringComparison.Ordinal);
        Assert.Contains("rule 5, \"BadTemplate\": annotation \"summary\": template: __alert_BadTemplate:1: ", bad.Body, StringComparison.Ordinal);
        Assert.Equal(before, (await Send(HttpMethod.Get, Rules, "user1")).Body);
    }

    [Fact]
    public async Task Fields_mimir_knows_and_we_do_not_are_ignored_as_mimir_ignores_unknown_fields()
    {
        var post = await Send(HttpMethod.Post, Rules + "/ns", "user1", "name: g\nevaluation_delay: 1m\nalign_evaluation_time_on_interval: true\nrules:\n  - record: a\n    expr: up\n");
        Assert.Equal(HttpStatusCode.Accepted, post.Status);
    }

    [Fact]
    public async Task The_limits_are_mimirs_and_replacing_a_group_does_not_count_as_a_new_one()
    {
        const string twoRules = "rules:\n  - record: a\n    expr: up\n  - record: b\n    expr: up\n";
        Assert.Equal(HttpStatusCode.Accepted, (await Send(HttpMethod.Post, Rules + "/ns1", "small", "name: g1\n" + twoRules)).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await Send(HttpMethod.Post, Rules + "/ns2", "small", "name: g2\n" + twoRules)).Status);

        Assert.Equal((HttpStatusCode.BadRequest, "per-user rule groups limit (limit: 2 actual: 3) exceeded\n"),
            Short(await Send(HttpMethod.Post, Rules + "/ns1", "small", "name: g3\n" + twoRules)));
        Assert.Equal((HttpStatusCode.BadRequest, "per-user rules per rule group limit (limit: 2 actual: 3) exceeded\n"),
            Short(await Send(HttpMethod.Post, Rules + "/ns1", "small", "name: g1\n" + twoRules + "  - record: c\n    expr: up\n")));
        Assert.Equal(HttpStatusCode.Accepted, (await Send(HttpMethod.Post, Rules + "/ns2", "small", "name: g2\nrules:\n  - record: z\n    expr: up\n")).Status);

        var many = new StringBuilder("name: big\nrules:\n");
        for (int i = 0; i < 21; i++)
        {
            many.Append("  - record: r").Append(i).Append("\n    expr: up\n");
        }

        Assert.Equal("per-user rules per rule group limit (limit: 20 actual: 21) exceeded\n", (await Send(HttpMethod.Post, Rules + "/ns", "user1", many.ToString())).Body);
        Assert.Equal(HttpStatusCode.Accepted, (await Send(HttpMethod.Post, Rules + "/ns", "unlimited", many.ToString())).Status);
    }

    [Fact]
    public async Task Deletes_are_accepted_signalled_and_leave_the_rest()
    {
        await Send(HttpMethod.Post, Rules + "/ns", "user1", Group);
        await Send(HttpMethod.Post, Rules + "/ns", "user1", Group.Replace("name: api", "name: other", StringComparison.Ordinal));
        await Send(HttpMethod.Post, Rules + "/kept", "user1", Group);

        Assert.Equal(HttpStatusCode.Accepted, (await Send(HttpMethod.Delete, Rules + "/ns/api", "user1")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, Rules + "/ns/api", "user1")).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await Send(HttpMethod.Delete, Rules + "/ns", "user1")).Status);

        var left = RuleFileParser.ParseGroup(Group).Group!;
        Assert.Equal(RuleFileSerializer.ToNamespaceYaml([new TenantRuleGroup("user1", "kept", left)]), (await Send(HttpMethod.Get, Rules, "user1")).Body);
        Assert.Equal(Enumerable.Repeat("user1", 5), _changed);
    }

    [Fact]
    public async Task A_body_past_the_limit_is_413_and_stores_nothing()
    {
        string huge = Group + "\n# " + new string('x', RuleConfigEndpoints.MaxRuleGroupBytes) + "\n";
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Send(HttpMethod.Post, Rules + "/ns", "user1", huge)).Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Send(HttpMethod.Post, Rules + "/ns", "user1", huge, chunked: true)).Status);
        Assert.Equal("{}\n", (await Send(HttpMethod.Get, Rules, "user1")).Body);
    }

    [Fact]
    public async Task A_request_without_a_tenant_gets_the_resolvers_answer()
    {
        var r = await Send(HttpMethod.Get, Rules, tenant: null);
        Assert.Equal((HttpStatusCode.Unauthorized, "no org id"), Short(r));
    }

    [Fact]
    public async Task The_local_store_reads_and_refuses_writes_with_405()
    {
        Assert.Contains("rules.yaml:", (await Send(HttpMethod.Get, "/local/config/v1/rules", "user1")).Body, StringComparison.Ordinal);
        var post = await Send(HttpMethod.Post, "/local/config/v1/rules/rules.yaml", "user1", Group);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.Status);
        Assert.StartsWith("the rule store is read-only", post.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Send(HttpMethod.Delete, "/local/config/v1/rules/rules.yaml", "user1")).Status);
        Assert.Empty(_changed);
    }

    [Theory]
    [InlineData("a%2Fb", "a/b")]
    [InlineData("%2541", "%41")]
    [InlineData("a+b", "a+b")]
    [InlineData("%C3%BC", "ü")]
    public void Path_segments_are_unescaped_once_as_gos_path_unescape_does(string raw, string expected)
    {
        Assert.True(RulePathSegments.TryUnescape(raw, out string value, out _));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("%zz", "invalid URL escape \"%zz\"")]
    [InlineData("ab%4", "invalid URL escape \"%4\"")]
    [InlineData("%FF", "invalid UTF-8 in path segment \"%FF\"")]
    public void A_bad_escape_is_an_error(string raw, string error)
    {
        Assert.False(RulePathSegments.TryUnescape(raw, out _, out string? e));
        Assert.Equal(error, e);
    }

    private static (string? Tenant, IResult? Error) ResolveTenant(HttpContext ctx) =>
        ctx.Request.Headers.TryGetValue("X-Scope-OrgID", out var t) ? (t.ToString(), null) : (null, Results.Text("no org id", statusCode: 401));

    private static (HttpStatusCode, string) Short((HttpStatusCode Status, string? ContentType, string Body) r) => (r.Status, r.Body);

    private async Task<(HttpStatusCode Status, string? ContentType, string Body)> Send(HttpMethod method, string path, string? tenant, string? body = null, bool chunked = false)
    {
        using var req = new HttpRequestMessage(method, path);
        if (tenant is not null)
        {
            req.Headers.Add("X-Scope-OrgID", tenant);
        }

        if (body is not null)
        {
            req.Content = new StringContent(body, Encoding.UTF8, "application/yaml");
            req.Headers.TransferEncodingChunked = chunked;
        }

        using var resp = await _http.SendAsync(req);
        return (resp.StatusCode, resp.Content.Headers.ContentType?.MediaType, await resp.Content.ReadAsStringAsync());
    }
}

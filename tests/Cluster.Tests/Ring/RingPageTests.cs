using System.Net;
using System.Text.Json;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Ring;

/// <summary>The ring page on real Kestrel (127.0.0.1, ephemeral port).</summary>
public sealed class RingPageTests : IAsyncLifetime
{
    private const string Evil = "<script>alert(1)</script>";
    private readonly ManualTimeProvider _clock = new();
    private readonly MemoryRingStore _store = new();
    private readonly FakeLiveness _liveness = new("dead");
    private RingClient _ring = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        DateTimeOffset now = _clock.GetUtcNow();
        await _store.CasAsync(
            "ingester",
            _ =>
            {
                var desc = new RingDesc();
                desc.Instances["alive"] = Instance("alive", "zone-a", InstanceState.Active, now.AddSeconds(-1), [1u << 30, 3u << 30]);
                desc.Instances["dead"] = Instance("dead", "zone-a", InstanceState.Leaving, now.AddMinutes(-5), [2u << 30]);
                desc.Instances[Evil] = Instance(Evil, Evil, InstanceState.Joining, now, []);
                return desc;
            },
            default);

        _ring = new RingClient(_store, _liveness, new RingOptions(), _clock, NullLogger<RingClient>.Instance);
        await _ring.StartAsync(default);
        await Eventually.TrueAsync(() => _ring.Instances.Count == 3, "the ring");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapRingPage("/ingester/ring", _ring, _store, "ingester", _clock);
        await _app.StartAsync();
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _ring.StopAsync(default);
        _ring.Dispose();
    }

    private static InstanceDesc Instance(string id, string zone, InstanceState state, DateTimeOffset registered, uint[] tokens)
    {
        var d = new InstanceDesc
        {
            Id = id,
            Zone = zone,
            State = state,
            Addr = id + ":9095",
            HttpAddr = id + ":8080",
            RegisteredTimestamp = registered.ToUnixTimeMilliseconds(),
        };
        d.Tokens.AddRange(tokens);
        return d;
    }

    private async Task<JsonElement[]> ShardsAsync(string query = "?format=json", string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ingester/ring" + query);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using HttpResponseMessage response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.TryGetProperty("now", out _));
        return [.. doc.RootElement.GetProperty("shards").EnumerateArray().Select(e => e.Clone())];
    }

    [Theory]
    [InlineData("?format=json", null)]
    [InlineData("", "application/json")]
    public async Task Json_lists_every_instance_with_health_and_ownership(string query, string? accept)
    {
        JsonElement[] shards = await ShardsAsync(query, accept);
        Assert.Equal([Evil, "alive", "dead"], shards.Select(s => s.GetProperty("id").GetString()));

        JsonElement alive = shards[1];
        Assert.Equal("zone-a", alive.GetProperty("zone").GetString());
        Assert.Equal("ACTIVE", alive.GetProperty("state").GetString());
        Assert.Equal("alive:9095", alive.GetProperty("address").GetString());
        Assert.Equal("alive:8080", alive.GetProperty("http_address").GetString());
        Assert.Equal("Active (test)", alive.GetProperty("silo_status").GetString());
        Assert.False(alive.TryGetProperty("timestamp", out _)); // The heartbeat column is gone with the heartbeats.
        Assert.Equal(_clock.GetUtcNow().AddSeconds(-1), alive.GetProperty("registered_timestamp").GetDateTimeOffset());
        Assert.Equal(2, alive.GetProperty("tokens").GetInt32());
        Assert.True(alive.GetProperty("healthy").GetBoolean());

        // alive owns (2<<30, 3<<30] and (3<<30, 1<<30] wrapping: 3/4 of zone-a; dead owns 1/4.
        Assert.Equal(75.0, alive.GetProperty("ownership").GetDouble(), 3);
        Assert.Equal(25.0, shards[2].GetProperty("ownership").GetDouble(), 3);
        // LEAVING is a state every report shows as healthy: dead is unhealthy because its process is dead.
        Assert.False(shards[2].GetProperty("healthy").GetBoolean());
        Assert.Equal("LEAVING", shards[2].GetProperty("state").GetString());
        Assert.Equal("Dead (test)", shards[2].GetProperty("silo_status").GetString());
        Assert.True(shards[0].GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task Html_shows_the_table_encoded_with_forget_buttons()
    {
        using HttpResponseMessage response = await _http.GetAsync(new Uri("/ingester/ring", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        string html = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain(Evil, html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"http://alive:8080/\">alive:8080</a>", html, StringComparison.Ordinal);
        Assert.Contains("name=\"forget\" value=\"dead\"", html, StringComparison.Ordinal);
        Assert.Contains("UNHEALTHY", html, StringComparison.Ordinal);
        Assert.Contains("<td>Dead (test)</td>", html, StringComparison.Ordinal);
        Assert.Contains(_clock.GetUtcNow().AddMinutes(-5).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), html, StringComparison.Ordinal);
        Assert.Contains("75.00%", html, StringComparison.Ordinal);
        Assert.Contains("Ring store: reachable", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_removes_the_instance_and_redirects_to_the_page()
    {
        using var form = new FormUrlEncodedContent([new("forget", "dead")]);
        using HttpResponseMessage response = await _http.PostAsync(new Uri("/ingester/ring", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/ingester/ring", response.Headers.Location!.OriginalString);

        Assert.False((await _store.GetAsync("ingester", default))!.Desc.Instances.ContainsKey("dead"));
        Assert.Equal(2, (await _store.GetAsync("ingester", default))!.Desc.Instances.Count);
        await Eventually.TrueAsync(async () => (await ShardsAsync()).Length == 2, "the page without the forgotten instance");
    }

    [Fact]
    public async Task Forgetting_an_unknown_instance_is_404_naming_it()
    {
        using var form = new FormUrlEncodedContent([new("forget", "ghost-7")]);
        using HttpResponseMessage response = await _http.PostAsync(new Uri("/ingester/ring", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("ghost-7", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(3, (await _store.GetAsync("ingester", default))!.Desc.Instances.Count);
    }
}

using MetricsCluster.EndToEnd.Tests.Infra;
using Microsoft.Playwright;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The web UI in Debian's chromium, driven by Playwright (issue 15 item 4): two tenants with different data, a
/// query typed with autocomplete, the graph's series counted, the tenant switched in the page, and the targets, rings
/// and explain views opened. Every step waits on a selector or text, never on time. Screenshots go to
/// <c>artifacts/ui-screenshots/</c> under the test's output directory.
/// </summary>
public sealed class WebUiBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Query_graph_tenant_switch_targets_and_rings_render_in_chromium()
    {
        Assert.True(File.Exists(Chromium), "chromium is missing: run scripts/install-deps.sh");
        string shots = Path.Combine(AppContext.BaseDirectory, "artifacts", "ui-screenshots");
        Directory.CreateDirectory(shots);

        // The agent scrapes this process's own /metrics, found through a file_sd file written once the port is known.
        string sdDir = Repo.TempDir("ui-sd");
        string sdFile = Path.Combine(sdDir, "targets.json");
        await File.WriteAllTextAsync(sdFile, "[]");
        string agentConfig = AgentHelpers.WriteConfig($$"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: self
                file_sd_configs:
                  - files: ['{{sdFile}}']
                    refresh_interval: 1s
            """);
        await using var mc = await MetricsClusterProcess.StartAsync("--agent.config.file=" + agentConfig, "--agent.tenant=ui-agent");
        await File.WriteAllTextAsync(sdFile, $$"""[{"targets":["127.0.0.1:{{mc.Port}}"]}]""");

        // Tenant ui-a has 3 series of ui_demo_requests, tenant ui-b has 5: one every 15s over the last 10 minutes.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        await PushAsync(http, mc, "ui-a", 3);
        await PushAsync(http, mc, "ui-b", 5);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(mc.BaseUri + "#/query");

        // Choose tenant ui-a in the page; it is kept in localStorage and sent as X-Scope-OrgID.
        await page.FillAsync("#tenant", "ui-a");
        await page.ClickAsync("#tenant-form button");

        // Type a prefix: autocomplete offers the metric name from this tenant's label values; Tab accepts it.
        await page.ClickAsync("#expr");
        await page.Keyboard.TypeAsync("ui_demo_re");
        await page.WaitForSelectorAsync("#suggest li:has-text('ui_demo_requests')");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("ui_demo_requests", await page.InputValueAsync("#expr"));

        await page.FillAsync("#range", "15m");
        await page.ClickAsync("#execute");
        await page.WaitForSelectorAsync("#graph[data-series-count='3']");
        Assert.Equal(3, await page.Locator("#graph path.series").CountAsync());
        Assert.Equal(3, await page.Locator("#graph .legend li").CountAsync());

        // Hovering the plot shows the values of the three series at that step.
        var plot = (await page.Locator("#graph svg").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.9f), plot.Y + (plot.Height / 2));
        await page.WaitForSelectorAsync("#graph .graph-tip:not([hidden])");
        Assert.Equal(3, await page.Locator("#graph .graph-tip .swatch").CountAsync());
        Assert.DoesNotContain("null", await page.InnerTextAsync("#graph .graph-tip"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "1-graph-tenant-ui-a.png") });
        await page.Mouse.MoveAsync(0, 0);

        // Stacked, then the legend hides one series.
        await page.CheckAsync("#stacked");
        await page.WaitForSelectorAsync("#graph[data-series-count='3']");
        await page.Locator("#graph .legend li").First.ClickAsync();
        await page.WaitForFunctionAsync("document.querySelectorAll('#graph path.series').length === 2");
        await page.UncheckAsync("#stacked");

        // Zoom: drag across the middle of the plot; the range becomes the selection and the graph is drawn again.
        var box = (await page.Locator("#graph svg").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.4f), box.Y + (box.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.7f), box.Y + (box.Height / 2), new() { Steps = 5 });
        await page.Mouse.UpAsync();
        await page.WaitForSelectorAsync("#reset-zoom:not([hidden])");
        await page.WaitForSelectorAsync("#graph[data-series-count='3']");
        Assert.NotEqual("15m", await page.InputValueAsync("#range"));
        await page.ClickAsync("#reset-zoom");
        await page.WaitForFunctionAsync("document.querySelector('#range').value === '15m'");

        // Table view of the instant query.
        await page.ClickAsync("#tab-table");
        await page.WaitForSelectorAsync("#result-info:has-text('vector, 3 series')");
        Assert.Equal(3, await page.Locator("#result tbody tr").CountAsync());

        // Switch the tenant: the same query now shows tenant ui-b's five series.
        await page.ClickAsync("#tab-graph");
        await page.WaitForSelectorAsync("#graph[data-series-count='3']");
        await page.FillAsync("#tenant", "ui-b");
        await page.ClickAsync("#tenant-form button");
        await page.WaitForSelectorAsync("#graph[data-series-count='5']");
        Assert.Equal(5, await page.Locator("#graph path.series").CountAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "2-graph-tenant-ui-b.png") });

        // Explain: the selector, the range it fetched and the samples it loaded.
        await page.ClickAsync("#tab-explain");
        await page.WaitForSelectorAsync("#explain-query");
        await page.WaitForSelectorAsync("#result td:has-text('__name__=\"ui_demo_requests\"')");

        // ... and which components answered: in one process, the in-process ingester.
        await page.WaitForSelectorAsync("#result tr:has(td:text-is('ingester')):has(td:text-is('this process'))");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "3-explain.png"), FullPage = true });

        // Targets: the agent's scrape of this process, up.
        await page.GotoAsync(mc.BaseUri + "#/targets");
        await page.WaitForSelectorAsync("#page td span.up");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "4-targets.png"), FullPage = true });

        // Rings: the ingester ring page in a frame.
        await page.GotoAsync(mc.BaseUri + "#/ring");
        await page.WaitForSelectorAsync("iframe[src='/ingester/ring']");
        await page.FrameLocator("iframe[src='/ingester/ring']").Locator("table").First.WaitForAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "5-rings.png"), FullPage = true });

        // Tenant stats, rules (no ruler yet) and build info render without errors.
        await page.GotoAsync(mc.BaseUri + "#/tenants");
        await page.WaitForSelectorAsync("#page td:has-text('ui-a')");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "6-tenant-stats.png"), FullPage = true });
        await page.GotoAsync(mc.BaseUri + "#/rules");
        await page.WaitForSelectorAsync("#no-ruler");
        await page.GotoAsync(mc.BaseUri + "#/build");
        await page.WaitForSelectorAsync("#page td:has-text('MetricsCluster')");
        Assert.Equal(0, await page.Locator("#page .error").CountAsync());
    }

    private static async Task PushAsync(HttpClient http, MetricsClusterProcess mc, string tenant, int seriesCount)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var series = Enumerable.Range(0, seriesCount)
            .Select(i => RemoteWrite.Series(
                Enumerable.Range(0, 41).Select(k => (now - ((40 - k) * 15_000L), (double)((i + 1) * 10) + k)),
                "__name__", "ui_demo_requests", "instance", $"host-{i}", "job", "demo"))
            .ToArray();
        var (status, body) = await RemoteWrite.PostAsync(http, mc.BaseUri, RemoteWrite.Body(series), tenant);
        Assert.True(status == 200, $"push to {tenant}: {status} {body}");
    }
}

using MetricsCluster.Core.Snappy;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>Tenant isolation and the documented answers to bad bodies, against the real binary.</summary>
public sealed class TenancyAndBadInputTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private MetricsClusterProcess _mc = null!;

    public async Task InitializeAsync() => _mc = await MetricsClusterProcess.StartAsync("--distributor.max-recv-msg-size=65536");

    public async Task DisposeAsync()
    {
        await _mc.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Missing_tenant_header_is_401_and_tenants_are_isolated()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = RemoteWrite.Body(RemoteWrite.Series([(now, 1)], "__name__", "secret_metric", "job", "a"));

        var (status, text) = await RemoteWrite.PostAsync(_http, _mc.BaseUri, body, tenant: null);
        Assert.Equal(401, status);
        Assert.Contains("no org id", text);

        Assert.Equal(200, (await RemoteWrite.PostAsync(_http, _mc.BaseUri, body, "tenant-a")).Status);

        var a = await QueryApi.SeriesAsync(_http, _mc.BaseUri, "secret_metric", "tenant-a");
        var b = await QueryApi.SeriesAsync(_http, _mc.BaseUri, "secret_metric", "tenant-b");
        Assert.Single(a);
        Assert.Empty(b);

        var (labelStatus, labels, _) = await QueryApi.GetAsync(_http, _mc.BaseUri, "/prometheus/api/v1/label/__name__/values", "tenant-b");
        Assert.Equal(200, labelStatus);
        Assert.Empty(labels!.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal(401, (await QueryApi.GetAsync(_http, _mc.BaseUri, "/prometheus/api/v1/labels", null)).Status);
    }

    [Fact]
    public async Task Corrupt_truncated_and_oversized_bodies_are_rejected_and_leave_earlier_data_intact()
    {
        const string tenant = "bad-input";
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var good = RemoteWrite.Body(RemoteWrite.Series([(now - 1000, 1), (now, 2)], "__name__", "kept_metric", "job", "a"));
        Assert.Equal(200, (await RemoteWrite.PostAsync(_http, _mc.BaseUri, good, tenant)).Status);

        // Corrupt snappy: a valid length header followed by garbage.
        var corrupt = new byte[] { 0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
        var r1 = await RemoteWrite.PostAsync(_http, _mc.BaseUri, corrupt, tenant);
        Assert.Equal(400, r1.Status);

        // Truncated protobuf: a valid request cut short, then snappy-compressed.
        var raw = SnappyDecoder.DecodeToArray(good, 1 << 20);
        var truncated = SnappyEncoder.Encode(raw.AsSpan(0, raw.Length - 5));
        var r2 = await RemoteWrite.PostAsync(_http, _mc.BaseUri, truncated, tenant);
        Assert.Equal(400, r2.Status);
        Assert.Contains("offset", r2.Body);

        // Oversized: over the 64 KiB limit this instance runs with.
        var big = RemoteWrite.Body(Enumerable.Range(0, 3000)
            .Select(i => RemoteWrite.Series([(now, i)], "__name__", "big_metric", "idx", i.ToString("D10"), "pad", new string('x', 40)))
            .ToArray());
        var r3 = await RemoteWrite.PostAsync(_http, _mc.BaseUri, big, tenant);
        Assert.Equal(413, r3.Status);

        // Wrong content type.
        var r4 = await RemoteWrite.PostAsync(_http, _mc.BaseUri, good, tenant, contentType: "application/json");
        Assert.Equal(415, r4.Status);

        var kept = await QueryApi.SeriesAsync(_http, _mc.BaseUri, "kept_metric", tenant);
        Assert.Single(kept);
        Assert.Empty(await QueryApi.SeriesAsync(_http, _mc.BaseUri, "big_metric", tenant));
    }

    [Fact]
    public async Task A_bad_series_is_named_in_a_400_and_the_good_ones_are_kept()
    {
        const string tenant = "partial";
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = RemoteWrite.Body(
            RemoteWrite.Series([(now, 1)], "__name__", "good_one", "job", "a"),
            RemoteWrite.Series([(now, 1)], "__name__", "bad-name!", "job", "a"),
            RemoteWrite.Series([(now, 1)], "__name__", "good_two", "job", "a"));
        var (status, text) = await RemoteWrite.PostAsync(_http, _mc.BaseUri, body, tenant);
        Assert.Equal(400, status);
        Assert.Contains("bad-name!", text);
        Assert.Contains("err-mc-metric-name-invalid", text);
        Assert.Single(await QueryApi.SeriesAsync(_http, _mc.BaseUri, "good_one", tenant));
        Assert.Single(await QueryApi.SeriesAsync(_http, _mc.BaseUri, "good_two", tenant));
    }

    [Fact]
    public async Task A_sample_before_year_1_is_a_400_naming_its_series_and_the_good_series_are_written()
    {
        // Once 500 on every retry: formatting the rejected sample's timestamp threw, and nothing was written.
        const string tenant = "ancient";
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(200, (await RemoteWrite.PostAsync(_http, _mc.BaseUri, RemoteWrite.Body(RemoteWrite.Series([(now, 1)], "__name__", "first", "job", "a")), tenant)).Status);

        var body = RemoteWrite.Body(
            RemoteWrite.Series([(-62_135_596_800_001, 1)], "__name__", "ancient_metric", "job", "a"),
            RemoteWrite.Series([(now, 1)], "__name__", "fresh_metric", "job", "a"));
        var (status, text) = await RemoteWrite.PostAsync(_http, _mc.BaseUri, body, tenant);
        Assert.Equal(400, status);
        Assert.Contains("(err-mc-sample-timestamp-too-old). The affected sample has timestamp 0000-12-31T23:59:59.999Z and is from series {__name__=\"ancient_metric\", job=\"a\"}", text);
        Assert.Single(await QueryApi.SeriesAsync(_http, _mc.BaseUri, "fresh_metric", tenant));
    }

    [Fact]
    public async Task The_same_sample_twice_in_one_request_is_accepted_and_a_different_value_is_a_duplicate_timestamp()
    {
        // Prometheus' rule: an identical sample is a no-op; the same timestamp with another value is an error.
        const string tenant = "duplicates";
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var same = RemoteWrite.Body(
            RemoteWrite.Series([(now, 1)], "__name__", "dup_metric", "job", "a"),
            RemoteWrite.Series([(now, 1)], "__name__", "dup_metric", "job", "a"));
        Assert.Equal(200, (await RemoteWrite.PostAsync(_http, _mc.BaseUri, same, tenant)).Status);

        var different = RemoteWrite.Body(
            RemoteWrite.Series([(now + 1000, 1)], "__name__", "dup_metric", "job", "a"),
            RemoteWrite.Series([(now + 1000, 2)], "__name__", "dup_metric", "job", "a"));
        var (status, text) = await RemoteWrite.PostAsync(_http, _mc.BaseUri, different, tenant);
        Assert.Equal(400, status);
        Assert.Contains("(err-mc-sample-duplicate-timestamp)", text);
    }
}

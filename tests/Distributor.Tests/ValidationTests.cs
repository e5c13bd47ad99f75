using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Core.Limits;
using Xunit;

namespace MetricsCluster.Distributor.Tests;

/// <summary>One row per validation rule (G18): the series, when its samples are, and the expected id (null = accepted).</summary>
public class ValidationTests
{
    private const string InvalidUtf8 = "<invalid-utf8>";
    private static readonly long s_future = (long)TimeSpan.FromMinutes(10).TotalMilliseconds;
    private static readonly long s_past = (long)TimeSpan.FromHours(1).TotalMilliseconds;

    public static TheoryData<string, string[], long, string?> Rules => new()
    {
        { "valid", ["__name__", "up", "job", "a"], 0, null },
        { "metric name with colons", ["__name__", "job:up:rate5m"], 0, null },
        { "empty label value dropped", ["__name__", "up", "job", string.Empty], 0, null },
        { "utf-8 value", ["__name__", "up", "job", "日本😀"], 0, null },
        { "missing metric name", ["job", "a"], 0, ErrorId.MissingMetricName },
        { "empty metric name dropped", ["__name__", string.Empty, "job", "a"], 0, ErrorId.MissingMetricName },
        { "metric name starts with digit", ["__name__", "1up"], 0, ErrorId.MetricNameInvalid },
        { "metric name with dash", ["__name__", "up-x"], 0, ErrorId.MetricNameInvalid },
        { "metric name invalid utf-8", ["__name__", InvalidUtf8], 0, ErrorId.MetricNameInvalid },
        { "30 labels", ["__name__", "up", .. Pairs(29)], 0, null },
        { "31 labels", ["__name__", "up", .. Pairs(30)], 0, ErrorId.MaxLabelNamesPerSeries },
        { "label name starts with digit", ["__name__", "up", "0job", "a"], 0, ErrorId.LabelInvalid },
        { "label name with colon", ["__name__", "up", "a:b", "a"], 0, ErrorId.LabelInvalid },
        { "empty label name", [string.Empty, "a", "__name__", "up"], 0, ErrorId.LabelInvalid },
        { "label name invalid utf-8", ["__name__", "up", InvalidUtf8, "a"], 0, ErrorId.LabelInvalid },
        { "label name at limit", ["__name__", "up", new string('a', 1024), "v"], 0, null },
        { "label name too long", ["__name__", "up", new string('a', 1025), "v"], 0, ErrorId.LabelNameTooLong },
        { "label value invalid utf-8", ["__name__", "up", "job", InvalidUtf8], 0, ErrorId.LabelValueInvalid },
        { "label value at limit", ["__name__", "up", "job", new string('x', 2048)], 0, null },
        { "label value too long", ["__name__", "up", "job", new string('x', 2049)], 0, ErrorId.LabelValueTooLong },
        { "metric name too long", ["__name__", new string('m', 2049)], 0, ErrorId.LabelValueTooLong },
        { "duplicate label names", ["__name__", "up", "job", "a", "job", "b"], 0, ErrorId.DuplicateLabelNames },
        { "duplicate metric name", ["__name__", "up", "__name__", "down"], 0, ErrorId.DuplicateLabelNames },
        { "labels not sorted", ["__name__", "up", "zone", "a", "job", "b"], 0, ErrorId.LabelsNotSorted },
        { "metric name after job", ["job", "a", "__name__", "up"], 0, ErrorId.LabelsNotSorted },
        { "at the future limit", ["__name__", "up"], s_future, null },
        { "too far in future", ["__name__", "up"], s_future + 1, ErrorId.TooFarInFuture },
        { "at the past limit", ["__name__", "up"], -s_past, null },
        { "too far in past", ["__name__", "up"], -s_past - 1, ErrorId.TooFarInPast },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task EachRuleRejectsOnlyTheBadSeries(string rule, string[] labels, long offsetMs, string? expectedId)
    {
        _ = rule;
        var d = TestDistributor.Create(limits: new Limits { PastGracePeriod = TimeSpan.FromHours(1) });
        var body = new ProtoWriter()
            .Series(s => s.Label("__name__", "good").Sample(1, d.NowMs))
            .Series(s =>
            {
                for (int i = 0; i < labels.Length; i += 2)
                {
                    s.Label(Bytes(labels[i]), Bytes(labels[i + 1]));
                }

                s.Sample(1, d.NowMs).Sample(2, d.NowMs + offsetMs);
            })
            .ToArray();

        var outcome = await d.PushProtobufAsync(body);

        var pushed = d.Ingester.AllSeries.Select(x => x.Labels.MetricName).ToList();
        Assert.Contains("good", pushed);
        if (expectedId is null)
        {
            Assert.Equal(200, outcome.StatusCode);
            Assert.Null(outcome.Message);
            Assert.Equal(2, pushed.Count);
            Assert.Equal(3, d.Metric($"metricscluster_distributor_accepted_samples_total{{user=\"{TestDistributor.Tenant}\"}}"));
        }
        else
        {
            Assert.Equal(400, outcome.StatusCode);
            Assert.Contains(ErrorId.Tag(expectedId), outcome.Message, StringComparison.Ordinal);
            Assert.Single(pushed);
            Assert.Equal(2, d.Metric($"metricscluster_discarded_samples_total{{user=\"{TestDistributor.Tenant}\",reason=\"{ErrorId.Reason(expectedId)}\"}}"));
        }
    }

    [Fact]
    public async Task EmptyValuedLabelsAreNotStored()
    {
        var d = TestDistributor.Create();
        await d.PushAsync(Requests.Of(Requests.Series(d.NowMs, 1, "__name__", "up", "job", string.Empty, "zone", "a")));
        Assert.Equal(Labels.FromStrings("__name__", "up", "zone", "a"), Assert.Single(d.Ingester.AllSeries).Labels);
    }

    [Fact]
    public async Task PastGracePeriodIsOffByDefault()
    {
        var d = TestDistributor.Create();
        var outcome = await d.PushAsync(Requests.Of(Requests.Series(d.NowMs - (long)TimeSpan.FromDays(3650).TotalMilliseconds, 1, "__name__", "up")));
        Assert.Equal(200, outcome.StatusCode);
    }

    public static TheoryData<string[], long, string> Messages => new()
    {
        {
            ["__name__", "up", "job", new string('a', 2049)], 0,
            $"received a series whose label value length exceeds the limit, label: 'job', value: '{new string('a', 200)}' (truncated) series: '{{__name__=\"up\", job=\"{new string('a', 200 - 21)}' (err-mc-label-value-too-long). To adjust the related per-tenant limit, configure -validation.max-length-label-value, or contact your service administrator."
        },
        {
            ["job", "a"], 0,
            "received series has no metric name, series: '{job=\"a\"}' (err-mc-missing-metric-name)"
        },
        {
            ["__name__", "up", "job", "a", "job", "b"], 0,
            "received a series with duplicate label name, label: 'job' series: '{__name__=\"up\", job=\"a\", job=\"b\"}' (err-mc-duplicate-label-names)"
        },
        {
            ["__name__", "up", "job", "a"], 600_001,
            "received a sample whose timestamp is too far in the future, timestamp: 1748779800001 series: '{__name__=\"up\", job=\"a\"}' (err-mc-too-far-in-future). To adjust the related per-tenant limit, configure -validation.create-grace-period, or contact your service administrator."
        },
        {
            ["__name__", "up", .. Pairs(30)], 0,
            $"received a series whose number of labels exceeds the limit (actual: 31, limit: 30) series: '{ManyLabelsSeries[..200]}' (err-mc-max-label-names-per-series). To adjust the related per-tenant limit, configure -validation.max-label-names-per-series, or contact your service administrator."
        },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task MessagesNameTheSeriesTheRuleAndTheFlag(string[] labels, long offsetMs, string expected)
    {
        var d = TestDistributor.Create();
        var outcome = await d.PushAsync(Requests.Of(Requests.Series(d.NowMs + offsetMs, 1, labels)));
        Assert.Equal(400, outcome.StatusCode);
        Assert.Equal(expected, outcome.Message);
    }

    [Fact]
    public async Task PerTenantOverridesApply()
    {
        var strict = new Limits { IngestionRate = 10_000, IngestionBurstSize = 200_000, MaxLabelNamesPerSeries = 1 };
        var d = TestDistributor.Create(overrides: new Dictionary<string, Limits> { ["strict"] = strict });
        var request = Requests.Of(Requests.Series(d.NowMs, 1, "__name__", "up", "job", "a"));
        Assert.Equal(200, (await d.PushAsync(request, "relaxed")).StatusCode);
        var outcome = await d.PushAsync(request, "strict");
        Assert.Equal(400, outcome.StatusCode);
        Assert.Contains("(actual: 2, limit: 1)", outcome.Message, StringComparison.Ordinal);
    }

    private static string ManyLabelsSeries => "{__name__=\"up\", " + string.Join(", ", Enumerable.Range(0, 30).Select(i => $"l{i:D2}=\"v\"")) + "}";

    private static string[] Pairs(int n) =>
        Enumerable.Range(0, n).SelectMany(i => new[] { $"l{i:D2}", "v" }).ToArray();

    private static byte[] Bytes(string s) => s == InvalidUtf8 ? [0xC3, 0x28] : Encoding.UTF8.GetBytes(s);
}

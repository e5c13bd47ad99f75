using System.Globalization;
using System.Text;

namespace MetricsCluster.Tools.LoadGen;

/// <summary>
/// The synthetic active series. Each series' labels are encoded once, as the protobuf bytes of its
/// repeated <c>TimeSeries.labels</c> field (one <c>0x0a len Label</c> run per label, names sorted),
/// and kept in one shared array; a request only adds the sample bytes around them.
/// </summary>
/// <remarks>
/// Series <c>i</c> is metric <c>i % metricNames</c> of scrape target <c>i / metricNames</c>, so, as in a
/// real scrape, every metric of one target shares its <c>cluster</c>, <c>instance</c>, <c>job</c>,
/// <c>namespace</c> and <c>pod</c>. Labels: <c>__name__, cluster, instance, job, namespace, pod</c>
/// (six, byte-wise sorted), about 170 bytes of label protobuf per series.
/// </remarks>
internal sealed class SeriesSet
{
    private static readonly string[] s_subsystems =
    [
        "http_server", "grpc_server", "node_network", "node_disk", "process",
        "go_memstats", "container", "kube_pod", "apiserver", "nginx_ingress_controller",
    ];

    private static readonly string[] s_measurements =
    [
        "requests_total", "errors_total", "request_duration_seconds_sum", "request_duration_seconds_count",
        "received_bytes_total", "sent_bytes_total", "in_flight_requests", "open_fds",
        "resident_memory_bytes", "cpu_seconds_total",
    ];

    private static readonly string[] s_clusters = ["prod-eu-west-1", "prod-us-east-1", "prod-ap-south-1", "staging-eu-central-1"];

    private static readonly string[] s_jobs =
    [
        "kubernetes-pods", "node-exporter", "api-gateway", "payments-service",
        "checkout-service", "search-frontend", "kube-state-metrics", "inventory-worker",
    ];

    private static readonly string[] s_namespaces =
    [
        "monitoring", "payments", "checkout", "search", "platform", "ingress-nginx",
        "default", "kube-system", "data-pipeline", "identity", "notifications", "billing",
    ];

    private const string PodAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly byte[] _labelBytes;
    private readonly int[] _offsets;

    private SeriesSet(byte[] labelBytes, int[] offsets, int metricNames, int maxLabelBytes)
    {
        _labelBytes = labelBytes;
        _offsets = offsets;
        MetricNames = metricNames;
        MaxLabelBytes = maxLabelBytes;
    }

    /// <summary>Number of series.</summary>
    public int Count => _offsets.Length - 1;

    /// <summary>Number of distinct metric names.</summary>
    public int MetricNames { get; }

    /// <summary>Largest encoded label block of any series.</summary>
    public int MaxLabelBytes { get; }

    /// <summary>Encoded label bytes of all series together.</summary>
    public long TotalLabelBytes => _labelBytes.LongLength;

    /// <summary>The encoded <c>TimeSeries.labels</c> fields of series <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Labels(int index) =>
        _labelBytes.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);

    /// <summary>The label set of one series as text, for messages.</summary>
    public static string Describe(int index, int metricNames)
    {
        var sb = new StringBuilder();
        foreach ((string name, string value) in LabelPairs(index, metricNames))
        {
            sb.Append(sb.Length == 0 ? "{" : ", ").Append(name).Append("=\"").Append(value).Append('"');
        }

        return sb.Append('}').ToString();
    }

    public static SeriesSet Create(int series, int metricNames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(series, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(metricNames, 1);

        var offsets = new int[series + 1];
        // About 170 bytes per series; grown by doubling if the names turn out longer.
        byte[] bytes = new byte[Math.Max(4096, series * 192)];
        Span<byte> scratch = stackalloc byte[1024];
        int position = 0;
        int maxLabelBytes = 0;
        for (int i = 0; i < series; i++)
        {
            offsets[i] = position;
            int written = EncodeLabels(i, metricNames, scratch);
            if (position + written > bytes.Length)
            {
                Array.Resize(ref bytes, checked(bytes.Length * 2));
            }

            scratch[..written].CopyTo(bytes.AsSpan(position));
            position += written;
            maxLabelBytes = Math.Max(maxLabelBytes, written);
        }

        offsets[series] = position;
        Array.Resize(ref bytes, position);
        return new SeriesSet(bytes, offsets, metricNames, maxLabelBytes);
    }

    /// <summary>The metric name of metric number <paramref name="metric"/>, unique for every number.</summary>
    public static string MetricName(int metric)
    {
        int generation = metric / (s_subsystems.Length * s_measurements.Length);
        string subsystem = s_subsystems[metric % s_subsystems.Length];
        string measurement = s_measurements[metric / s_subsystems.Length % s_measurements.Length];
        return generation == 0
            ? string.Concat(subsystem, "_", measurement)
            : string.Create(CultureInfo.InvariantCulture, $"{subsystem}_g{generation}_{measurement}");
    }

    private static IEnumerable<(string Name, string Value)> LabelPairs(int index, int metricNames)
    {
        int metric = index % metricNames;
        int target = index / metricNames;
        string job = s_jobs[target % s_jobs.Length];
        // Names must stay byte-wise sorted: "__name__" < "cluster" < "instance" < "job" < "namespace" < "pod".
        yield return ("__name__", MetricName(metric));
        yield return ("cluster", s_clusters[target / 97 % s_clusters.Length]);
        yield return ("instance", string.Create(
            CultureInfo.InvariantCulture,
            $"10.{(target >> 16) & 255}.{(target >> 8) & 255}.{target & 255}:9100"));
        yield return ("job", job);
        yield return ("namespace", s_namespaces[target / s_jobs.Length % s_namespaces.Length]);
        yield return ("pod", PodName(job, target));
    }

    /// <summary>A Kubernetes-like pod name, <c>job-xxxxxxxxxx-xxxxx</c>, unique per target.</summary>
    private static string PodName(string job, int target)
    {
        // Mix the target number so neighbouring targets get unrelated-looking suffixes; the last
        // five characters encode the target itself, which keeps the name unique.
        ulong hash = (ulong)(target + 1) * 0x9E3779B97F4A7C15UL;
        Span<char> chars = stackalloc char[16];
        for (int k = 0; k < 10; k++)
        {
            chars[k] = PodAlphabet[(int)(hash % (ulong)PodAlphabet.Length)];
            hash /= (ulong)PodAlphabet.Length;
        }

        chars[10] = '-';
        uint rest = (uint)target;
        for (int k = 15; k >= 11; k--)
        {
            chars[k] = PodAlphabet[(int)(rest % (uint)PodAlphabet.Length)];
            rest /= (uint)PodAlphabet.Length;
        }

        return string.Concat(job, "-", new string(chars));
    }

    private static int EncodeLabels(int index, int metricNames, Span<byte> dst)
    {
        var writer = new ProtoWriter(dst);
        Span<byte> label = stackalloc byte[512];
        foreach ((string name, string value) in LabelPairs(index, metricNames))
        {
            var inner = new ProtoWriter(label);
            inner.WriteByte(ProtoWriter.Field1Bytes);
            inner.WriteVarint((ulong)Encoding.UTF8.GetByteCount(name));
            inner.WriteRaw(Encoding.UTF8.GetBytes(name));
            inner.WriteByte(ProtoWriter.Field2Bytes);
            inner.WriteVarint((ulong)Encoding.UTF8.GetByteCount(value));
            inner.WriteRaw(Encoding.UTF8.GetBytes(value));
            writer.WriteLengthDelimited(ProtoWriter.Field1Bytes, inner.Written);
        }

        return writer.Position;
    }
}

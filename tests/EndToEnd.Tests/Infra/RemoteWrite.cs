using System.Net.Http.Headers;
using Google.Protobuf;
using MetricsCluster.Core.Snappy;
using MetricsCluster.Core.Wire.Prompb;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Builds and sends remote-write 1.0 requests with the generated protobuf types.</summary>
public static class RemoteWrite
{
    /// <summary>A series with one sample per (t, v).</summary>
    public static TimeSeries Series(IEnumerable<(long T, double V)> samples, params string[] labels)
    {
        var ts = new TimeSeries();
        var pairs = new List<(string, string)>();
        for (int i = 0; i < labels.Length; i += 2)
        {
            pairs.Add((labels[i], labels[i + 1]));
        }

        foreach (var (n, v) in pairs.OrderBy(p => p.Item1, StringComparer.Ordinal))
        {
            ts.Labels.Add(new Label { Name = n, Value = v });
        }

        foreach (var (t, v) in samples)
        {
            ts.Samples.Add(new Sample { Timestamp = t, Value = v });
        }

        return ts;
    }

    /// <summary>The snappy-compressed body of a request.</summary>
    public static byte[] Body(params TimeSeries[] series)
    {
        var req = new WriteRequest();
        req.Timeseries.AddRange(series);
        return SnappyEncoder.Encode(req.ToByteArray());
    }

    /// <summary>POSTs a raw body to <paramref name="path"/> (ours: /api/v1/push; Prometheus' receiver: /api/v1/write).</summary>
    public static async Task<(int Status, string Body)> PostAsync(HttpClient http, Uri baseUri, byte[] body, string? tenant, string contentType = "application/x-protobuf", string? encoding = "snappy", string path = "/api/v1/push")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, path)) { Content = content };
        req.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        if (tenant is not null)
        {
            req.Headers.Add("X-Scope-OrgID", tenant);
        }

        using var resp = await http.SendAsync(req);
        return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync());
    }
}

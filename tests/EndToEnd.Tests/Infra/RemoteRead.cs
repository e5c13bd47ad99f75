using Google.Protobuf;
using MetricsCluster.Core.Snappy;
using MetricsCluster.Core.Wire.Prompb;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Reads samples back through /prometheus/api/v1/read.</summary>
public static class RemoteRead
{
    /// <summary>All samples of series matching name=value-style equality matchers, keyed by their label text.</summary>
    public static async Task<Dictionary<string, List<(long T, double V)>>> ReadAsync(HttpClient http, Uri baseUri, string? tenant, long start, long end, params (string Name, string Value)[] equals)
    {
        var q = new Query { StartTimestampMs = start, EndTimestampMs = end };
        foreach (var (n, v) in equals)
        {
            q.Matchers.Add(new LabelMatcher { Type = LabelMatcher.Types.Type.Eq, Name = n, Value = v });
        }

        var req = new ReadRequest();
        req.Queries.Add(q);
        using var content = new ByteArrayContent(SnappyEncoder.Encode(req.ToByteArray()));
        content.Headers.ContentType = new("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        using var msg = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "/prometheus/api/v1/read")) { Content = content };
        if (tenant is not null)
        {
            msg.Headers.Add("X-Scope-OrgID", tenant);
        }

        using var resp = await http.SendAsync(msg);
        byte[] body = await resp.Content.ReadAsByteArrayAsync();
        if (!resp.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"remote read answered {(int)resp.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        }

        var result = ReadResponse.Parser.ParseFrom(SnappyDecoder.DecodeToArray(body, 64 << 20));
        return result.Results[0].Timeseries.ToDictionary(
            ts => string.Join(",", ts.Labels.Select(l => l.Name + "=" + l.Value)),
            ts => ts.Samples.Select(s => (s.Timestamp, s.Value)).ToList());
    }
}

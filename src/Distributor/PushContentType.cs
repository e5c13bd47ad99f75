namespace MetricsCluster.Distributor;

/// <summary>
/// The Content-Type and Content-Encoding rules of Prometheus' own remote-write receiver
/// (client_golang <c>ParseProtoMsg</c>), so senders see the same 415s everywhere.
/// </summary>
public static class PushContentType
{
    /// <summary>The only media type accepted.</summary>
    public const string Protobuf = "application/x-protobuf";

    /// <summary>The remote write 1.0 message name in <c>proto=</c>.</summary>
    public const string WriteRequestV1 = "prometheus.WriteRequest";

    /// <summary>The remote write 2.0 message name in <c>proto=</c>.</summary>
    public const string WriteRequestV2 = "io.prometheus.write.v2.Request";

    /// <summary>Returns null when the body is remote write 1.0, else the 415 message.</summary>
    public static string? CheckContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            // A missing header is taken as application/x-protobuf, as Prometheus does.
            return null;
        }

        string[] parts = contentType.Trim().Split(';');
        if (parts[0] != Protobuf)
        {
            return $"expected {Protobuf} as the first (media) part, got {contentType} content-type";
        }

        for (int i = 1; i < parts.Length; i++)
        {
            // Parameters are split on '=' without trimming, as in Prometheus: "; proto=x" is not "proto".
            string[] pair = parts[i].Split('=');
            if (pair.Length != 2)
            {
                return $"as per https://www.rfc-editor.org/rfc/rfc9110#parameter expected parameters to be key-values, got {parts[i]} in {contentType} content-type";
            }

            if (pair[0] == "proto")
            {
                return pair[1] switch
                {
                    WriteRequestV1 => null,
                    WriteRequestV2 => "remote write 2.0 is not supported yet",
                    _ => $"got {contentType} content type; unknown remote write message type {pair[1]}",
                };
            }
        }

        return null;
    }

    /// <summary>Returns null when the encoding is absent or snappy, else the 415 message.</summary>
    public static string? CheckContentEncoding(string? contentEncoding)
    {
        if (string.IsNullOrEmpty(contentEncoding) || string.Equals(contentEncoding.Trim(), "snappy", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return $"{contentEncoding} encoding (compression) is not accepted by this server; only snappy is acceptable";
    }
}

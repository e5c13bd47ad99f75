using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MetricsCluster.Cluster.Ring;

/// <summary>Renders the ring page as HTML (every value HTML-encoded) or JSON (Mimir's shape plus "healthy").</summary>
internal static class RingPageRender
{
    /// <summary>The JSON document: <c>{"shards":[...],"now":...,"store_reachable":...,"last_refresh":...}</c>.</summary>
    public static byte[] Json(RingPageModel model)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("shards");
            foreach (RingPageRow row in model.Rows)
            {
                w.WriteStartObject();
                w.WriteString("id", row.Id);
                w.WriteString("zone", row.Zone);
                w.WriteString("state", StateName(row.State));
                w.WriteString("address", row.Address);
                w.WriteString("http_address", row.HttpAddress);
                w.WriteString("silo_status", row.Silo);
                w.WriteString("registered_timestamp", row.Registered);
                w.WriteNumber("tokens", row.Tokens);
                w.WriteNumber("ownership", Math.Round(row.OwnershipPercent, 4));
                w.WriteBoolean("healthy", row.Healthy);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("now", model.Now);
            w.WriteBoolean("store_reachable", model.StoreReachable);
            if (model.LastRefresh != DateTimeOffset.MinValue)
            {
                w.WriteString("last_refresh", model.LastRefresh);
            }

            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The HTML page: a table of instances with a forget button on each row.</summary>
    public static byte[] Html(RingPageModel model)
    {
        var sb = new StringBuilder(4096);
        string key = E(model.Key);
        sb.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(key).Append(" ring</title>")
          .Append("<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}.unhealthy{color:#b00}</style></head><body>\n")
          .Append("<h1>").Append(key).Append(" ring</h1>\n<p>Current time: ").Append(E(Iso(model.Now))).Append(". Ring store: ")
          .Append(model.StoreReachable ? "reachable" : "<strong class=\"unhealthy\">unreachable</strong> (serving the last known ring)")
          .Append(model.LastRefresh == DateTimeOffset.MinValue ? ", never read" : ", last read " + E(Iso(model.LastRefresh)))
          .Append(".</p>\n<table>\n<tr><th>Instance ID</th><th>Availability zone</th><th>State</th><th>Address</th><th>HTTP address</th>")
          .Append("<th>Orleans silo</th><th>Registered at</th><th>Tokens</th><th>Ownership</th><th>Health</th><th>Actions</th></tr>\n");
        foreach (RingPageRow row in model.Rows)
        {
            sb.Append(row.Healthy ? "<tr>" : "<tr class=\"unhealthy\">")
              .Append("<td>").Append(E(row.Id)).Append("</td>")
              .Append("<td>").Append(E(row.Zone)).Append("</td>")
              .Append("<td>").Append(E(StateName(row.State))).Append("</td>")
              .Append("<td>").Append(E(row.Address)).Append("</td>")
              .Append("<td>");
            if (row.HttpAddress.Length > 0)
            {
                sb.Append("<a href=\"http://").Append(E(row.HttpAddress)).Append("/\">").Append(E(row.HttpAddress)).Append("</a>");
            }

            sb.Append("</td><td>").Append(E(row.Silo)).Append("</td>")
              .Append("<td>").Append(row.Registered.ToUnixTimeMilliseconds() == 0 ? string.Empty : E(Iso(row.Registered))).Append("</td>")
              .Append("<td>").Append(row.Tokens.ToString(CultureInfo.InvariantCulture)).Append("</td>")
              .Append("<td>").Append(row.OwnershipPercent.ToString("0.00", CultureInfo.InvariantCulture)).Append("%</td>")
              .Append("<td>").Append(row.Healthy ? "healthy" : "UNHEALTHY").Append("</td>")
              .Append("<td><form method=\"post\"><input type=\"hidden\" name=\"forget\" value=\"").Append(E(row.Id))
              .Append("\"><button type=\"submit\">Forget</button></form></td></tr>\n");
        }

        sb.Append("</table>\n</body></html>\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string StateName(InstanceState state) => state.ToString().ToUpperInvariant();

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string E(string value) => WebUtility.HtmlEncode(value);
}

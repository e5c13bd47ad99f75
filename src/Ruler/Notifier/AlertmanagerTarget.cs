using System.Net.Http.Headers;
using System.Text;

namespace MetricsCluster.Ruler.Notifier;

/// <summary>
/// One Alertmanager from <c>--ruler.alertmanager-url</c>: where alerts are posted (<c>&lt;url path&gt;/api/v2/alerts</c>,
/// so a path prefix such as Mimir's <c>/alertmanager</c> is kept) and the basic auth its URL carries. The credentials
/// never appear in metrics or logs: <see cref="Name"/> is the URL without them.
/// </summary>
public sealed class AlertmanagerTarget
{
    /// <summary>Parses a URL (http or https).</summary>
    /// <exception cref="ArgumentException">Not an absolute http(s) URL.</exception>
    public AlertmanagerTarget(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"alertmanager url {url} must be an absolute http or https URL", nameof(url));
        }

        var clean = new UriBuilder(url) { UserName = string.Empty, Password = string.Empty, Query = string.Empty, Fragment = string.Empty };
        clean.Path = clean.Path.TrimEnd('/') + "/api/v2/alerts";
        PostUrl = clean.Uri;
        Name = PostUrl.GetLeftPart(UriPartial.Path);
        if (url.UserInfo.Length > 0)
        {
            string[] parts = url.UserInfo.Split(':', 2);
            string user = Uri.UnescapeDataString(parts[0]);
            string password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty;
            Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        }
    }

    /// <summary>The URL alerts are posted to.</summary>
    public Uri PostUrl { get; }

    /// <summary>The URL without credentials, for metrics and logs.</summary>
    public string Name { get; }

    /// <summary>The basic-auth header, or null.</summary>
    public AuthenticationHeaderValue? Authorization { get; }
}

using System.Globalization;
using System.Xml.Linq;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>
/// <c>moto_server</c> (an in-memory S3 mock, pip <c>moto[server]</c>) on a free 127.0.0.1 port, with the two bucket
/// calls the tests need spoken as plain HTTP (moto does not check signatures), so the tests need no S3 SDK.
/// Missing moto_server fails the test loudly; it is never skipped.
/// </summary>
public sealed class MotoServerProcess : IDisposable
{
    /// <summary>The access key and secret moto accepts (any value works).</summary>
    public const string Credential = "test";

    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly ChildProcess _child;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private MotoServerProcess(ChildProcess child, int port)
    {
        _child = child;
        Port = port;
    }

    /// <summary>The S3 port.</summary>
    public int Port { get; }

    /// <summary>Starts moto_server and waits until it accepts connections.</summary>
    public static async Task<MotoServerProcess> StartAsync()
    {
        string exe = FindOnPath("moto_server")
            ?? throw new InvalidOperationException("moto_server is not on PATH: the S3 end-to-end tests need it (pip 'moto[server]'; see scripts/install-deps.sh)");
        int port = Repo.FreePort();
        var moto = new MotoServerProcess(ChildProcess.Start(exe, ["-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture)]), port);
        try
        {
            await Readiness.WaitAsync(new Uri($"http://127.0.0.1:{port}/moto-api/"), moto._child, "moto_server", TimeSpan.FromSeconds(60));
        }
        catch
        {
            moto.Dispose();
            throw;
        }

        return moto;
    }

    /// <summary>The metrics-cluster flags for the S3 blocks backend at 127.0.0.1:<paramref name="port"/> (moto's or a proxy's).</summary>
    public static string[] BackendArgs(int port, string bucket) =>
    [
        "--blocks-storage.backend=s3",
        $"--blocks-storage.s3.endpoint=127.0.0.1:{port}",
        "--blocks-storage.s3.bucket-name=" + bucket,
        "--blocks-storage.s3.access-key-id=" + Credential,
        "--blocks-storage.s3.secret-access-key=" + Credential,
        "--blocks-storage.s3.insecure=true",
        "--blocks-storage.s3.force-path-style=true",
    ];

    /// <summary>Creates a bucket with a unique name and returns the name.</summary>
    public async Task<string> CreateBucketAsync()
    {
        string name = "lts-" + Guid.NewGuid().ToString("N");
        using var resp = await _http.PutAsync(Url(name), null);
        return resp.IsSuccessStatusCode ? name : throw new InvalidOperationException($"moto refused CreateBucket: {(int)resp.StatusCode} {await resp.Content.ReadAsStringAsync()}");
    }

    /// <summary>Every object under <paramref name="prefix"/> with its size (ListObjectsV2, all pages).</summary>
    public async Task<Dictionary<string, long>> ListAsync(string bucket, string prefix)
    {
        var objects = new Dictionary<string, long>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            string query = "?list-type=2&prefix=" + Uri.EscapeDataString(prefix) + (token is null ? string.Empty : "&continuation-token=" + Uri.EscapeDataString(token));
            string xml = await _http.GetStringAsync(Url(bucket + query));
            var root = XDocument.Parse(xml).Root!;
            foreach (var c in root.Elements(S3 + "Contents"))
            {
                objects[c.Element(S3 + "Key")!.Value] = long.Parse(c.Element(S3 + "Size")!.Value, CultureInfo.InvariantCulture);
            }

            token = root.Element(S3 + "IsTruncated")?.Value == "true" ? root.Element(S3 + "NextContinuationToken")?.Value : null;
        }
        while (token is not null);
        return objects;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // ChildProcess kills the whole tree: moto_server is usually a pyenv shim that execs python.
        _child.Dispose();
        _http.Dispose();
    }

    private Uri Url(string pathAndQuery) => new($"http://127.0.0.1:{Port}/{pathAndQuery}");

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}

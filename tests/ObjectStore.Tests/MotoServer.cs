using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.S3;
using Amazon.S3.Model;

namespace MetricsCluster.ObjectStore.Tests;

/// <summary>
/// Runs <c>moto_server</c> (an S3-compatible mock, pip package <c>moto[server]</c>) as a child process on a
/// free loopback port for the lifetime of a test class. A missing moto_server fails the tests loudly: they
/// are never skipped.
/// </summary>
public sealed class MotoServer : IDisposable
{
    public const string AccessKey = "test";
    public const string SecretKey = "test";
    public const string Region = "us-east-1";

    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    public MotoServer()
    {
        string exe = FindOnPath("moto_server")
            ?? throw new InvalidOperationException(
                "moto_server is not on PATH: the S3 bucket tests need it (pip package 'moto[server]', preinstalled on the project's machines; see scripts/install-deps.sh).");
        Port = FreePort();
        var psi = new ProcessStartInfo(exe, ["-H", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start moto_server");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening();
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public S3BucketConfig Config(string bucketName) => new()
    {
        Endpoint = Endpoint,
        Region = Region,
        BucketName = bucketName,
        AccessKeyId = AccessKey,
        SecretAccessKey = SecretKey,
        Insecure = true,
        ForcePathStyle = true,
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Creates a new, empty bucket with a unique name.</summary>
    public string CreateBucket()
    {
        string name = "test-" + Guid.NewGuid().ToString("N");
        using var client = new AmazonS3Client(AccessKey, SecretKey, new AmazonS3Config { ServiceURL = $"http://{Endpoint}", ForcePathStyle = true, AuthenticationRegion = Region });
        client.PutBucketAsync(new PutBucketRequest { BucketName = name }).GetAwaiter().GetResult();
        return name;
    }

    public void Dispose()
    {
        try
        {
            // moto_server may be a pyenv shim wrapping python: end the whole tree we started.
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private void WaitUntilListening()
    {
        // Readiness barrier: poll the port until moto accepts connections (start-up takes about a second).
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with {_process.ExitCode} before listening on {Endpoint}:\n{Output()}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        Dispose();
        throw new InvalidOperationException($"moto_server did not listen on {Endpoint} within 60s:\n{Output()}");
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

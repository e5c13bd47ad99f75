using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MetricsCluster.QueryFrontend.Tests;

/// <summary>
/// A throw-away memcached (Debian package <c>memcached</c>) on 127.0.0.1 and a free port, as a child process. A
/// missing installation fails loudly; tests are never skipped.
/// </summary>
public sealed class MemcachedServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/memcached";
    private readonly Process _process;

    private MemcachedServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    // Installs what the tests need (scripts/install-deps.sh, memcached among it); a failure is loud, never a skip.
    private static void InstallDeps()
    {
        string? root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "MetricsCluster.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar));
        }

        if (root is null)
        {
            throw new FileNotFoundException("memcached is not installed and the repository (scripts/install-deps.sh) was not found", Binary);
        }

        var psi = new ProcessStartInfo("bash", Path.Combine(root, "scripts", "install-deps.sh")) { UseShellExecute = false };
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (!File.Exists(Binary))
        {
            throw new FileNotFoundException($"memcached is not installed and scripts/install-deps.sh could not install it (exit {p.ExitCode})", Binary);
        }
    }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<MemcachedServer> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            InstallDeps();
        }

        int port = FreePort();

        // -U 0: no UDP; -u: memcached refuses to run as root without naming a user to switch to.
        var psi = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "-l", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "0", "-m", "64", "-u", "nobody" })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("memcached did not start");
        var server = new MemcachedServer(process, port);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(20) && !process.HasExited)
            {
                // Not listening yet: the port is polled as PostgresServer polls its own.
                await Task.Delay(20);
            }
            catch (SocketException)
            {
                string stderr = process.HasExited ? await process.StandardError.ReadToEndAsync() : string.Empty;
                await server.DisposeAsync();
                throw new InvalidOperationException($"memcached did not listen on {port}: {stderr}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

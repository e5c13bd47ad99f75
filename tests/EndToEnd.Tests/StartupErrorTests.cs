using System.Net;
using System.Net.Sockets;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>Start-up a person can follow: a busy port is one line naming the flag, before any storage is opened.</summary>
public sealed class StartupErrorTests
{
    [Fact]
    public async Task A_busy_port_is_one_line_naming_its_flag_and_nothing_is_opened()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        int port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        string dataDir = Path.Combine(Repo.TempDir("busy"), "data");
        try
        {
            using var child = ChildProcess.Start("dotnet", [Repo.BinaryDll, "--server.http-listen-address=127.0.0.1", $"--server.http-listen-port={port}", $"--data.dir={dataDir}"]);
            int exit = await child.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(1, exit);
            var lines = child.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1, "expected one line:\n" + child.Output);
            Assert.Equal($"error: cannot listen on 127.0.0.1:{port} (--server.http-listen-port): the port is in use by another process; choose another with --server.http-listen-port=<port>", lines[0].TrimEnd('\r'));

            // Checked before any module started: no WAL, no bucket, not even the data directory.
            Assert.False(Directory.Exists(dataDir), $"{dataDir} was created");
        }
        finally
        {
            occupant.Stop();
        }
    }
}

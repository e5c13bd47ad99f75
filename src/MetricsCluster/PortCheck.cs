using System.Net;
using System.Net.Sockets;

namespace MetricsCluster;

/// <summary>
/// Checks, before anything starts, that every port this process will listen on can be bound. The generic host starts
/// the modules (ring join, WAL replay, storage) before Kestrel binds, so a busy port used to surface as a long stack
/// trace after the process had joined its rings; this turns it into one line naming the flag to change.
/// </summary>
internal static class PortCheck
{
    /// <summary>
    /// Returns null when every port can be bound on <paramref name="address"/>, else one line naming the first one that
    /// cannot and its flag. Port 0 (any free port) is not checked.
    /// </summary>
    public static string? FindUnavailable(IPAddress address, IEnumerable<(int Port, string Flag)> ports)
    {
        foreach (var (port, flag) in ports)
        {
            if (port == 0)
            {
                continue;
            }

            try
            {
                var listener = new TcpListener(address, port);
                listener.Start();
                listener.Stop();
            }
            catch (SocketException e)
            {
                string why = e.SocketErrorCode switch
                {
                    SocketError.AddressAlreadyInUse => "the port is in use by another process",
                    SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
                    SocketError.AddressNotAvailable => "the address is not one of this machine's (check --server.http-listen-address)",
                    _ => e.Message,
                };
                return $"cannot listen on {Format(address, port)} (--{flag}): {why}; choose another with --{flag}=<port>";
            }
        }

        return null;
    }

    private static string Format(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Polls a readiness URL until it answers 2xx, failing fast (with the output) if the process exits.</summary>
public static class Readiness
{
    /// <summary>Waits for <paramref name="url"/>; throws with <paramref name="child"/>'s output on exit or timeout.</summary>
    public static async Task WaitAsync(Uri url, ChildProcess child, string what, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (child.HasExited)
            {
                throw new InvalidOperationException($"{what} exited with {child.ExitCode}:\n{child.Output}");
            }

            try
            {
                using var r = await http.GetAsync(url);
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException or IOException)
            {
                // Not listening yet, or a connection the starting process reset: SocketHttpHandler can throw the raw
                // SocketException ("Transport endpoint is not connected") when the peer resets between connect and
                // reading the remote end point (seen in CI).
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{what} not ready after {timeout}:\n{child.Output}");
    }
}

namespace MetricsCluster.Cluster.Rpc;

/// <summary>Settings of the RPC clients (G5); flags <c>--rpc.client.*</c> when the host binds them.</summary>
public sealed class RpcClientOptions
{
    /// <summary>Default deadline of a call (and of a whole stream).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline of an ingester Push (Mimir's <c>-distributor.remote-timeout</c>).</summary>
    public TimeSpan PushTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long opening a TCP connection may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>HTTP/2 connections per server; each carries up to the server's stream limit (Kestrel: 100).</summary>
    public int MaxConnectionsPerServer { get; set; } = 8;

    /// <summary>Throws when a setting is out of range, naming its key.</summary>
    public void Validate()
    {
        // Deadlines become CancelAfter timers and a header of whole milliseconds; a day is far beyond any real call.
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentException("rpc.client.timeout must be positive and at most 24h");
        }

        if (PushTimeout <= TimeSpan.Zero || PushTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentException("rpc.client.push-timeout must be positive and at most 24h");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("rpc.client.connect-timeout must be positive");
        }

        if (MaxConnectionsPerServer < 1)
        {
            throw new ArgumentException("rpc.client.max-connections-per-server must be at least 1");
        }
    }
}

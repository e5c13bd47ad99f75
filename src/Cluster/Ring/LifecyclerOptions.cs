namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// How one instance registers in a ring (G5; Mimir's LifecyclerConfig). Flags: <c>--ring.instance-id</c>,
/// <c>--ring.instance-addr</c>, <c>--ring.zone</c>, <c>--ingester.ring.num-tokens</c>,
/// <c>--ingester.ring.tokens-file-path</c>.
/// </summary>
public sealed class LifecyclerOptions
{
    /// <summary>The ring's key in the membership store ("ingester", "store-gateway", ...).</summary>
    public string RingKey { get; set; } = "ingester";

    /// <summary>This instance's id, unique in the ring and stable across restarts (the host name by default in the host).</summary>
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>host:port of this instance's RPC endpoint, as other processes reach it.</summary>
    public string Addr { get; set; } = string.Empty;

    /// <summary>host:port of this instance's HTTP endpoint, for the ring page's links.</summary>
    public string HttpAddr { get; set; } = string.Empty;

    /// <summary>Availability zone; empty when zones are not used.</summary>
    public string Zone { get; set; } = string.Empty;

    /// <summary>Tokens this instance owns (Mimir: 128).</summary>
    public int NumTokens { get; set; } = 128;

    /// <summary>Where the tokens are kept across restarts; null keeps none (a restart then reuses the ring entry's tokens if it is still there).</summary>
    public string? TokensFilePath { get; set; }

    /// <summary>Throws naming the key when a value is invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RingKey))
        {
            throw new ArgumentException("ring key must not be empty");
        }

        if (string.IsNullOrWhiteSpace(InstanceId))
        {
            throw new ArgumentException("ring.instance-id must not be empty");
        }

        if (string.IsNullOrWhiteSpace(Addr))
        {
            throw new ArgumentException("ring.instance-addr must not be empty");
        }

        if (NumTokens < 1)
        {
            throw new ArgumentException($"{RingKey}.ring.num-tokens must be >= 1 (got {NumTokens})");
        }
    }
}

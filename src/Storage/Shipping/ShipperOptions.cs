namespace MetricsCluster.Storage.Shipping;

/// <summary>Settings of <see cref="ShipperService"/> (G5; Mimir <c>blocks_storage.tsdb</c>).</summary>
public sealed class ShipperOptions
{
    /// <summary>Gets or sets the directory holding one TSDB directory per tenant, <c>&lt;data.dir&gt;/tsdb</c>.</summary>
    public string TsdbDir { get; set; } = "./data/tsdb";

    /// <summary>Gets or sets how often every tenant is scanned for new blocks. Flag <c>--blocks-storage.tsdb.ship-interval</c>.</summary>
    public TimeSpan ShipInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending flag when a setting is invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(TsdbDir))
        {
            throw new ArgumentException("the TSDB directory (--data.dir) must be set");
        }

        if (ShipInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--blocks-storage.tsdb.ship-interval must be positive, got {ShipInterval}");
        }
    }
}

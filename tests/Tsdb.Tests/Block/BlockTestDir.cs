namespace MetricsCluster.Tsdb.Tests.Block;

/// <summary>A per-test data directory under the temp path, deleted on dispose (G18).</summary>
internal sealed class BlockTestDir : IDisposable
{
    public BlockTestDir()
    {
        Root = Path.Combine(Path.GetTempPath(), "mc-block-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// Thrown when a block file (index or chunk segment) is damaged or has an unsupported format (G17: names the
/// file, the section and the byte offset, as Prometheus' index and chunk readers do).
/// </summary>
public sealed class BlockCorruptionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file, e.g. <c>index</c> or <c>chunks/000001</c> (a path when known).</param>
    /// <param name="section">The section, e.g. <c>symbol table</c>, <c>series</c>, <c>TOC</c>.</param>
    /// <param name="offset">Absolute byte offset in the file where the problem was found.</param>
    /// <param name="reason">What is wrong, without the position (the message adds it).</param>
    public BlockCorruptionException(string file, string section, long offset, string reason)
        : base($"{file}: {section} corrupt at byte {offset}: {reason}")
    {
        File = file;
        Section = section;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>The damaged file.</summary>
    public string File { get; }

    /// <summary>The damaged section.</summary>
    public string Section { get; }

    /// <summary>Absolute byte offset of the problem.</summary>
    public long Offset { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }
}

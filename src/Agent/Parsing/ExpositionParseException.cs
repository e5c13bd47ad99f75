using System.Diagnostics.CodeAnalysis;

namespace MetricsCluster.Agent.Parsing;

/// <summary>
/// A page that is not valid exposition text. Carries the byte offset and the 1-based line of the
/// offending byte so the scrape error names the spot (G17).
/// </summary>
public sealed class ExpositionParseException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">What was wrong, without the position.</param>
    /// <param name="offset">Byte offset of the offending byte in the page.</param>
    /// <param name="line">1-based line number of that byte.</param>
    public ExpositionParseException(string reason, int offset, int line)
        : base($"{reason} (line {line}, byte offset {offset})")
    {
        Reason = reason;
        Offset = offset;
        Line = line;
    }

    /// <summary>What was wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>Byte offset of the offending byte in the page.</summary>
    public int Offset { get; }

    /// <summary>1-based line number of the offending byte.</summary>
    public int Line { get; }

    /// <summary>Throws; a separate method keeps the throw out of the parsers' inlined hot paths (G17).</summary>
    [DoesNotReturn]
    internal static void Throw(string reason, int offset, int line) => throw new ExpositionParseException(reason, offset, line);
}

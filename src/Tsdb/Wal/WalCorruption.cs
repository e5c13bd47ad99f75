namespace MetricsCluster.Tsdb.Wal;

/// <summary>Receives one WAL record; the span is valid only during the call.</summary>
/// <param name="record">The record bytes, first byte = <see cref="RecordType"/>.</param>
public delegate void WalRecordHandler(ReadOnlySpan<byte> record);

/// <summary>
/// What <see cref="WalReplay.ReadAndRepair"/> found and removed (G17: names segment and offset so the
/// caller can log the loss).
/// </summary>
/// <param name="Segment">Index of the damaged segment.</param>
/// <param name="Offset">Byte offset in that segment where the kept data ends: everything from here on was dropped.</param>
/// <param name="Reason">What was wrong, including the offset of the damaged fragment.</param>
/// <param name="BytesDropped">Bytes removed: the cut tail of the damaged segment plus all later segments.</param>
public sealed record WalCorruption(int Segment, long Offset, string Reason, long BytesDropped);

/// <summary>
/// Thrown by the segment reader when a segment is torn or damaged (Prometheus wlog.CorruptionErr).
/// <see cref="WalReplay.ReadAndRepair"/> catches it and truncates.
/// </summary>
public sealed class WalCorruptionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="segment">Index of the damaged segment.</param>
    /// <param name="offset">Byte offset of the damaged fragment (or byte) in the segment.</param>
    /// <param name="validUpTo">Byte offset just past the last complete record of the segment.</param>
    /// <param name="reason">What is wrong, without the position (the message adds it).</param>
    /// <param name="filePath">The segment file, when known.</param>
    public WalCorruptionException(int segment, long offset, long validUpTo, string reason, string? filePath = null)
        : base($"WAL segment {filePath ?? WalFormat.SegmentName(segment)} corrupt at byte {offset}: {reason}")
    {
        Segment = segment;
        Offset = offset;
        ValidUpTo = validUpTo;
        Reason = reason;
        FilePath = filePath;
    }

    /// <summary>The segment file, when known.</summary>
    public string? FilePath { get; }

    /// <summary>Index of the damaged segment.</summary>
    public int Segment { get; }

    /// <summary>Byte offset of the damaged fragment (or byte) in the segment.</summary>
    public long Offset { get; }

    /// <summary>Byte offset just past the last complete, valid record; repair truncates here.</summary>
    public long ValidUpTo { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }
}

/// <summary>Thrown by the <see cref="WalRecords"/> decoders on a malformed record.</summary>
public sealed class WalRecordException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="offset">Byte offset inside the record where decoding failed.</param>
    /// <param name="reason">What is wrong.</param>
    public WalRecordException(int offset, string reason)
        : base($"malformed WAL record at byte {offset}: {reason}")
    {
        Offset = offset;
    }

    /// <summary>Byte offset inside the record where decoding failed.</summary>
    public int Offset { get; }
}

using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// The read side of the on-disk queue: follows the segments from a start position, verifies each
/// record's length and CRC32C, and hands decoded records on in order. A torn or corrupt record ends its
/// segment (logged with segment and offset, counted); reading goes on with the next segment
/// (docs/format/agent-queue.md section 4). Not thread-safe: one reader per queue.
/// </summary>
internal sealed class DiskQueueReader
{
    private readonly string _directory;
    private readonly DiskQueueWriter _writer;
    private readonly QueueMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="DiskQueueReader"/> class.</summary>
    public DiskQueueReader(string directory, DiskQueueWriter writer, QueueMetrics metrics, ILogger logger)
    {
        _directory = directory;
        _writer = writer;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Reads records from <paramref name="start"/> until cancelled, waiting for new ones at the end.</summary>
    /// <param name="start">The first position to read (a record boundary, or a segment start).</param>
    /// <param name="onRecord">Receives each record's end position and samples; the list is reused afterwards.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>A task that ends with cancellation.</returns>
    public async Task RunAsync(QueuePosition start, Func<QueuePosition, List<ScrapedSample>, CancellationToken, ValueTask> onRecord, CancellationToken cancellationToken)
    {
        var samples = new List<ScrapedSample>();
        int from = start.Segment;
        long offset = Math.Max(start.Offset, QueueFormat.SegmentHeaderSize);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var wait = _writer.DataAvailable.WaitTask;
            if (_writer.SegmentAtOrAfter(from) is not { } segment)
            {
                // Only after skipping a corrupt segment being written: wait for the writer's next cut.
                await wait.WaitAsync(cancellationToken);
                continue;
            }

            // The start offset applies to the start segment only; a later (or, after drops, other) one is read whole.
            await ReadSegmentAsync(segment, segment == start.Segment ? offset : QueueFormat.SegmentHeaderSize, samples, onRecord, cancellationToken);
            from = segment + 1;
        }
    }

    private async Task ReadSegmentAsync(int segment, long offset, List<ScrapedSample> samples, Func<QueuePosition, List<ScrapedSample>, CancellationToken, ValueTask> onRecord, CancellationToken cancellationToken)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(Path.Combine(_directory, QueueFormat.SegmentName(segment)), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            // Dropped over max_queue_bytes or deleted after acknowledgement between listing and opening.
            return;
        }

        using (handle)
        {
            byte[] header = new byte[QueueFormat.RecordHeaderSize];
            if (RandomAccess.Read(handle, header, 0) < QueueFormat.SegmentHeaderSize || !QueueFormat.IsSegmentHeader(header))
            {
                Corrupt(segment, 0, "bad segment header");
                return;
            }

            while (true)
            {
                var wait = _writer.DataAvailable.WaitTask;
                long limit = _writer.ReadLimit(segment);
                bool finished = limit == long.MaxValue;
                if (finished)
                {
                    limit = RandomAccess.GetLength(handle);
                }

                if (offset == limit)
                {
                    if (finished)
                    {
                        return;
                    }

                    await wait.WaitAsync(cancellationToken);
                    continue;
                }

                if (!TryReadRecord(handle, segment, offset, limit, header, samples, out long next))
                {
                    return;
                }

                offset = next;
                await onRecord(new QueuePosition(segment, offset), samples, cancellationToken);
            }
        }
    }

    private bool TryReadRecord(SafeFileHandle handle, int segment, long offset, long limit, byte[] header, List<ScrapedSample> samples, out long next)
    {
        next = offset;
        samples.Clear();
        if (limit - offset < QueueFormat.RecordHeaderSize || RandomAccess.Read(handle, header, offset) < QueueFormat.RecordHeaderSize)
        {
            return Corrupt(segment, offset, "torn record header");
        }

        var (length, crc) = QueueFormat.ReadRecordHeader(header);
        if (length > limit - offset - QueueFormat.RecordHeaderSize)
        {
            return Corrupt(segment, offset, $"torn record: {length} payload bytes announced, {limit - offset - QueueFormat.RecordHeaderSize} present");
        }

        byte[] payload = new byte[length];
        if (RandomAccess.Read(handle, payload, offset + QueueFormat.RecordHeaderSize) < payload.Length)
        {
            return Corrupt(segment, offset, "short read");
        }

        if (Core.Crc32C.Compute(payload) != crc)
        {
            return Corrupt(segment, offset, "CRC32C mismatch");
        }

        if (!QueueFormat.TryDecodeSamples(payload, samples))
        {
            samples.Clear();
            return Corrupt(segment, offset, "undecodable payload");
        }

        next = offset + QueueFormat.RecordHeaderSize + length;
        return true;
    }

    private bool Corrupt(int segment, long offset, string reason)
    {
        _metrics.CorruptRecords.Inc();
        _logger.LogWarning(
            "Remote-write queue {Directory}: {Reason} in segment {Segment} at offset {Offset}; skipping the rest of the segment",
            _directory,
            reason,
            QueueFormat.SegmentName(segment),
            offset);
        return false;
    }
}

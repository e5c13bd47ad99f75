using System.Buffers.Binary;
using MetricsCluster.Core;

namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>Reads and atomically replaces the <c>ack</c> file (docs/format/agent-queue.md section 5).</summary>
internal static class AckPositionFile
{
    /// <summary>Ack file magic, ASCII "MCRA".</summary>
    public const uint Magic = 0x4D435241;

    /// <summary>The file's size.</summary>
    public const int Size = 24;

    /// <summary>The file name inside the queue directory.</summary>
    public const string FileName = "ack";

    /// <summary>The persisted position, or null when the file is missing or invalid.</summary>
    public static QueuePosition? TryRead(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length != Size || BinaryPrimitives.ReadUInt32BigEndian(bytes) != Magic || bytes[4] != QueueFormat.Version
            || BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20)) != Crc32C.Compute(bytes.AsSpan(0, 20)))
        {
            return null;
        }

        return new QueuePosition((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8)), (long)BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(12)));
    }

    /// <summary>Writes <paramref name="position"/> to <c>ack.tmp</c>, fsyncs it and renames it over <c>ack</c>.</summary>
    public static void Write(string directory, QueuePosition position)
    {
        Span<byte> bytes = stackalloc byte[Size];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Magic);
        bytes[4] = QueueFormat.Version;
        bytes[5..8].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(bytes[8..], (uint)position.Segment);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[12..], (ulong)position.Offset);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[20..], Crc32C.Compute(bytes[..20]));
        string tmp = Path.Combine(directory, FileName + ".tmp");
        using (var handle = File.OpenHandle(tmp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, bytes, 0);
            RandomAccess.FlushToDisk(handle);
        }

        File.Move(tmp, Path.Combine(directory, FileName), overwrite: true);
    }
}

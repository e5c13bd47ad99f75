using System.Buffers.Binary;
using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Tests.Wal;

/// <summary>
/// A deliberately naive model of Prometheus' wlog writer (one growing byte list per segment), used to
/// check the real writer's bytes, including the file length after every Log (flushPage(false)).
/// </summary>
internal sealed class WalModel
{
    private const int PageSize = WalTestDir.PageSize;
    private const int HeaderSize = 7;
    private readonly int _pagesPerSegment;

    public WalModel(int segmentSize)
    {
        _pagesPerSegment = segmentSize / PageSize;
        Segments.Add([]);
    }

    public List<List<byte>> Segments { get; } = [];

    private List<byte> Current => Segments[^1];

    private int Alloc => Current.Count % PageSize;

    public void Log(params byte[][] records)
    {
        foreach (var r in records)
        {
            if (r.Length > 0)
            {
                LogOne(r);
            }
        }
    }

    public void NextSegment()
    {
        Pad();
        Segments.Add([]);
    }

    public void Close() => Pad();

    private void LogOne(byte[] rec)
    {
        if (PageSize - Alloc < HeaderSize)
        {
            Pad();
        }

        int donePages = Current.Count / PageSize;
        long left = PageSize - Alloc - HeaderSize + ((long)(PageSize - HeaderSize) * (_pagesPerSegment - donePages - 1));
        if (rec.Length > left && Current.Count > 0)
        {
            NextSegment();
        }

        int off = 0;
        bool first = true;
        do
        {
            int l = Math.Min(rec.Length - off, PageSize - Alloc - HeaderSize);
            bool last = off + l == rec.Length;
            byte kind = first ? (byte)(last ? 1 : 2) : (byte)(last ? 4 : 3);
            var part = rec.AsSpan(off, l);
            var header = new byte[HeaderSize];
            header[0] = kind;
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(1), (ushort)l);
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(3), Crc32C.Compute(part));
            Current.AddRange(header);
            Current.AddRange(part.ToArray());
            if (PageSize - Alloc < HeaderSize && Alloc != 0)
            {
                Pad();
            }

            off += l;
            first = false;
        }
        while (off < rec.Length);
    }

    private void Pad()
    {
        while (Current.Count % PageSize != 0)
        {
            Current.Add(0);
        }
    }
}

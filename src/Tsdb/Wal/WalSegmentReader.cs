using System.Buffers.Binary;
using MetricsCluster.Core;
using MetricsCluster.Core.Snappy;

namespace MetricsCluster.Tsdb.Wal;

/// <summary>
/// Reads the records of one segment file, validating them as Prometheus' wlog reader does: page
/// padding must be zero, fragment sequences must be full or first middle* last, lengths must fit the
/// page, CRC32C must match. Any violation, including a record torn by a crash at the end of the file,
/// throws <see cref="WalCorruptionException"/>. Reuses its buffers: one instance per replay.
/// </summary>
internal sealed class WalSegmentReader
{
    // A decoded snappy record larger than this is treated as damage rather than allocated.
    private const int MaxDecodedLength = 1 << 30;

    // Read 32 pages (1 MiB) per syscall; chunks are page-aligned, so only the file's last page can be short.
    private readonly byte[] _chunk = new byte[32 * WalFormat.PageSize];
    private byte[] _rec = new byte[64 * 1024];
    private byte[] _decoded = new byte[64 * 1024];
    private int _recLen;
    private int _fragments;
    private bool _snappy;
    private long _recStart;
    private long _validUpTo;
    private int _segment;
    private string _path = string.Empty;

    /// <summary>Calls <paramref name="onRecord"/> for each record of the segment file at <paramref name="path"/>.</summary>
    public void Read(string path, int segment, WalRecordHandler onRecord)
    {
        _segment = segment;
        _path = path;
        _fragments = 0;
        _validUpTo = 0;
        using var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long pos = 0;
        while (true)
        {
            int n = Fill(h, pos);
            if (n == 0)
            {
                break;
            }

            for (int p = 0; p < n; p += WalFormat.PageSize)
            {
                int pageLen = Math.Min(WalFormat.PageSize, n - p);
                ReadPage(_chunk.AsSpan(p, pageLen), pos + p, onRecord);
            }

            pos += n;
        }

        if (_fragments > 0)
        {
            throw Corrupt(_recStart, "last record is torn: the file ends after a first or middle fragment");
        }
    }

    private int Fill(Microsoft.Win32.SafeHandles.SafeFileHandle h, long pos)
    {
        int n = 0;
        while (n < _chunk.Length)
        {
            int r = RandomAccess.Read(h, _chunk.AsSpan(n), pos + n);
            if (r == 0)
            {
                break;
            }

            n += r;
        }

        return n;
    }

    private void ReadPage(ReadOnlySpan<byte> page, long pageOffset, WalRecordHandler onRecord)
    {
        // A page shorter than 32 KiB is the end of the file: missing bytes there mean a torn write.
        bool shortPage = page.Length < WalFormat.PageSize;
        int i = 0;
        while (i < page.Length)
        {
            byte t = page[i];
            long at = pageOffset + i;
            int kind = t & WalFormat.KindMask;
            if (kind == WalFormat.PageTerm)
            {
                int nz = page.Slice(i).IndexOfAnyExcept((byte)0);
                if (nz >= 0)
                {
                    throw Corrupt(at + nz, "unexpected non-zero byte in page padding");
                }

                return;
            }

            if (page.Length - i < WalFormat.HeaderSize)
            {
                throw Corrupt(at, shortPage ? "torn fragment header at end of file" : "fragment header crosses a page boundary");
            }

            int len = BinaryPrimitives.ReadUInt16BigEndian(page.Slice(i + 1));
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(page.Slice(i + 3));
            if (len > WalFormat.MaxFragmentData)
            {
                throw Corrupt(at, $"invalid fragment length {len}");
            }

            if (page.Length - i - WalFormat.HeaderSize < len)
            {
                throw Corrupt(at, shortPage ? $"torn fragment: the file ends inside its {len} data bytes" : "fragment crosses a page boundary");
            }

            var data = page.Slice(i + WalFormat.HeaderSize, len);
            uint actual = Crc32C.Compute(data);
            if (actual != crc)
            {
                throw Corrupt(at, $"fragment checksum {actual:x8} does not match stored {crc:x8}");
            }

            CheckFlags(t, at);
            AddFragment(t, kind, data, at);
            i += WalFormat.HeaderSize + len;
            if (kind is WalFormat.Full or WalFormat.Last)
            {
                _fragments = 0;
                var record = CompleteRecord();
                _validUpTo = pageOffset + i;
                onRecord(record);
            }
        }
    }

    private void CheckFlags(byte t, long at)
    {
        // A checksummed fragment with these bits is intact but in a format this reader cannot decode:
        // refuse rather than report corruption, so repair never deletes good data.
        if ((t & WalFormat.ZstdFlag) != 0)
        {
            throw new NotSupportedException(
                $"WAL segment {_path} byte {at}: zstd-compressed records are not supported (only uncompressed and snappy records are)");
        }

        if ((t & WalFormat.UnknownFlags) != 0)
        {
            throw new NotSupportedException(
                $"WAL segment {_path} byte {at}: unknown fragment flags 0x{t & WalFormat.UnknownFlags:x2}");
        }
    }

    private void AddFragment(byte t, int kind, ReadOnlySpan<byte> data, long at)
    {
        bool snappy = (t & WalFormat.SnappyFlag) != 0;
        switch (kind)
        {
            case WalFormat.Full or WalFormat.First:
                if (_fragments != 0)
                {
                    throw Corrupt(at, $"unexpected {(kind == WalFormat.Full ? "full" : "first")} fragment inside a record started at byte {_recStart}");
                }

                _recStart = at;
                _recLen = 0;
                _snappy = snappy;
                break;
            case WalFormat.Middle or WalFormat.Last:
                if (_fragments == 0)
                {
                    throw Corrupt(at, $"unexpected {(kind == WalFormat.Middle ? "middle" : "last")} fragment without a first fragment");
                }

                if (snappy != _snappy)
                {
                    throw Corrupt(at, "compression flag changes within a record");
                }

                break;
            default:
                throw Corrupt(at, $"unknown fragment type {kind}");
        }

        if (_rec.Length - _recLen < data.Length)
        {
            Array.Resize(ref _rec, Math.Max(_rec.Length * 2, _recLen + data.Length));
        }

        data.CopyTo(_rec.AsSpan(_recLen));
        _recLen += data.Length;
        _fragments++;
    }

    private ReadOnlySpan<byte> CompleteRecord()
    {
        if (!_snappy)
        {
            return _rec.AsSpan(0, _recLen);
        }

        var src = _rec.AsSpan(0, _recLen);
        try
        {
            int n = SnappyDecoder.GetDecodedLength(src);
            if (n > MaxDecodedLength)
            {
                throw Corrupt(_recStart, $"snappy-compressed record claims {n} decoded bytes, over the {MaxDecodedLength}-byte cap");
            }

            if (_decoded.Length < n)
            {
                _decoded = new byte[Math.Max(n, Math.Min(_decoded.Length * 2, MaxDecodedLength))];
            }

            return _decoded.AsSpan(0, SnappyDecoder.Decode(src, _decoded));
        }
        catch (InvalidDataException e)
        {
            // The checksum matched, so this is not a torn write but undecodable content.
            throw Corrupt(_recStart, $"snappy-compressed record does not decode: {e.Message}");
        }
    }

    private WalCorruptionException Corrupt(long at, string reason) => new(_segment, at, _validUpTo, reason, _path);
}

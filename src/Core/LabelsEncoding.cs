using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace MetricsCluster.Core;

/// <summary>
/// The canonical byte form of a label set, shared by <see cref="Labels"/>, the distributor (which
/// builds it straight from the remote-write bytes) and the head (which compares it without
/// allocating): for each pair sorted by name, uvarint(len) name uvarint(len) value.
/// </summary>
public static class LabelsEncoding
{
    /// <summary>Appends one pair to <paramref name="dst"/>.</summary>
    public static void WritePair(ref ValueBuffer dst, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        WriteLength(ref dst, name.Length);
        dst.Write(name);
        WriteLength(ref dst, value.Length);
        dst.Write(value);
    }

    /// <summary>Appends a pair to a buffer writer.</summary>
    public static void WritePair(IBufferWriter<byte> dst, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Span<byte> len = stackalloc byte[5];
        int n = Varint.PutUvarint(len, (uint)name.Length);
        dst.Write(len[..n]);
        dst.Write(name);
        n = Varint.PutUvarint(len, (uint)value.Length);
        dst.Write(len[..n]);
        dst.Write(value);
    }

    /// <summary>Bytes needed to encode one pair.</summary>
    public static int PairSize(int nameLength, int valueLength) =>
        Varint.UvarintSize((uint)nameLength) + nameLength + Varint.UvarintSize((uint)valueLength) + valueLength;

    /// <summary>Reads a length prefix at <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ReadLength(ReadOnlySpan<byte> data, ref int pos)
    {
        byte b = data[pos++];
        if (b < 0x80)
        {
            return b;
        }

        int result = b & 0x7F;
        int shift = 7;
        do
        {
            b = data[pos++];
            result |= (b & 0x7F) << shift;
            shift += 7;
        }
        while (b >= 0x80);
        return result;
    }

    /// <summary>Prometheus' text form of an encoded set: <c>{__name__="up", job="a"}</c>.</summary>
    public static string Format(ReadOnlySpan<byte> encoded)
    {
        var sb = new StringBuilder("{");
        var e = new Labels.Enumerator(encoded);
        bool first = true;
        while (e.MoveNext())
        {
            if (!first)
            {
                sb.Append(", ");
            }

            first = false;
            sb.Append(Encoding.UTF8.GetString(e.Current.Name)).Append("=\"");
            AppendEscaped(sb, Encoding.UTF8.GetString(e.Current.Value));
            sb.Append('"');
        }

        return sb.Append('}').ToString();
    }

    private static void AppendEscaped(StringBuilder sb, string s)
    {
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                default: sb.Append(c); break;
            }
        }
    }

    private static void WriteLength(ref ValueBuffer dst, int len)
    {
        Span<byte> tmp = stackalloc byte[5];
        dst.Write(tmp[..Varint.PutUvarint(tmp, (uint)len)]);
    }
}

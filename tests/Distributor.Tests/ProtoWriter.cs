using System.Text;

namespace MetricsCluster.Distributor.Tests;

/// <summary>Hand-written protobuf bytes for cases a generated serializer never produces (field order, unpacked, unknown fields, bad bytes).</summary>
public sealed class ProtoWriter
{
    private readonly List<byte> _bytes = [];

    public byte[] ToArray() => [.. _bytes];

    public ProtoWriter Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    public ProtoWriter Varint(ulong v)
    {
        while (v >= 0x80)
        {
            _bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }

        _bytes.Add((byte)v);
        return this;
    }

    public ProtoWriter Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public ProtoWriter VarintField(int field, ulong v) => Tag(field, 0).Varint(v);

    public ProtoWriter Fixed64Field(int field, ulong v) => Tag(field, 1).Raw(BitConverter.GetBytes(v));

    public ProtoWriter Fixed32Field(int field, uint v) => Tag(field, 5).Raw(BitConverter.GetBytes(v));

    public ProtoWriter BytesField(int field, byte[] b) => Tag(field, 2).Varint((ulong)b.Length).Raw(b);

    public ProtoWriter StringField(int field, string s) => BytesField(field, Encoding.UTF8.GetBytes(s));

    public ProtoWriter Message(int field, Action<ProtoWriter> body)
    {
        var inner = new ProtoWriter();
        body(inner);
        return BytesField(field, inner.ToArray());
    }

    // Remote-write shapes.
    public ProtoWriter Series(Action<ProtoWriter> body) => Message(1, body);

    public ProtoWriter Label(string name, string value) => Message(1, l => l.StringField(1, name).StringField(2, value));

    public ProtoWriter Label(byte[] name, byte[] value) => Message(1, l => l.BytesField(1, name).BytesField(2, value));

    public ProtoWriter Sample(double v, long t) => Message(2, s => s.Fixed64Field(1, (ulong)BitConverter.DoubleToInt64Bits(v)).VarintField(2, (ulong)t));
}

using System.Buffers.Binary;

namespace MetricsCluster.Fuzz.Tests.Framework;

/// <summary>
/// Coverage-free mutations in the spirit of libFuzzer's: each call stacks one to four edits on a copy of a
/// corpus input. The edits target what decoders get wrong: length and count fields (varint boundaries, big-endian
/// extremes), truncation, and structure (duplicated or spliced ranges).
/// </summary>
public static class Mutator
{
    /// <summary>Mutants are capped so one input stays milliseconds of work.</summary>
    public const int MaxLength = 64 * 1024;

    private static readonly byte[] s_interestingBytes = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE];

    // Varint boundaries: the last value of each byte length and the first of the next, plus the 32/64-bit edges.
    private static readonly ulong[] s_interestingVarints =
    [
        0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, int.MaxValue, (ulong)int.MaxValue + 1,
        uint.MaxValue, (ulong)uint.MaxValue + 1, long.MaxValue, (ulong)long.MaxValue + 1, ulong.MaxValue,
    ];

    // The syntax bytes of the text formats (exposition, PromQL, YAML), so text mutants stay near the grammar.
    private static readonly byte[] s_tokens = "{}()[]\"'`,=:!~\\#\n\t .-+eE@_|&*/%^<>$0x"u8.ToArray();

    /// <summary>Returns a mutant of <paramref name="input"/>, sometimes spliced with another of <paramref name="pool"/>.</summary>
    public static byte[] Mutate(Random rng, byte[] input, IReadOnlyList<byte[]> pool)
    {
        var buf = new List<byte>(input);
        int edits = rng.Next(1, 5);
        for (int i = 0; i < edits; i++)
        {
            Apply(rng, buf, pool);
        }

        if (buf.Count > MaxLength)
        {
            buf.RemoveRange(MaxLength, buf.Count - MaxLength);
        }

        return [.. buf];
    }

    private static void Apply(Random rng, List<byte> buf, IReadOnlyList<byte[]> pool)
    {
        int pos = rng.Next(buf.Count + 1);
        bool inside = pos < buf.Count;
        switch (rng.Next(11))
        {
            case 0 when inside:
                buf[pos] ^= (byte)(1 << rng.Next(8));
                break;
            case 1 when inside:
                buf[pos] = s_interestingBytes[rng.Next(s_interestingBytes.Length)];
                break;
            case 2 when inside:
                buf[pos] = (byte)rng.Next(256);
                break;
            case 3:
                buf.InsertRange(pos, RandomBytes(rng, rng.Next(1, 17)));
                break;
            case 4 when inside:
                buf.RemoveRange(pos, rng.Next(1, Math.Min(buf.Count - pos, 64) + 1));
                break;
            case 5 when inside:
                Duplicate(rng, buf, pos);
                break;
            case 6:
                Splice(rng, buf, pool[rng.Next(pool.Count)]);
                break;
            case 7:
                Overwrite(buf, pos, Varint(s_interestingVarints[rng.Next(s_interestingVarints.Length)]));
                break;
            case 8:
                buf.RemoveRange(pos, buf.Count - pos);
                break;
            case 9:
                Overwrite(buf, pos, BigEndianExtreme(rng));
                break;
            default:
                buf.Insert(pos, s_tokens[rng.Next(s_tokens.Length)]);
                break;
        }
    }

    private static byte[] RandomBytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    private static void Duplicate(Random rng, List<byte> buf, int from)
    {
        int len = rng.Next(1, Math.Min(buf.Count - from, 256) + 1);
        var range = buf.GetRange(from, len);
        buf.InsertRange(rng.Next(buf.Count + 1), range);
    }

    private static void Splice(Random rng, List<byte> buf, byte[] other)
    {
        // Keep a prefix of this input and append a suffix of the other, as libFuzzer's CrossOver does.
        int keep = rng.Next(buf.Count + 1);
        int from = rng.Next(other.Length + 1);
        buf.RemoveRange(keep, buf.Count - keep);
        buf.AddRange(other.AsSpan(from).ToArray());
    }

    private static void Overwrite(List<byte> buf, int pos, byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (pos + i < buf.Count)
            {
                buf[pos + i] = bytes[i];
            }
            else
            {
                buf.Add(bytes[i]);
            }
        }
    }

    private static byte[] Varint(ulong v)
    {
        var b = new List<byte>(10);
        while (v >= 0x80)
        {
            b.Add((byte)(v | 0x80));
            v >>= 7;
        }

        b.Add((byte)v);
        return [.. b];
    }

    private static byte[] BigEndianExtreme(Random rng)
    {
        // Fixed-width length and offset fields (BE16/32/64 in the TSDB formats) at their extremes.
        int width = 2 << rng.Next(3);
        ulong v = rng.Next(4) switch { 0 => ulong.MaxValue, 1 => (ulong)long.MaxValue, 2 => 1UL << 63, _ => 0 };
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, v);
        return b[(8 - width)..];
    }
}

using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MetricsCluster.Core.Snappy;
using Xunit;

namespace MetricsCluster.Core.Tests;

public class SnappyDecoderTests
{
    public enum Content
    {
        Random,
        Text,
        Runs,
        Mixed,
    }

    public static TheoryData<int, Content> RoundTripCases()
    {
        // Sizes around the literal-length encodings (60 = first 1-byte length, 256, 65536, 2^24)
        // and the encoder's 64 KiB fragments, up to the 300 KB of a large remote-write request.
        int[] sizes = [0, 1, 2, 3, 59, 60, 61, 255, 256, 257, 4096, 65535, 65536, 65537, 131_073, 200_000, 300_000];
        var data = new TheoryData<int, Content>();
        foreach (int size in sizes)
        {
            foreach (var content in Enum.GetValues<Content>())
            {
                data.Add(size, content);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void DecodesWhatTheEncoderEncodes(int size, Content content)
    {
        byte[] input = Make(size, content, seed: (size * 31) + (int)content);
        AssertRoundTrip(input);
    }

    [Fact]
    public void DecodesWhatTheEncoderEncodesForArbitraryInput()
    {
        // Biased towards repetitive bytes so the encoder emits copies of every kind and length.
        var bytes = Gen.OneOf(ArbMap.Default.GeneratorFor<byte>(), Gen.Elements<byte>(0, 1, (byte)'a'));
        var gen = from size in Gen.OneOf(Gen.Choose(0, 300), Gen.Choose(0, 300_000))
                  from seed in Gen.Choose(0, int.MaxValue)
                  from pattern in Gen.ArrayOf(bytes, 16)
                  select Repeat(pattern, size, seed);
        var prop = Prop.ForAll(gen.ToArbitrary(), (byte[] input) => AssertRoundTrip(input));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), prop);
    }

    [Fact]
    public void DecodesTheLiteralOnlyExampleOfTheWireFormatReference()
    {
        // wire-formats.md §1.2: 42 bytes = 2A (uvarint 42), A4 ((42 - 1) << 2 | 0), the 42 bytes.
        byte[] raw = Enumerable.Range(0, 42).Select(i => (byte)(i * 7)).ToArray();
        byte[] block = [0x2A, 0xA4, .. raw];
        Assert.Equal(42, SnappyDecoder.GetDecodedLength(block));
        byte[] dst = new byte[42];
        Assert.Equal(42, SnappyDecoder.Decode(block, dst));
        Assert.Equal(raw, dst);
    }

    // F-test rows (G18): a hand-made block and what it decodes to ("<hex>" or text).
    public static TheoryData<string, string, string> Blocks => new()
    {
        { "empty", "00", string.Empty },
        { "one literal", "03 08 616263", "abc" },
        { "literal, 1-byte length", $"3D F0 3C {Hex(new string('x', 61))}", new string('x', 61) },
        { "literal, 2-byte length", $"8102 F4 0001 {Hex(new string('y', 257))}", new string('y', 257) },
        { "literal, 3-byte length", $"8102 F8 000100 {Hex(new string('y', 257))}", new string('y', 257) },
        { "literal, 4-byte length", $"8102 FC 00010000 {Hex(new string('y', 257))}", new string('y', 257) },
        { "copy1 non-overlapping", "08 0C 61626364 01 04", "abcdabcd" },
        { "copy1 run of one byte", "0C 00 61 1D 01", "aaaaaaaaaaaa" },
        { "copy1 11-bit offset", $"{Uvarint(300 + 11)} F4 2B01 {Hex(Text(300))} 3D 2C", Text(300) + Text(300).Substring(0, 11) },
        { "copy2 overlapping run", "0B 04 6162 22 0200", "ababababab" + "a" },
        { "copy2 64 bytes", "41 00 7A FE 0100", new string('z', 65) },
        { "copy4 (legacy)", "06 08 78797A 0B 03000000", "xyzxyz" },
        { "literals and copies", "0F 08 666F6F 09 03 08 626172 0B 0C000000", "foofoofoobarfoo" },
    };

    [Theory]
    [MemberData(nameof(Blocks))]
    public void DecodesHandMadeBlocks(string name, string blockHex, string expected)
    {
        _ = name;
        AssertDecodes(Convert.FromHexString(blockHex.Replace(" ", string.Empty, StringComparison.Ordinal)), Encoding.UTF8.GetBytes(expected));
    }

    private const string BadHeader = "snappy block: missing or invalid decoded-length header";

    // Each row: a corrupt block and the start of its message. Header faults are ours (read before any allocation);
    // element faults come from Snappier, prefixed with the block size and the header's length.
    public static TheoryData<string, string, string> Corrupt => new()
    {
        { "no header", string.Empty, BadHeader },
        { "unterminated header", "8080", BadHeader },
        { "header over 10 bytes", "80808080808080808080 01", BadHeader },
        { "header over 64 bits", "FFFFFFFFFFFFFFFFFF02", BadHeader },
        { "header over int.MaxValue", "8080808008", "snappy block: a decoded length of 2147483648 bytes is too large" },
        { "header over 32 bits", "FFFFFFFF1F", "snappy block: a decoded length of 8589934591 bytes is too large" },
        { "decoded length short", "05 00 61", "corrupt snappy block (3 bytes, header says 5 decoded bytes): " },
        { "decoded length long", "01 04 6162", "corrupt snappy block (4 bytes, header says 1 decoded bytes): " },
        { "literal past the end of the input", "05 10 6162", "corrupt snappy block (4 bytes, header says 5 decoded bytes): " },
        { "literal length cut short", "05 F0", "corrupt snappy block (2 bytes, header says 5 decoded bytes): " },
        { "literal 4-byte length cut short", "05 FC 010000", "corrupt snappy block (5 bytes, header says 5 decoded bytes): " },
        { "literal 4-byte length 0xFFFFFFFF", "05 FC FFFFFFFF 61", "corrupt snappy block (7 bytes, header says 5 decoded bytes): " },
        { "copy1 cut short", "05 00 61 01", "corrupt snappy block (4 bytes, header says 5 decoded bytes): " },
        { "copy2 cut short", "05 00 61 02 01", "corrupt snappy block (5 bytes, header says 5 decoded bytes): " },
        { "copy4 cut short", "05 00 61 03 010000", "corrupt snappy block (7 bytes, header says 5 decoded bytes): " },
        { "copy offset 0 (copy1)", "05 00 61 01 00", "corrupt snappy block (5 bytes, header says 5 decoded bytes): " },
        { "copy offset 0 (copy2)", "05 00 61 02 0000", "corrupt snappy block (6 bytes, header says 5 decoded bytes): " },
        { "copy offset 0 (copy4)", "05 00 61 03 00000000", "corrupt snappy block (8 bytes, header says 5 decoded bytes): " },
        { "copy offset beyond output", "06 00 61 06 0200", "corrupt snappy block (6 bytes, header says 6 decoded bytes): " },
        { "copy offset 0xFFFFFFFF", "06 00 61 07 FFFFFFFF", "corrupt snappy block (8 bytes, header says 6 decoded bytes): " },
        { "copy as first element", "04 01 01", "corrupt snappy block (3 bytes, header says 4 decoded bytes): " },
        { "copy past the decoded length", "03 00 61 01 01", "corrupt snappy block (5 bytes, header says 3 decoded bytes): " },
        { "trailing element after the end", "01 00 61 00 62", "corrupt snappy block (5 bytes, header says 1 decoded bytes): " },
        { "non-minimal 6-byte header (Snappier refuses it)", "8580808080 00 10 6161616161", "corrupt snappy block (12 bytes, header says 5 decoded bytes): " },
    };

    [Theory]
    [MemberData(nameof(Corrupt))]
    public void CorruptBlocksThrowInvalidDataSayingWhatIsWrong(string name, string blockHex, string messageStart)
    {
        _ = name;
        byte[] block = Convert.FromHexString(blockHex.Replace(" ", string.Empty, StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => SnappyDecoder.Decode(block, new byte[64]));
        Assert.StartsWith(messageStart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeToArrayRefusesAHeaderOverTheLimitBeforeAllocating()
    {
        // Six bytes that claim int.MaxValue decoded bytes: refused on the header alone.
        byte[] hostile = [0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00];
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => SnappyDecoder.DecodeToArray(hostile, 1 << 20));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal("snappy block: a decoded length of 2147483647 bytes is over the limit of 1048576", e.Message);
        Assert.True(allocated < 64 << 10, $"allocated {allocated} bytes");

        byte[] input = Make(5000, Content.Mixed, seed: 3);
        Assert.Equal(input, SnappyDecoder.DecodeToArray(SnappyEncoder.Encode(input), input.Length));
        Assert.Throws<InvalidDataException>(() => SnappyDecoder.DecodeToArray(SnappyEncoder.Encode(input), input.Length - 1));
    }

    [Fact]
    public void EncodeIntoACallerBufferMatchesEncodeToArray()
    {
        byte[] input = Make(70_000, Content.Mixed, seed: 5);
        byte[] dst = new byte[SnappyEncoder.MaxEncodedLength(input.Length)];
        int written = SnappyEncoder.Encode(input, dst);
        Assert.Equal(SnappyEncoder.Encode(input), dst[..written]);
    }

    [Fact]
    public void GetDecodedLengthRejectsABadHeader()
    {
        Assert.Throws<InvalidDataException>(() => SnappyDecoder.GetDecodedLength([]));
        Assert.Throws<InvalidDataException>(() => SnappyDecoder.GetDecodedLength([0x80]));
        Assert.Throws<InvalidDataException>(() => SnappyDecoder.GetDecodedLength([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]));
        Assert.Equal(int.MaxValue, SnappyDecoder.GetDecodedLength([0xFF, 0xFF, 0xFF, 0xFF, 0x07]));
        Assert.Equal(300, SnappyDecoder.GetDecodedLength([0xAC, 0x02, 0xFF])); // Elements are not read.
        Assert.Equal(1, SnappyDecoder.GetDecodedLength([0x81, 0x80, 0x00])); // Non-minimal, as Go's binary.Uvarint allows.
    }

    [Fact]
    public void ADestinationShorterThanTheDecodedLengthIsRefused()
    {
        byte[] block = SnappyEncoder.Encode(new byte[100]);
        Assert.Throws<ArgumentException>(() => SnappyDecoder.Decode(block, new byte[99]));
    }

    [Fact]
    public void EveryTruncationOfAValidBlockThrows()
    {
        byte[] input = Make(5000, Content.Mixed, seed: 7);
        byte[] block = SnappyEncoder.Encode(input);
        byte[] dst = new byte[input.Length];
        for (int cut = 0; cut < block.Length; cut++)
        {
            Assert.Throws<InvalidDataException>(() => SnappyDecoder.Decode(block.AsSpan(0, cut), dst));
        }
    }

    [Fact]
    public void DamagedBlocksDecodeOrThrowInvalidDataButNeverAnythingElse()
    {
        // Flip, insert and cut bytes of valid blocks. The destination is exactly the declared
        // length, so any out-of-bounds write would surface as IndexOutOfRangeException.
        var blocks = new[] { Content.Text, Content.Runs, Content.Mixed }
            .Select(c => SnappyEncoder.Encode(Make(3000, c, seed: 11)))
            .ToArray();
        var gen = from which in Gen.Choose(0, blocks.Length - 1)
                  from flips in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 4000), Gen.Choose(0, 255)), 3)
                  from cut in Gen.Choose(50, 100)
                  select Damage(blocks[which], flips, cut);
        var prop = Prop.ForAll(gen.ToArbitrary(), (byte[] block) => DecodeOrInvalidData(block));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), prop);
    }

    [Fact]
    public void RandomBytesDecodeOrThrowInvalidDataButNeverAnythingElse()
    {
        var rng = new Random(1234);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] block = new byte[rng.Next(0, 40)];
            rng.NextBytes(block);

            // A small header keeps the destination small; the elements stay arbitrary.
            if (block.Length > 0)
            {
                block[0] &= 0x7F;
            }

            DecodeOrInvalidData(block);
        }
    }

    /// <summary>Decodes into a buffer with a poisoned prefix and suffix, which must stay untouched.</summary>
    private static void AssertDecodes(byte[] block, byte[] expected)
    {
        Assert.Equal(expected.Length, SnappyDecoder.GetDecodedLength(block));
        byte[] dst = new byte[expected.Length];
        Assert.Equal(expected.Length, SnappyDecoder.Decode(block, dst));
        Assert.Equal(expected, dst);

        // Re-run into the middle of a larger buffer (G18): nothing outside the decoded range changes.
        byte[] big = new byte[expected.Length + 16];
        big.AsSpan().Fill(0xEE);
        Assert.Equal(expected.Length, SnappyDecoder.Decode(block, big.AsSpan(8)));
        Assert.Equal(expected, big.AsSpan(8, expected.Length).ToArray());
        Assert.All(big[..8], b => Assert.Equal(0xEE, b));
        Assert.All(big[(8 + expected.Length)..], b => Assert.Equal(0xEE, b));
    }

    private static void AssertRoundTrip(byte[] input)
    {
        byte[] block = SnappyEncoder.Encode(input);
        AssertDecodes(block, input);
    }

    private static void DecodeOrInvalidData(byte[] block)
    {
        int n;
        try
        {
            n = SnappyDecoder.GetDecodedLength(block);
        }
        catch (InvalidDataException)
        {
            return;
        }

        if (n > 1 << 20)
        {
            return;
        }

        try
        {
            Assert.Equal(n, SnappyDecoder.Decode(block, new byte[n]));
        }
        catch (InvalidDataException)
        {
        }
    }

    private static byte[] Damage(byte[] block, (int Pos, int Value)[] flips, int cutPercent)
    {
        byte[] copy = (byte[])block.Clone();
        foreach (var (pos, value) in flips)
        {
            copy[pos % copy.Length] = (byte)value;
        }

        return copy[..(copy.Length * cutPercent / 100)];
    }

    private static byte[] Make(int size, Content content, int seed)
    {
        var rng = new Random(seed);
        byte[] data = new byte[size];
        switch (content)
        {
            case Content.Random:
                rng.NextBytes(data);
                break;
            case Content.Text:
                Encoding.ASCII.GetBytes(Text(size)).CopyTo(data, 0);
                break;
            case Content.Runs:
                for (int i = 0; i < size;)
                {
                    int run = Math.Min(rng.Next(1, 200), size - i);
                    data.AsSpan(i, run).Fill((byte)rng.Next(0, 4));
                    i += run;
                }

                break;
            default:
                // Alternating incompressible and repetitive stretches, like label-heavy protobuf.
                for (int i = 0; i < size;)
                {
                    int len = Math.Min(rng.Next(1, 5000), size - i);
                    if (rng.Next(2) == 0)
                    {
                        rng.NextBytes(data.AsSpan(i, len));
                    }
                    else
                    {
                        Encoding.ASCII.GetBytes(Text(len)).CopyTo(data, i);
                    }

                    i += len;
                }

                break;
        }

        return data;
    }

    private static byte[] Repeat(byte[] pattern, int size, int seed)
    {
        var rng = new Random(seed);
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++)
        {
            data[i] = rng.Next(8) == 0 ? (byte)rng.Next(256) : pattern[i % pattern.Length];
        }

        return data;
    }

    private static string Text(int length)
    {
        var sb = new StringBuilder(length + 64);
        for (int i = 0; sb.Length < length; i++)
        {
            sb.Append("http_requests_total{job=\"api\",instance=\"10.0.0.").Append(i % 17).Append("\"} ");
        }

        return sb.ToString(0, length);
    }

    private static string Hex(string ascii) => Convert.ToHexString(Encoding.ASCII.GetBytes(ascii));

    private static string Uvarint(int v)
    {
        var sb = new StringBuilder();
        while (v >= 0x80)
        {
            sb.Append(((v & 0x7F) | 0x80).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            v >>= 7;
        }

        return sb.Append(v.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)).ToString();
    }
}

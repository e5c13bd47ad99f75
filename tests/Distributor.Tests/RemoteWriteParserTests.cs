using MetricsCluster.Tests.Shared;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Wire.Prompb;
using Xunit;
using MetricMetadata = MetricsCluster.Core.Ingest.MetricMetadata;

namespace MetricsCluster.Distributor.Tests;

public class RemoteWriteParserTests
{
    private static readonly long s_now = ManualTimeProvider.DefaultStart.ToUnixTimeMilliseconds();

    private static (RecordedBatch Batch, ParseReport Report) Parse(byte[] data, Limits? limits = null)
    {
        using var batch = new PushBatch();
        var report = new ParseReport();
        RemoteWriteParser.Parse(data, batch, limits ?? new Limits(), s_now, report);
        return (RecordedBatch.Copy("t", batch), report);
    }

    /// <summary>Ours must build exactly what the generated parser reads from the same bytes.</summary>
    private static void AssertSameAsGenerated(byte[] data)
    {
        var expected = WriteRequest.Parser.ParseFrom(data);
        var (batch, report) = Parse(data);
        Assert.Null(report.FirstError);
        Assert.Equal(Generators.ExpectedSeries(expected), Generators.Describe(batch));
        Assert.Equal(Generators.ExpectedMetadata(expected), batch.Metadata);
    }

    [Fact]
    public void ParsesTheWorkedExample()
    {
        // wire-formats.md §1.3: up{job="a"} with 1.0 @ 1000 ms.
        byte[] data = Convert.FromHexString("0a280a0e0a085f5f6e616d655f5f120275700a080a036a6f62120161120c09000000000000f03f10e807");
        Assert.Equal(data, Requests.Of(Requests.Series(1000, 1.0, "__name__", "up", "job", "a")).ToByteArray());
        var (batch, report) = Parse(data);
        var s = Assert.Single(batch.Series);
        Assert.Equal(Labels.FromStrings("__name__", "up", "job", "a"), s.Labels);
        Assert.Equal(XxHash64.Hash(s.Labels.Bytes), s.Hash);
        Assert.Equal([(1000L, BitConverter.DoubleToInt64Bits(1.0))], s.Samples);
        Assert.Equal(1, report.ReceivedSeries);
        Assert.Equal(1, report.ReceivedSamples);
    }

    [Fact]
    public void RandomValidRequestsMatchTheGeneratedParser()
    {
        var prop = Prop.ForAll(Generators.Request(s_now).ToArbitrary(), (WriteRequest request) => AssertSameAsGenerated(request.ToByteArray()));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), prop);
    }

    [Fact]
    public void FieldsMayComeInAnyOrder()
    {
        var data = new ProtoWriter()
            .Message(3, m => m.StringField(5, "seconds").StringField(2, "rpc_duration").VarintField(1, 2))
            .Series(s => s
                .Sample(2.5, 2000)
                .Message(1, l => l.StringField(2, "up").StringField(1, "__name__"))
                .Sample(3.5, 3000)
                .Label("job", "a"))
            .ToArray();
        AssertSameAsGenerated(data);
        var (batch, _) = Parse(data);
        Assert.Equal("{__name__=\"up\", job=\"a\"}", batch.Series[0].Labels.ToString());
        Assert.Equal([2000L, 3000L], batch.Series[0].Samples.Select(x => x.T));
        Assert.Equal(new MetricMetadata("rpc_duration", MetricType.Gauge, string.Empty, "seconds"), Assert.Single(batch.Metadata));
    }

    [Fact]
    public void LastValueOfARepeatedSingularFieldWins()
    {
        var data = new ProtoWriter().Series(s => s
            .Label("__name__", "up")
            .Message(2, x => x.VarintField(2, 5).Fixed64Field(1, (ulong)BitConverter.DoubleToInt64Bits(1)).VarintField(2, 7).Fixed64Field(1, (ulong)BitConverter.DoubleToInt64Bits(2))))
            .ToArray();
        AssertSameAsGenerated(data);
        Assert.Equal([(7L, BitConverter.DoubleToInt64Bits(2))], Parse(data).Batch.Series[0].Samples);
    }

    [Fact]
    public void UnknownFieldsOfEveryWireTypeAreSkippedAtEveryLevel()
    {
        static void Junk(ProtoWriter w) => w
            .VarintField(20, ulong.MaxValue)
            .Fixed64Field(21, 0x0102030405060708)
            .Fixed32Field(22, 0xDEADBEEF)
            .StringField(23, "ignored")
            .Tag(24, 3).VarintField(1, 1).Tag(25, 3).StringField(2, "nested").Tag(25, 4).Tag(24, 4) // Nested groups.
            .Message(26, m => m.VarintField(1, 1));

        var data = new ProtoWriter()
            .VarintField(2, 1) // The reserved Cortex field.
            .Series(s =>
            {
                Junk(s);
                s.Message(1, l => { Junk(l); l.StringField(1, "__name__").StringField(2, "up"); });
                s.Message(2, x => { Junk(x); x.Fixed64Field(1, (ulong)BitConverter.DoubleToInt64Bits(4)).VarintField(2, 9); });
                Junk(s);
            })
            .Message(3, m => { Junk(m); m.StringField(2, "up").StringField(4, "help"); })
            .Tag(30, 3).Tag(30, 4)
            .ToArray();
        AssertSameAsGenerated(data);
        var (batch, _) = Parse(data);
        Assert.Equal([(9L, BitConverter.DoubleToInt64Bits(4))], batch.Series[0].Samples);
        Assert.Equal("help", batch.Metadata[0].Help);
    }

    [Fact]
    public void KnownFieldWithUnexpectedWireTypeIsAnUnknownField()
    {
        // Sample.value sent as a varint and Sample.timestamp as fixed64: a generated parser skips both.
        var data = new ProtoWriter().Series(s => s
            .Label("__name__", "up")
            .Message(2, x => x.VarintField(1, 42).Fixed64Field(2, 77)))
            .ToArray();
        AssertSameAsGenerated(data);
        Assert.Equal([(0L, 0L)], Parse(data).Batch.Series[0].Samples);
    }

    [Fact]
    public void HistogramsAreCountedAndIgnoredWithPackedAndUnpackedRepeatedFields()
    {
        var histogram = new Histogram { CountInt = 3, Sum = 1.5, Schema = 1, Timestamp = 1000, PositiveSpans = { new BucketSpan { Offset = -2, Length = 2 } }, PositiveDeltas = { 1, 1 }, PositiveCounts = { 1.0, 2.0 } };
        var data = new ProtoWriter()
            .Series(s => s.Label("__name__", "only_histograms").BytesField(4, histogram.ToByteArray()))
            .Series(s => s
                .Label("__name__", "mixed")
                .BytesField(4, histogram.ToByteArray()) // Packed sint64 deltas and doubles, as Google.Protobuf writes them.
                .Message(4, h => h.VarintField(1, 2).Tag(12, 0).Varint(2).Tag(12, 0).Varint(1).Fixed64Field(13, 0).Fixed64Field(16, 0)) // Unpacked.
                .Message(3, e => e.Label("trace_id", "abc").Fixed64Field(2, 0).VarintField(3, 1000)) // An exemplar.
                .Sample(1, 1000))
            .ToArray();
        AssertSameAsGenerated(data);
        var (batch, report) = Parse(data);
        Assert.Equal("{__name__=\"mixed\"}", Assert.Single(batch.Series).Labels.ToString());
        Assert.Equal(3, report.IgnoredHistograms);
        Assert.Equal(1, report.IgnoredExemplars);
        Assert.Equal(2, report.ReceivedSeries);
        Assert.Null(report.FirstError);
    }

    [Fact]
    public void SampleValuesKeepTheirExactBits()
    {
        long[] bits = [0x7FF0000000000002, 0x7FF8000000000001, unchecked((long)0xFFF8000000000000), 0x7FF0000000000000, BitConverter.DoubleToInt64Bits(-0.0)];
        var data = new ProtoWriter().Series(s =>
        {
            s.Label("__name__", "up");
            for (int i = 0; i < bits.Length; i++)
            {
                s.Message(2, x => x.Fixed64Field(1, (ulong)bits[i]).VarintField(2, (ulong)(1000 + i)));
            }
        }).ToArray();
        Assert.Equal(bits, Parse(data).Batch.Series[0].Samples.Select(x => x.VBits));
    }

    [Fact]
    public void NegativeTimestampsDecodeFromTenByteVarints()
    {
        var data = Requests.Of(Requests.Series(-5, 1, "__name__", "up")).ToByteArray();
        Assert.Equal(-5L, Parse(data).Batch.Series[0].Samples[0].T);
    }

    [Fact]
    public void EmptyLabelValuesAreDropped()
    {
        var data = Requests.Of(Requests.Series(1, 1, "__name__", "up", "a", string.Empty, "b", "x", "c", string.Empty)).ToByteArray();
        var (batch, report) = Parse(data);
        Assert.Null(report.FirstError);
        Assert.Equal(Labels.FromStrings("__name__", "up", "b", "x"), batch.Series[0].Labels);
    }

    [Fact]
    public void SeriesWithoutSamplesAreNotAddedButAreValidated()
    {
        var request = Requests.Of(new TimeSeries { Labels = { new Label { Name = "__name__", Value = "up" } } }, new TimeSeries { Labels = { new Label { Name = "job", Value = "a" } } });
        var (batch, report) = Parse(request.ToByteArray());
        Assert.Empty(batch.Series);
        Assert.Equal(ErrorId.MissingMetricName, report.FirstError?.Id);
        Assert.Equal(0, report.DiscardedSamples[ErrorId.MissingMetricName]);
    }

    public static TheoryData<string, string, int, string> Malformed => new()
    {
        // Name, hex input, expected offset, expected reason fragment.
        { "length missing", "0a", 1, "truncated varint" },
        { "length past end", "0a0500", 1, "length 5 runs past the end" },
        { "varint too long", "08" + new string('f', 20) + "01", 1, "varint longer than 10 bytes" },
        { "truncated varint field", "0880", 1, "truncated varint" },
        { "field number zero", "00", 0, "invalid field number 0" },
        { "wire type 6", "0e", 0, "invalid wire type 6" },
        { "wire type 7", "0f", 0, "invalid wire type 7" },
        { "stray end-group", "0c", 0, "unexpected end-group for field 1" },
        { "unterminated group", "0b0801", 0, "unterminated group 1" },
        { "mismatched end-group", "0b14", 1, "end-group for field 2 closes group 1" },
        { "truncated fixed64", "0900000000", 1, "truncated fixed64" },
        { "truncated fixed32", "0d0000", 1, "truncated fixed32" },
        { "label longer than its series", "0a030a020a", 3, "length 2 runs past the end" },
        { "truncated sample value", "0a05120309000000", 5, "truncated fixed64" },
        { "bad wire type inside a label", "0a030a010f", 4, "invalid wire type 7" },
        { "bad tag inside a sample", "0a0412020f00", 4, "invalid wire type 7" },
        { "bad metadata", "1a0100", 2, "invalid field number 0" },
        { "bad exemplar", "0a041a020f00", 4, "invalid wire type 7" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedInputNamesTheOffset(string name, string hex, int offset, string reason)
    {
        _ = name;
        var e = Assert.Throws<RemoteWriteFormatException>(() => Parse(Convert.FromHexString(hex)));
        Assert.Equal(offset, e.Offset);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Contains($"at byte offset {offset}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryTruncationFailsExactlyWhenTheGeneratedParserFails()
    {
        var request = Requests.Of(Requests.Series(1000, 1, "__name__", "up", "job", "a"), Requests.Series(2000, 2, "__name__", "down"));
        request.Metadata.Add(new Core.Wire.Prompb.MetricMetadata { MetricFamilyName = "up", Help = "h" });
        byte[] full = request.ToByteArray();
        for (int n = 0; n < full.Length; n++)
        {
            byte[] prefix = full[..n];
            bool generatedFails = false;
            try
            {
                WriteRequest.Parser.ParseFrom(prefix);
            }
            catch (InvalidProtocolBufferException)
            {
                generatedFails = true;
            }

            try
            {
                Parse(prefix);
                Assert.False(generatedFails, $"prefix {n} parsed but Google.Protobuf rejects it");
            }
            catch (RemoteWriteFormatException e)
            {
                Assert.True(generatedFails, $"prefix {n} rejected ({e.Message}) but Google.Protobuf accepts it");
                Assert.InRange(e.Offset, 0, n);
            }
        }
    }

    [Fact]
    public void CorruptedRequestsNeverThrowAnythingButTheFormatError()
    {
        var gen =
            from request in Generators.Request(s_now)
            from flips in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(0, 255)), 3)
            from cut in Gen.Choose(0, 100)
            select Corrupt(request.ToByteArray(), flips, cut);
        var prop = Prop.ForAll(gen.ToArbitrary(), (byte[] data) =>
        {
            try
            {
                Parse(data);
            }
            catch (RemoteWriteFormatException e)
            {
                Assert.InRange(e.Offset, 0, data.Length);
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), prop);
    }

    [Fact]
    public void RandomBytesNeverThrowAnythingButTheFormatError()
    {
        var prop = Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), (byte[] data) =>
        {
            try
            {
                Parse(data);
            }
            catch (RemoteWriteFormatException)
            {
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), prop);
    }

    [Fact]
    public void MetadataIsCleanedAndValidatedAsMimir()
    {
        string longHelp = new string('h', 1023) + "é" + "tail"; // 'é' straddles byte 1024: cut before it.
        var request = new WriteRequest
        {
            Metadata =
            {
                new Core.Wire.Prompb.MetricMetadata { MetricFamilyName = "ok", Type = Core.Wire.Prompb.MetricMetadata.Types.MetricType.Counter, Help = "help", Unit = "seconds" },
                new Core.Wire.Prompb.MetricMetadata { MetricFamilyName = "long_help", Help = longHelp },
                new Core.Wire.Prompb.MetricMetadata { Help = "no name" },
                new Core.Wire.Prompb.MetricMetadata { MetricFamilyName = new string('n', 1025) },
                new Core.Wire.Prompb.MetricMetadata { MetricFamilyName = "long_unit", Unit = new string('u', 1025) },
            },
        };
        var (batch, report) = Parse(request.ToByteArray());
        Assert.Equal(5, report.ReceivedMetadata);
        Assert.Equal(2, batch.Metadata.Count);
        Assert.Equal(new MetricMetadata("ok", MetricType.Counter, "help", "seconds"), batch.Metadata[0]);
        Assert.Equal(new string('h', 1023), batch.Metadata[1].Help);
        Assert.Equal(1, report.DiscardedMetadata[ErrorId.MetadataMissingMetricName]);
        Assert.Equal(1, report.DiscardedMetadata[ErrorId.MetricNameTooLong]);
        Assert.Equal(1, report.DiscardedMetadata[ErrorId.UnitTooLong]);
        Assert.Equal(ErrorId.MetadataMissingMetricName, report.FirstError?.Id);
        Assert.Contains("(err-mc-metadata-missing-metric-name)", report.FirstError?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeriesErrorsWinOverEarlierMetadataErrors()
    {
        var data = new ProtoWriter()
            .Message(3, m => m.StringField(4, "no name"))
            .Series(s => s.Label("job", "a").Sample(1, 1))
            .ToArray();
        var (_, report) = Parse(data);
        Assert.Equal(ErrorId.MissingMetricName, report.FirstError?.Id);
        Assert.Equal(ErrorId.MetadataMissingMetricName, report.FirstMetadataError?.Id);
    }

    [Theory]
    [InlineData("abc", 2, 2)]
    [InlineData("aé", 2, 1)] // 'é' is C3 A9: byte 2 is a continuation byte.
    [InlineData("a日", 3, 1)]
    [InlineData("a日", 4, 4)]
    [InlineData("aé", 3, 3)]
    public void Utf8BoundaryNeverSplitsACharacter(string s, int max, int expected)
    {
        Assert.Equal(expected, RemoteWriteParser.Utf8Boundary(System.Text.Encoding.UTF8.GetBytes(s), max));
    }

    [Fact]
    public void SteadyStateParsingAllocatesNothing()
    {
        var request = new WriteRequest();
        for (int i = 0; i < 200; i++)
        {
            var ts = Requests.Series(s_now, i, "__name__", "http_requests_total", "instance", $"host-{i}:9100", "job", "node", "method", "GET", "status", "200");
            for (int j = 1; j < 5; j++)
            {
                ts.Samples.Add(new Sample { Timestamp = s_now + j, Value = j });
            }

            request.Timeseries.Add(ts);
        }

        byte[] data = request.ToByteArray();
        using var batch = new PushBatch();
        var report = new ParseReport();
        var limits = new Limits();
        for (int i = 0; i < 20; i++)
        {
            batch.Clear();
            report.Clear();
            RemoteWriteParser.Parse(data, batch, limits, s_now, report);
        }

        long allocated = AllocationProbe.MinAllocated(() =>
        {
            for (int i = 0; i < 20; i++)
            {
                batch.Clear();
                report.Clear();
                RemoteWriteParser.Parse(data, batch, limits, s_now, report);
            }
        });
        Assert.Equal(1000, batch.SampleCount);
        Assert.Equal(0, allocated);
    }

    private static byte[] Corrupt(byte[] data, (int Pos, int Value)[] flips, int cutPercent)
    {
        if (data.Length == 0)
        {
            return data;
        }

        byte[] copy = (byte[])data.Clone();
        foreach (var (pos, value) in flips)
        {
            copy[pos % copy.Length] = (byte)value;
        }

        return copy[..(copy.Length * cutPercent / 100)];
    }
}

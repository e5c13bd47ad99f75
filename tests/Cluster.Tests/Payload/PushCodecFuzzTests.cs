using FsCheck;
using FsCheck.Fluent;
using MetricsCluster.Cluster.Payload;
using MetricsCluster.Cluster.Payload.Wire;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Payload;

/// <summary>
/// G19: the hand-written Push decoder reads bytes from other processes. Mutated valid requests either decode into a
/// consistent batch or fail with <see cref="FormatException"/>, never anything else; random batches round-trip
/// exactly and agree with the generated parser.
/// </summary>
public sealed class PushCodecFuzzTests
{
    [Fact]
    public void Mutated_requests_decode_or_fail_with_format_exception()
    {
        using var batch = PushCodecTests.SampleBatch();
        byte[] valid = new byte[PushCodec.Measure("team-a", batch)];
        PushCodec.Encode("team-a", batch, valid);
        var gen = from edits in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, valid.Length - 1), ArbMap.Default.GeneratorFor<byte>()), 3)
                  from cut in Gen.Choose(0, valid.Length)
                  select Mutate(valid, edits, cut);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), Prop.ForAll(gen.ToArbitrary(), (byte[] input) => DecodeOrFormatError(input)));
    }

    [Fact]
    public void Random_batches_round_trip_and_match_the_generated_parser()
    {
        var sample = Gen.Zip(ArbMap.Default.GeneratorFor<long>(), ArbMap.Default.GeneratorFor<double>());
        var series = Gen.Zip(Gen.Choose(0, 1000), Gen.ArrayOf(sample));
        var gen = Gen.Zip(Gen.Elements("", "t", "tenant-ü"), Gen.ArrayOf(series));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(gen.ToArbitrary(), input => RoundTrip(input.Item1, input.Item2)));
    }

    private static void RoundTrip(string tenant, (int Id, (long T, double V)[] Samples)[] series)
    {
        using var batch = new PushBatch();
        foreach (var (id, samples) in series)
        {
            PushCodecTests.Add(batch, Labels.FromStrings("__name__", "m", "id", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), samples);
        }

        byte[] bytes = new byte[PushCodec.Measure(tenant, batch)];
        Assert.Equal(bytes.Length, PushCodec.Encode(tenant, batch, bytes));
        using var decoded = new PushBatch();
        PushSnapshot.Of(tenant, batch).AssertEqual(PushSnapshot.Of(PushCodec.Decode(bytes, decoded), decoded));

        var generated = PushRequest.Parser.ParseFrom(bytes);
        Assert.Equal(tenant, generated.Tenant);
        Assert.Equal(batch.SampleCount, generated.Series.Sum(s => s.Timestamps.Count));
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(Google.Protobuf.MessageExtensions.ToByteArray(generated)));
    }

    private static void DecodeOrFormatError(byte[] input)
    {
        using var batch = new PushBatch();
        try
        {
            PushCodec.Decode(input, batch);
        }
        catch (FormatException)
        {
            return;
        }

        // Whatever decoded is internally consistent: every series' samples are inside the sample arrays.
        int total = 0;
        for (int i = 0; i < batch.SeriesCount; i++)
        {
            var s = batch.Series[i];
            Assert.Equal(total, s.FirstSample);
            Assert.Equal(XxHash64.Hash(batch.LabelsOf(i)), s.Hash);
            total += s.SampleCount;
        }

        Assert.Equal(total, batch.SampleCount);
    }

    private static byte[] Mutate(byte[] valid, (int Pos, byte B)[] edits, int cut)
    {
        var copy = valid.AsSpan(0, cut).ToArray();
        foreach (var (pos, b) in edits)
        {
            if (pos < copy.Length)
            {
                copy[pos] = b;
            }
        }

        return copy;
    }
}

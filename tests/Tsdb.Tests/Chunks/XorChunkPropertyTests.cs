using FsCheck;
using FsCheck.Fluent;
using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Chunks;

public class XorChunkPropertyTests
{
    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(500);

    [Fact]
    public void RoundTripIsBitExact() =>
        Check.One(s_config, Prop.ForAll(SampleGenerators.SamplesArb, samples =>
        {
            byte[] data = RawSample.Encode(samples);
            Assert.Equal(samples, RawSample.Decode(data));
        }));

    [Fact]
    public void BytesMatchTheNaivePrometheusTranscription() =>
        Check.One(s_config, Prop.ForAll(SampleGenerators.SamplesArb, samples =>
        {
            Assert.Equal(PrometheusXorReference.Encode(samples), RawSample.Encode(samples));
        }));

    [Fact]
    public void TinyInitialBuffersGiveTheSameBytes() =>
        Check.One(s_config, Prop.ForAll(SampleGenerators.SamplesArb, Gen.Choose(0, 40).ToArbitrary(), (samples, capacity) =>
        {
            Assert.Equal(RawSample.Encode(samples), RawSample.Encode(samples, capacity));
        }));

    [Fact]
    public void ReopeningAndAppendingEqualsAppendingAtOnce() =>
        Check.One(s_config, Prop.ForAll(SampleGenerators.SamplesArb, Gen.Choose(0, 120).ToArbitrary(), (samples, at) =>
        {
            int split = Math.Min(at, samples.Length);
            var chunk = XorChunk.FromBytes(RawSample.Encode(samples.Take(split)));
            foreach (RawSample s in samples.Skip(split))
            {
                chunk.Append(s.T, s.V);
            }

            Assert.Equal(RawSample.Encode(samples), chunk.ToArray());
            Assert.Equal(samples.Length, chunk.NumSamples);
            Assert.Equal(samples[0].T, chunk.MinTime);
            Assert.Equal(samples[^1].T, chunk.MaxTime);
            Assert.Equal(samples[^1].Bits, BitConverter.DoubleToUInt64Bits(chunk.LastValue));
        }));

    [Fact]
    public void SeekFindsTheFirstSampleAtOrAfter()
    {
        // Targets just before, at and just after a sample's timestamp, plus arbitrary ones.
        Gen<Func<RawSample[], long>> target = Gen.Frequency(
            (3, from k in Gen.Choose(0, 119)
                from d in Gen.Choose(-1, 1)
                select (Func<RawSample[], long>)(s => unchecked(s[k % s.Length].T + d))),
            (1, SampleGenerators.FirstTime.Select(t => (Func<RawSample[], long>)(_ => t))));
        Check.One(s_config, Prop.ForAll(SampleGenerators.SamplesArb, target.ToArbitrary(), (samples, pick) =>
        {
            long t = pick(samples);
            var it = new XorIterator(RawSample.Encode(samples));
            int expected = Array.FindIndex(samples, s => s.T >= t);
            Assert.Equal(expected >= 0, it.Seek(t));
            if (expected >= 0)
            {
                Assert.Equal(samples[expected], new RawSample(it.T, BitConverter.DoubleToUInt64Bits(it.V)));
            }

            Assert.Null(it.Error);
        }));
    }
}

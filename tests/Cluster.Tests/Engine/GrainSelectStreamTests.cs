using System.Globalization;
using Google.Protobuf;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Payload;
using MetricsCluster.Cluster.Payload.Wire;
using MetricsCluster.Cluster.Tests.Engine.Postgres;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Engine;

/// <summary>
/// A select streamed from an ingester grain on another silo through <see cref="GrainIngesterClient.SelectAsync"/>:
/// every series arrives, over several frames, and a failure part-way is an exception, never a short answer.
/// </summary>
[Collection(EngineSiloCollection.Name)]
public sealed class GrainSelectStreamTests(PostgresEngineFixture pg)
{
    // 500 series of two 600-byte chunks: about 600 KB of chunk data, so at least two full 256 KB frames.
    private const int SeriesCount = 500;
    private static readonly Matcher[] s_big = [Matcher.Eq("__name__", "big")];

    [Fact]
    public async Task Select_returns_exactly_the_ingesters_series_over_several_frames()
    {
        string db = await pg.Server.CreateDatabaseAsync();
        var remote = new RecordingIngester("ing-1");
        List<ChunkSeries> expected = ManySeries();
        remote.Series.AddRange(expected);
        remote.Series.Add(new ChunkSeries(Labels.FromStrings("__name__", "other"), []));
        await using EngineSilo ing0 = await EngineSilo.StartAsync(db, "ing-0");
        await using EngineSilo ing1 = await EngineSilo.StartAsync(db, "ing-1", remote);
        await EngineSilo.WaitUntilAsync(() => ing0.SeesActive(ing1), "ing-0 to see ing-1 active");

        var client = new GrainIngesterClient(ing0.Grains, "ing-1", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
        var got = new List<ChunkSeries>();
        await foreach (ChunkSeries s in client.SelectAsync("team-a", long.MinValue, long.MaxValue, labelsOnly: false, s_big, default))
        {
            got.Add(s);
        }

        Assert.Equal(expected.Count, got.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            AssertSameSeries(expected[i], got[i]);
        }

        // The premise: the grain really sent more than one series frame (each about IngesterGrain.FrameBytes).
        var req = new IngesterSelectRequest { Tenant = "team-a", Mint = long.MinValue, Maxt = long.MaxValue };
        PayloadConvert.ToWire(s_big, req.Matchers);
        int batches = 0, series = 0;
        await foreach (byte[] bytes in ing0.Grains.GetGrain<IIngesterGrain>("ing-1/team-a").Select(req.ToByteArray(), default))
        {
            StreamFrame frame = StreamFrame.Parser.ParseFrom(bytes);
            if (frame.FrameCase == StreamFrame.FrameOneofCase.Batch)
            {
                batches++;
                series += frame.Batch.Series.Count;
            }
        }

        Assert.Equal(SeriesCount, series);
        Assert.True(batches >= 2, $"{batches} frames for ~600 KB of chunks at {IngesterGrain.FrameBytes} bytes per frame");
    }

    [Fact]
    public async Task A_select_failing_part_way_throws_a_grain_call_exception()
    {
        string db = await pg.Server.CreateDatabaseAsync();
        var remote = new RecordingIngester("ing-1") { FailSelectAfter = 400 };
        remote.Series.AddRange(ManySeries());
        await using EngineSilo ing0 = await EngineSilo.StartAsync(db, "ing-0");
        await using EngineSilo ing1 = await EngineSilo.StartAsync(db, "ing-1", remote);
        await EngineSilo.WaitUntilAsync(() => ing0.SeesActive(ing1), "ing-0 to see ing-1 active");

        var client = new GrainIngesterClient(ing0.Grains, "ing-1", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
        var got = new List<ChunkSeries>();
        var e = await Assert.ThrowsAsync<GrainCallException>(async () =>
        {
            await foreach (ChunkSeries s in client.SelectAsync("team-a", long.MinValue, long.MaxValue, labelsOnly: false, s_big, default))
            {
                got.Add(s);
            }
        });

        Assert.Equal(CallStatusCode.Internal, e.Code);
        Assert.Equal("ing-1", e.Instance);
        Assert.Equal("ingester/Select", e.Method);
        Assert.Contains("head read failed on ing-1", e.Message, StringComparison.Ordinal);

        // What arrived before the error is a prefix of the answer; the caller learns it is incomplete by the throw.
        Assert.InRange(got.Count, 0, 400);
        for (int i = 0; i < got.Count; i++)
        {
            AssertSameSeries(remote.Series[i], got[i]);
        }
    }

    private static List<ChunkSeries> ManySeries()
    {
        var random = new Random(42);
        var list = new List<ChunkSeries>(SeriesCount);
        for (int i = 0; i < SeriesCount; i++)
        {
            var chunks = new List<EncodedChunk>(2);
            for (int c = 0; c < 2; c++)
            {
                byte[] data = new byte[600];
                random.NextBytes(data);
                long mint = (i * 10_000L) + (c * 1000);
                chunks.Add(new EncodedChunk(mint, mint + 999, ChunkEncoding.Xor, data));
            }

            list.Add(new ChunkSeries(Labels.FromStrings("__name__", "big", "i", i.ToString("D4", CultureInfo.InvariantCulture)), chunks));
        }

        return list;
    }

    private static void AssertSameSeries(ChunkSeries expected, ChunkSeries actual)
    {
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(expected.Chunks.Count, actual.Chunks.Count);
        for (int c = 0; c < expected.Chunks.Count; c++)
        {
            Assert.Equal(expected.Chunks[c].MinTime, actual.Chunks[c].MinTime);
            Assert.Equal(expected.Chunks[c].MaxTime, actual.Chunks[c].MaxTime);
            Assert.Equal(expected.Chunks[c].Encoding, actual.Chunks[c].Encoding);
            Assert.Equal(expected.Chunks[c].Data.ToArray(), actual.Chunks[c].Data.ToArray());
        }
    }
}

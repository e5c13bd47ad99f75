using MetricsCluster.Cluster.Rpc;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Rpc;

public sealed class IngesterRpcTests
{
    [Fact]
    public async Task Push_round_trip_is_identical_to_the_in_process_call()
    {
        var fake = new FakeIngester
        {
            OnPush = (_, b, _) =>
            {
                var r = new PushResult { Accepted = b.SampleCount - 3 };
                r.Reject(ErrorId.MaxSeriesPerUser, 2, () => "per-tenant series limit of 1 exceeded (err-mc-max-series-per-user)", isLimit: true);
                r.Reject("err-mc-sample-out-of-order", 1, () => "out of order");
                return ValueTask.FromResult(r);
            },
        };
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, fake));
        var client = new RemoteIngesterClient(server.Pool, server.Address);
        using var batch = PushCodecTests.SampleBatch();

        var local = await fake.PushAsync("team-a", batch, CancellationToken.None);
        var remote = await client.PushAsync("team-a", batch, CancellationToken.None);

        Assert.Equal(2, fake.Pushes.Count);
        fake.Pushes[0].AssertEqual(fake.Pushes[1]);
        Assert.Equal(local.Accepted, remote.Accepted);
        Assert.Equal(local.RejectedByReason.OrderBy(kv => kv.Key), remote.RejectedByReason.OrderBy(kv => kv.Key));
        Assert.Equal(local.FirstError, remote.FirstError);
        Assert.True(remote.FirstError!.IsLimit);
    }

    [Fact]
    public async Task Select_streams_many_series_over_several_frames()
    {
        // 3000 series with a 120-sample chunk each: about 1 MB, i.e. several 256 KB frames.
        var series = Enumerable.Range(0, 3000).Select(i => Series($"s{i:D5}", i)).ToList();
        var fake = new FakeIngester { Series = series };
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, fake));
        var client = new RemoteIngesterClient(server.Pool, server.Address);

        var got = new List<ChunkSeries>();
        await foreach (var s in client.SelectAsync("t", 0, long.MaxValue, false, [Matcher.Eq("job", "api")], CancellationToken.None))
        {
            got.Add(s);
        }

        Assert.True(series.Sum(s => s.Chunks[0].Data.Length) > 3 * RpcProtocol.TargetBatchBytes);
        Assert.Equal(series.Count, got.Count);
        for (int i = 0; i < series.Count; i++)
        {
            Assert.Equal(series[i].Labels, got[i].Labels);
            var (a, b) = (series[i].Chunks[0], Assert.Single(got[i].Chunks));
            Assert.Equal((a.MinTime, a.MaxTime, a.Encoding), (b.MinTime, b.MaxTime, b.Encoding));
            Assert.True(a.Data.Span.SequenceEqual(b.Data.Span));
        }
    }

    [Theory]
    [InlineData(MatcherType.Equal, "env", "prod", "a,c")]
    [InlineData(MatcherType.NotEqual, "env", "prod", "b,d")]
    [InlineData(MatcherType.Regex, "env", "pr.*|dev", "a,b,c")]
    [InlineData(MatcherType.NotRegex, "env", "pr.*", "b,d")]
    [InlineData(MatcherType.Equal, "env", "", "d")]
    public async Task Select_applies_matchers_of_every_type(MatcherType type, string name, string value, string expected)
    {
        var fake = new FakeIngester
        {
            Series =
            [
                new(Labels.FromStrings("__name__", "a", "env", "prod"), []),
                new(Labels.FromStrings("__name__", "b", "env", "dev"), []),
                new(Labels.FromStrings("__name__", "c", "env", "prod"), []),
                new(Labels.FromStrings("__name__", "d"), []),
            ],
        };
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, fake));
        var client = new RemoteIngesterClient(server.Pool, server.Address);

        var names = new List<string>();
        await foreach (var s in client.SelectAsync("t", 0, 1, true, [new Matcher(type, name, value)], CancellationToken.None))
        {
            names.Add(s.Labels.Get("__name__"));
        }

        Assert.Equal(expected, string.Join(',', names));
    }

    [Fact]
    public async Task Label_metadata_and_stats_methods_round_trip()
    {
        var fake = new FakeIngester
        {
            Series = [new(Labels.FromStrings("__name__", "a", "env", "prod"), []), new(Labels.FromStrings("__name__", "b", "zone", "z1"), [])],
        };
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, fake));
        var client = new RemoteIngesterClient(server.Pool, server.Address);
        var ct = CancellationToken.None;

        Assert.Equal(["__name__", "env", "zone"], await client.LabelNamesAsync("t", 0, 1, [], ct));
        Assert.Equal(["__name__", "env"], await client.LabelNamesAsync("t", 0, 1, [new Matcher(MatcherType.Regex, "env", ".+")], ct));
        Assert.Equal(["a", "b"], await client.LabelValuesAsync("t", "__name__", 0, 1, [], ct));
        Assert.Equal(await fake.MetadataAsync("t", "up", 5, ct), await client.MetadataAsync("t", "up", 5, ct));
        Assert.Equal(await fake.MetadataAsync("t", null, 0, ct), await client.MetadataAsync("t", null, 0, ct));
        Assert.Equal(await fake.UserStatsAsync("tenant", ct), await client.UserStatsAsync("tenant", ct));
        Assert.Equal(await fake.AllUserStatsAsync(ct), await client.AllUserStatsAsync(ct));
    }

    [Fact]
    public async Task Ingester_unavailable_is_a_retryable_503()
    {
        var fake = new FakeIngester { OnPush = (_, _, _) => throw new IngesterUnavailableException("ingester is not accepting writes (starting or shutting down)") };
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, fake));
        var client = new RemoteIngesterClient(server.Pool, server.Address);
        using var batch = PushCodecTests.SampleBatch();

        var e = await Assert.ThrowsAsync<RpcException>(() => client.PushAsync("t", batch, CancellationToken.None).AsTask());
        Assert.Equal(RpcStatusCode.Unavailable, e.Code);
        Assert.True(e.Retryable);
        Assert.Contains("not accepting writes", e.Message, StringComparison.Ordinal);
        Assert.Contains(server.Address, e.Message, StringComparison.Ordinal);
        Assert.Contains("ingester/Push", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_push_and_bad_regex_are_permanent_invalid_argument()
    {
        var fake = new FakeIngester();
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, fake));

        // Unsorted label names (b before a) must never reach the head.
        var body = Convert.FromHexString("120A0A080162016101610161");
        var e = await Assert.ThrowsAsync<RpcException>(() => server.Pool.CallAsync(server.Address, "ingester/Push", Pooled(body), TimeSpan.FromSeconds(30), Cluster.Rpc.Wire.PushResponse.Parser, CancellationToken.None));
        Assert.Equal(RpcStatusCode.InvalidArgument, e.Code);
        Assert.False(e.Retryable);
        Assert.Empty(fake.Pushes);

        var badRegex = new Cluster.Rpc.Wire.IngesterLabelNamesRequest { Tenant = "t", Matchers = { new Cluster.Rpc.Wire.LabelMatcher { Type = (uint)MatcherType.Regex, Name = "a", Value = "(" } } };
        e = await Assert.ThrowsAsync<RpcException>(() => server.Pool.CallAsync(server.Address, "ingester/LabelNames", badRegex, Cluster.Rpc.Wire.LabelsResponse.Parser, CancellationToken.None));
        Assert.Equal(RpcStatusCode.InvalidArgument, e.Code);
    }

    [Fact]
    public async Task Error_in_the_middle_of_a_stream_fails_the_call_instead_of_a_short_result()
    {
        var fake = new FakeIngester { Series = [.. Enumerable.Range(0, 5000).Select(i => Series($"s{i:D5}", i))], FailSelectAfter = 4000 };
        await using var server = await RpcTestServer.StartAsync(app => app.MapIngesterRpc(fake, fake));
        var client = new RemoteIngesterClient(server.Pool, server.Address);

        int seen = 0;
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var s in client.SelectAsync("t", 0, long.MaxValue, false, [], CancellationToken.None))
            {
                seen++;
            }
        });
        Assert.Equal(RpcStatusCode.Internal, e.Code);
        Assert.True(e.Retryable);
        Assert.Contains("head read failed", e.Message, StringComparison.Ordinal);
        Assert.True(seen < 4000);
    }

    internal static PooledBufferContent Pooled(byte[] body)
    {
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(body.Length);
        body.CopyTo(rented, 0);
        return PooledBufferContent.Wrap(rented, body.Length);
    }

    internal static ChunkSeries Series(string name, int seed)
    {
        var chunk = new XorChunk();
        for (int i = 0; i < XorChunk.MaxSamplesPerChunk; i++)
        {
            chunk.Append(1000L * i, (seed * 7.5) + Math.Sin(i));
        }

        return new ChunkSeries(Labels.FromStrings("__name__", name, "job", "api"), [new EncodedChunk(chunk.MinTime, chunk.MaxTime, ChunkEncoding.Xor, chunk.ToArray())]);
    }
}

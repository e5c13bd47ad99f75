using System.Buffers.Binary;
using System.Globalization;
using MetricsCluster.Agent.RemoteWrite;
using Xunit;

namespace MetricsCluster.Agent.Tests.RemoteWrite;

/// <summary>The queue end to end against a real Kestrel receiver (tests mirror src/Agent/RemoteWrite, G18).</summary>
public sealed class RemoteWriteQueueTests : IAsyncLifetime
{
    private readonly QueueTestKit _kit = new();
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await TestReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _kit.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task EverySampleArrivesExactlyAsWrittenInSeriesOrder()
    {
        var queue = _kit.Start(_receiver.Url, o =>
        {
            o.Headers["X-Scope-OrgID"] = "tenant-7";
            o.BearerToken = "s3cret";
        });
        var scrapes = QueueTestKit.Scrapes(series: 40, rounds: 25);
        foreach (var batch in scrapes)
        {
            await queue.WriteAsync(batch, CancellationToken.None);
        }

        int total = scrapes.Sum(b => b.Length);
        await QueueTestKit.UntilAsync(() => _receiver.Samples.Count >= total, () => $"{_receiver.Samples.Count}/{total} samples");
        QueueTestKit.AssertAllArrivedInOrder(scrapes, _receiver.Samples);
        Assert.True(_receiver.Requests > 4, "small max_samples_per_send must split the data into many requests");
        var headers = _receiver.Headers[0];
        Assert.Equal("snappy", headers["Content-Encoding"]);
        Assert.Equal("application/x-protobuf", headers["Content-Type"]);
        Assert.Equal("0.1.0", headers["X-Prometheus-Remote-Write-Version"]);
        Assert.Equal(HttpRemoteWriteTransport.UserAgent, headers["User-Agent"]);
        Assert.Equal("tenant-7", headers["X-Scope-OrgID"]);
        Assert.Equal("Bearer s3cret", headers["Authorization"]);
        await QueueTestKit.UntilAsync(() => _kit.Counter("prometheus_remote_storage_samples_total", _receiver.Url) == total, () => "samples_total");
        await QueueTestKit.UntilAsync(() => _kit.Gauge("prometheus_remote_storage_samples_pending", _receiver.Url) == 0, () => "samples_pending");
        Assert.Equal(4, _kit.Gauge("prometheus_remote_storage_shards", _receiver.Url));
        long maxTs = scrapes.SelectMany(b => b).Max(s => s.TimestampMs);
        Assert.Equal(maxTs / 1000.0, _kit.Gauge("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", _receiver.Url));
    }

    [Fact]
    public async Task ConcurrentWritersAllArriveInSeriesOrder()
    {
        var queue = _kit.Start(_receiver.Url);
        var perWriter = Enumerable.Range(0, 6).Select(w => QueueTestKit.Scrapes(series: 8, rounds: 30, metric: "writer_" + w)).ToList();
        await Task.WhenAll(perWriter.Select(scrapes => Task.Run(async () =>
        {
            foreach (var batch in scrapes)
            {
                await queue.WriteAsync(batch, CancellationToken.None);
            }
        })));

        int total = perWriter.Sum(w => w.Sum(b => b.Length));
        await QueueTestKit.UntilAsync(() => _receiver.Samples.Count >= total, () => $"{_receiver.Samples.Count}/{total} samples");
        QueueTestKit.AssertAllArrivedInOrder(perWriter.SelectMany(w => w), _receiver.Samples);
    }

    [Fact]
    public void ASecondQueueOnTheSameDirectoryIsRefused()
    {
        _kit.Start(_receiver.Url);
        var ex = Assert.Throws<InvalidOperationException>(() => _kit.Start(_receiver.Url));
        Assert.Contains(_kit.Directory, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BasicAuthIsSent()
    {
        var queue = _kit.Start(_receiver.Url, o =>
        {
            o.BasicAuthUsername = "agent";
            o.BasicAuthPassword = "pa:ss";
        });
        await queue.WriteAsync(QueueTestKit.Scrapes(1, 1)[0], CancellationToken.None);
        await QueueTestKit.UntilAsync(() => _receiver.Headers.Count > 0, () => "a request");
        Assert.Equal("Basic " + Convert.ToBase64String("agent:pa:ss"u8.ToArray()), _receiver.Headers[0]["Authorization"]);
    }

    public static TheoryData<int, string?> RetryableReplies => new()
    {
        { 500, null },
        { 503, "0" },
        { 429, "1" },
        { 429, null },
        { 503, "date" },
    };

    [Theory]
    [MemberData(nameof(RetryableReplies))]
    public async Task RetryableStatusesAreRetriedUntilTheyAreAccepted(int status, string? retryAfter)
    {
        // The HTTP-date form is built at run time: one second ahead, so the wait is short but real.
        string? header = retryAfter == "date" ? DateTimeOffset.UtcNow.AddSeconds(1).ToString("R", CultureInfo.InvariantCulture) : retryAfter;
        _receiver.Behavior = n => n < 3 ? new Reply(status, header, "try later") : Reply.Ok;
        var queue = _kit.Start(_receiver.Url, o => o.MinShards = 1);
        var scrapes = QueueTestKit.Scrapes(series: 10, rounds: 3);
        foreach (var batch in scrapes)
        {
            await queue.WriteAsync(batch, CancellationToken.None);
        }

        await QueueTestKit.UntilAsync(() => _receiver.Samples.Count >= 30, () => $"{_receiver.Samples.Count}/30 samples");
        QueueTestKit.AssertAllArrivedInOrder(scrapes, _receiver.Samples);
        Assert.True(_receiver.Requests >= 4);
        Assert.True(_kit.Counter("prometheus_remote_storage_samples_retried_total", _receiver.Url) > 0);
        Assert.Equal(0, _kit.Counter("prometheus_remote_storage_samples_failed_total", _receiver.Url));
    }

    [Theory]
    [InlineData(400, true)]
    [InlineData(404, true)]
    [InlineData(429, false)]
    public async Task NonRetryableStatusesDropTheBatchAndCountIt(int status, bool retryOn429)
    {
        _receiver.Behavior = n => n == 0 ? new Reply(status, Body: "out of order sample for series x") : Reply.Ok;
        var queue = _kit.Start(_receiver.Url, o =>
        {
            o.MinShards = 1;
            o.RetryOnHttp429 = retryOn429;
        });
        var rejected = QueueTestKit.Scrapes(series: 5, rounds: 1, metric: "rejected");
        await queue.WriteAsync(rejected[0], CancellationToken.None);
        await QueueTestKit.UntilAsync(() => _kit.Counter("prometheus_remote_storage_samples_failed_total", _receiver.Url) == 5, () => "samples_failed_total == 5");

        var accepted = QueueTestKit.Scrapes(series: 5, rounds: 2, metric: "accepted");
        foreach (var batch in accepted)
        {
            await queue.WriteAsync(batch, CancellationToken.None);
        }

        await QueueTestKit.UntilAsync(() => _receiver.Samples.Count >= 10, () => $"{_receiver.Samples.Count}/10 samples");
        QueueTestKit.AssertAllArrivedInOrder(accepted, _receiver.Samples);
        Assert.Equal(0, _kit.Counter("prometheus_remote_storage_samples_retried_total", _receiver.Url));
        Assert.Contains(_kit.Logger.Lines, l => l.Contains($"status {status}", StringComparison.Ordinal) && l.Contains("out of order sample for series x", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AHangingReceiverTimesOutAndTheBatchIsRetried()
    {
        _receiver.Behavior = n => n == 0 ? new Reply(Hang: true) : Reply.Ok;
        var queue = _kit.Start(_receiver.Url, o =>
        {
            o.MinShards = 1;
            o.RemoteTimeout = TimeSpan.FromMilliseconds(500);
        });
        var scrapes = QueueTestKit.Scrapes(series: 3, rounds: 2);
        foreach (var batch in scrapes)
        {
            await queue.WriteAsync(batch, CancellationToken.None);
        }

        await QueueTestKit.UntilAsync(() => _receiver.Samples.Count >= 6, () => $"{_receiver.Samples.Count}/6 samples");
        QueueTestKit.AssertAllArrivedInOrder(scrapes, _receiver.Samples);
        Assert.Contains(_kit.Logger.Lines, l => l.Contains("remote_timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReceiverDownForAWhileThenUpGetsEverything()
    {
        int port = QueueTestKit.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/api/v1/write");
        var queue = _kit.Start(url);
        var scrapes = QueueTestKit.Scrapes(series: 20, rounds: 10);
        foreach (var batch in scrapes.Take(5))
        {
            await queue.WriteAsync(batch, CancellationToken.None);
        }

        // Connection refused: the queue retries with backoff and keeps accepting writes meanwhile.
        await QueueTestKit.UntilAsync(() => _kit.Counter("prometheus_remote_storage_samples_retried_total", url) > 0, () => "a retried send");
        foreach (var batch in scrapes.Skip(5))
        {
            await queue.WriteAsync(batch, CancellationToken.None);
        }

        await using var late = await TestReceiver.StartAsync(port);
        await QueueTestKit.UntilAsync(() => late.Samples.Count >= 200, () => $"{late.Samples.Count}/200 samples");
        QueueTestKit.AssertAllArrivedInOrder(scrapes, late.Samples);
    }

    [Fact]
    public async Task UnsentDataSurvivesDisposeAndIsSentByTheNextQueue()
    {
        _receiver.Behavior = _ => new Reply(503);
        var first = _kit.Start(_receiver.Url);
        var scrapes = QueueTestKit.Scrapes(series: 30, rounds: 8);
        foreach (var batch in scrapes)
        {
            await first.WriteAsync(batch, CancellationToken.None);
        }

        await QueueTestKit.UntilAsync(() => _receiver.Requests > 0, () => "a first attempt");
        await first.DisposeAsync();

        _receiver.Behavior = _ => Reply.Ok;
        _kit.Start(_receiver.Url);
        await QueueTestKit.UntilAsync(() => _receiver.Samples.Count >= 240, () => $"{_receiver.Samples.Count}/240 samples");
        QueueTestKit.AssertAllArrivedInOrder(scrapes, _receiver.Samples);
    }

    [Fact]
    public async Task AcknowledgedDataIsNotResentAndItsSegmentsAreDeleted()
    {
        var first = _kit.Start(_receiver.Url, o => o.SegmentSize = 2048);
        var before = QueueTestKit.Scrapes(series: 10, rounds: 20, metric: "before");
        foreach (var batch in before)
        {
            await first.WriteAsync(batch, CancellationToken.None);
        }

        await QueueTestKit.UntilAsync(() => _receiver.Samples.Count >= 200, () => $"{_receiver.Samples.Count}/200 samples");
        await QueueTestKit.UntilAsync(() => _kit.SegmentFiles().Length == 1, () => "acknowledged segments deleted: " + string.Join(",", _kit.SegmentFiles()));
        await first.DisposeAsync();

        await using var second = await TestReceiver.StartAsync();
        var queue = _kit.Start(second.Url);
        var after = QueueTestKit.Scrapes(series: 10, rounds: 2, startMs: 1_800_000_000_000, metric: "after");
        foreach (var batch in after)
        {
            await queue.WriteAsync(batch, CancellationToken.None);
        }

        await QueueTestKit.UntilAsync(() => second.Samples.Count >= 20, () => $"{second.Samples.Count}/20 samples; files: {string.Join(",", Directory.GetFiles(_kit.Directory).Select(f => Path.GetFileName(f) + "=" + new FileInfo(f).Length))} log: " + string.Join("\n", _kit.Logger.Lines));
        QueueTestKit.AssertAllArrivedInOrder(after, second.Samples);
    }

    [Fact]
    public async Task ATornLastRecordIsSkippedWithItsOffsetLoggedAndEarlierRecordsAreSent()
    {
        _receiver.Behavior = _ => new Reply(503);
        var first = _kit.Start(_receiver.Url);
        var scrapes = QueueTestKit.Scrapes(series: 10, rounds: 6);
        foreach (var batch in scrapes)
        {
            await first.WriteAsync(batch, CancellationToken.None);
        }

        await first.DisposeAsync();
        string segment = Path.Combine(_kit.Directory, _kit.SegmentFiles().Last());
        long lastRecord = LastRecordOffset(segment);
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(file.Length - 5);
        }

        _receiver.Behavior = _ => Reply.Ok;
        _kit.Start(_receiver.Url);
        await QueueTestKit.UntilAsync(() => _receiver.Samples.Count >= 50, () => $"{_receiver.Samples.Count}/50 samples");
        QueueTestKit.AssertAllArrivedInOrder(scrapes.Take(5), _receiver.Samples);
        Assert.Contains(_kit.Logger.Lines, l => l.Contains("torn record", StringComparison.Ordinal)
            && l.Contains($"segment {Path.GetFileName(segment)} at offset {lastRecord}", StringComparison.Ordinal));
        Assert.Equal(1, _kit.Counter("metricscluster_agent_queue_corrupt_records_total", _receiver.Url));
    }

    [Fact]
    public async Task ACorruptRecordEndsItsSegmentButLaterSegmentsAreStillSent()
    {
        _receiver.Behavior = _ => new Reply(503);
        var first = _kit.Start(_receiver.Url, o => o.SegmentSize = 2048);
        var scrapes = QueueTestKit.Scrapes(series: 4, rounds: 40);
        foreach (var batch in scrapes)
        {
            await first.WriteAsync(batch, CancellationToken.None);
        }

        await first.DisposeAsync();
        string[] segments = _kit.SegmentFiles();
        Assert.True(segments.Length >= 3, string.Join(",", segments));

        // Flip one payload byte of the second record of the first segment: its CRC no longer matches.
        string path = Path.Combine(_kit.Directory, segments[0]);
        byte[] bytes = File.ReadAllBytes(path);
        long second = QueueFormat.SegmentHeaderSize + 8 + BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(QueueFormat.SegmentHeaderSize));
        bytes[second + 8 + 3] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        int recordsInFirst = RecordOffsets(bytes).Count;

        _receiver.Behavior = _ => Reply.Ok;
        _kit.Start(_receiver.Url);
        var expected = scrapes.Take(1).Concat(scrapes.Skip(recordsInFirst)).ToList();
        int total = expected.Sum(b => b.Length);
        await QueueTestKit.UntilAsync(() => _receiver.Samples.Count >= total, () => $"{_receiver.Samples.Count}/{total} samples");
        QueueTestKit.AssertAllArrivedInOrder(expected, _receiver.Samples);
        Assert.Contains(_kit.Logger.Lines, l => l.Contains("CRC32C mismatch", StringComparison.Ordinal)
            && l.Contains($"segment {segments[0]} at offset {second}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OverTheSizeLimitTheOldestSegmentsAreDroppedAndCounted()
    {
        int port = QueueTestKit.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/api/v1/write");
        var queue = _kit.Start(url, o =>
        {
            o.SegmentSize = 4096;
            o.MaxQueueBytes = 16384;
        });
        foreach (var batch in QueueTestKit.Scrapes(series: 20, rounds: 100))
        {
            await queue.WriteAsync(batch, CancellationToken.None);
        }

        Assert.True(_kit.Counter("metricscluster_agent_queue_dropped_segments_total", url) > 0);
        Assert.True(_kit.Counter("metricscluster_agent_queue_dropped_bytes_total", url) > 0);
        long onDisk = _kit.SegmentFiles().Sum(f => new FileInfo(Path.Combine(_kit.Directory, f)).Length);
        Assert.True(onDisk <= 16384 + 4096, $"{onDisk} bytes on disk");
        Assert.Equal(onDisk, _kit.Gauge("metricscluster_agent_queue_disk_bytes", url));
        Assert.Contains(_kit.Logger.Lines, l => l.Contains("dropped unsent segment", StringComparison.Ordinal));
    }

    private static long LastRecordOffset(string segment) => RecordOffsets(File.ReadAllBytes(segment))[^1];

    // Walks the record headers as docs/format/agent-queue.md section 4 specifies.
    private static List<long> RecordOffsets(byte[] bytes)
    {
        var offsets = new List<long>();
        long offset = QueueFormat.SegmentHeaderSize;
        while (offset + 8 <= bytes.Length)
        {
            offsets.Add(offset);
            offset += 8 + BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)offset));
        }

        Assert.Equal(bytes.Length, offset);
        return offsets;
    }
}

using System.Collections.Concurrent;
using System.Net;
using MetricsCluster.Core.Snappy;
using MetricsCluster.Core.Wire.Prompb;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Agent.Tests.RemoteWrite;

/// <summary>What the receiver does with one request.</summary>
/// <param name="Status">The status to answer.</param>
/// <param name="RetryAfter">The Retry-After header value, if any.</param>
/// <param name="Body">The response body.</param>
/// <param name="Hang">Never answer (until the client gives up).</param>
public sealed record Reply(int Status = 204, string? RetryAfter = null, string Body = "", bool Hang = false)
{
    public static Reply Ok { get; } = new();
}

/// <summary>One sample as the receiver decoded it.</summary>
public readonly record struct Received(string Series, long TimestampMs, long ValueBits);

/// <summary>
/// A remote-write receiver on real Kestrel (127.0.0.1): decodes every request (snappy block + protobuf),
/// records the samples of the requests it accepts, and answers what <see cref="Behavior"/> says for the
/// n-th request (0-based), so tests can script 500/429/400/hangs.
/// </summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _samples = new();
    private readonly ConcurrentQueue<Dictionary<string, string>> _headers = new();
    private int _requests;

    private TestReceiver(WebApplication app) => _app = app;

    /// <summary>Gets or sets the reply for the n-th request.</summary>
    public Func<int, Reply> Behavior { get; set; } = _ => Reply.Ok;

    public Uri Url { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public IReadOnlyList<Received> Samples => [.. _samples];

    /// <summary>Gets the request headers of accepted requests (copied: Kestrel reuses its header objects).</summary>
    public IReadOnlyList<Dictionary<string, string>> Headers => [.. _headers];

    public static async Task<TestReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new TestReceiver(app);
        app.MapPost("/api/v1/write", receiver.HandleAsync);
        await app.StartAsync();
        string address = app.Urls.First();
        receiver.Url = new Uri(address.TrimEnd('/') + "/api/v1/write");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        int n = Interlocked.Increment(ref _requests) - 1;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        byte[] compressed = body.ToArray();
        byte[] raw = new byte[SnappyDecoder.GetDecodedLength(compressed)];
        SnappyDecoder.Decode(compressed, raw);
        var request = WriteRequest.Parser.ParseFrom(raw);
        var reply = Behavior(n);
        if (reply.Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }

        if (reply.Status is >= 200 and < 300)
        {
            _headers.Enqueue(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            foreach (var ts in request.Timeseries)
            {
                string series = "{" + string.Join(",", ts.Labels.Select(l => $"{l.Name}=\"{l.Value}\"")) + "}";
                foreach (var s in ts.Samples)
                {
                    _samples.Enqueue(new Received(series, s.Timestamp, BitConverter.DoubleToInt64Bits(s.Value)));
                }
            }
        }

        context.Response.StatusCode = reply.Status;
        if (reply.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = reply.RetryAfter;
        }

        if (reply.Body.Length > 0)
        {
            await context.Response.WriteAsync(reply.Body, context.RequestAborted);
        }
    }
}

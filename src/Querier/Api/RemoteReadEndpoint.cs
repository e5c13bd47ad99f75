using Google.Protobuf;
using MetricsCluster.Core;
using MetricsCluster.Core.Snappy;
using MetricsCluster.Core.Storage;
using MetricsCluster.Core.Wire.Prompb;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using IQueryable = MetricsCluster.Core.Storage.IQueryable;
using PromLabel = MetricsCluster.Core.Wire.Prompb.Label;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// Prometheus remote read (<c>POST /prometheus/api/v1/read</c>), SAMPLES response type: a snappy block of a
/// <c>ReadResponse</c>. Clients that list STREAMED_XOR_CHUNKS first also accept SAMPLES, which is what we pick
/// (the server takes the first type it supports). Bodies and results are capped as Prometheus caps them.
/// </summary>
public static class RemoteReadEndpoint
{
    /// <summary>Largest request body, compressed or decompressed (Prometheus: 32 MiB).</summary>
    public const int MaxBodyBytes = 32 << 20;

    /// <summary>Most samples one request may return (Prometheus' default read sample limit).</summary>
    public const long MaxSamples = 50_000_000;

    /// <summary>Maps the endpoint under <paramref name="prefix"/>.</summary>
    public static IEndpointRouteBuilder MapRemoteRead(this IEndpointRouteBuilder app, string prefix, IQueryable queryable, Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant)
    {
        app.MapPost(prefix + "/api/v1/read", async ctx =>
        {
            var (tenant, error) = resolveTenant(ctx);
            if (error is not null)
            {
                await error.ExecuteAsync(ctx);
                return;
            }

            ReadRequest request;
            try
            {
                request = await ReadRequestAsync(ctx.Request);
            }
            catch (InvalidDataException e)
            {
                await Text(ctx, 400, e.Message);
                return;
            }

            if (request.AcceptedResponseTypes.Count > 0 && !request.AcceptedResponseTypes.Contains(ReadRequest.Types.ResponseType.Samples))
            {
                await Text(ctx, 400, "none of the accepted response types is supported; this server answers SAMPLES");
                return;
            }

            var response = new ReadResponse();
            long samples = 0;
            foreach (var q in request.Queries)
            {
                var result = new QueryResult();
                await using var querier = queryable.Querier(tenant!, q.StartTimestampMs, q.EndTimestampMs);
                await foreach (var s in querier.SelectAsync(true, null, q.Matchers.Select(ToMatcher).ToList(), ctx.RequestAborted))
                {
                    var ts = ToTimeSeries(s, ref samples);
                    if (samples > MaxSamples)
                    {
                        await Text(ctx, 400, $"exceeded sample limit ({MaxSamples})");
                        return;
                    }

                    result.Timeseries.Add(ts);
                }

                response.Results.Add(result);
            }

            ctx.Response.ContentType = "application/x-protobuf";
            ctx.Response.Headers.ContentEncoding = "snappy";
            await ctx.Response.Body.WriteAsync(SnappyEncoder.Encode(response.ToByteArray()), ctx.RequestAborted);
        });
        return app;
    }

    private static async Task<ReadRequest> ReadRequestAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new InvalidDataException($"request body of {request.ContentLength} bytes exceeds the limit of {MaxBodyBytes}");
        }

        using var ms = await ReadBoundedAsync(request.Body, request.HttpContext.RequestAborted);
        ReadOnlySpan<byte> body = ms.GetBuffer().AsSpan(0, (int)ms.Length);
        int decodedLength = SnappyDecoder.GetDecodedLength(body);

        // The header's length decides the allocation: a 10-byte body may claim 4 GB.
        if (decodedLength > MaxBodyBytes)
        {
            throw new InvalidDataException($"request body decodes to {decodedLength} bytes, over the limit of {MaxBodyBytes}");
        }

        try
        {
            byte[] raw = new byte[decodedLength];
            SnappyDecoder.Decode(body, raw);
            return ReadRequest.Parser.ParseFrom(raw);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException("cannot decode remote read request: " + e.Message);
        }
    }

    /// <summary>
    /// Reads <paramref name="body"/> into memory, failing as soon as it passes <see cref="MaxBodyBytes"/>: a chunked
    /// body has no length up front, and buffering it whole before checking lets one request take any memory.
    /// </summary>
    internal static async Task<MemoryStream> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        var ms = new MemoryStream();
        byte[] chunk = new byte[16 << 10];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            ms.Write(chunk, 0, read);
            if (ms.Length > MaxBodyBytes)
            {
                await ms.DisposeAsync();
                throw new InvalidDataException($"request body exceeds the limit of {MaxBodyBytes} bytes");
            }
        }

        return ms;
    }

    private static Matcher ToMatcher(LabelMatcher m)
    {
        var type = m.Type switch
        {
            LabelMatcher.Types.Type.Eq => MatcherType.Equal,
            LabelMatcher.Types.Type.Neq => MatcherType.NotEqual,
            LabelMatcher.Types.Type.Re => MatcherType.Regex,
            _ => MatcherType.NotRegex,
        };
        try
        {
            return new Matcher(type, m.Name, m.Value);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"invalid matcher {m.Name}: {e.Message}");
        }
    }

    private static TimeSeries ToTimeSeries(ISeries s, ref long samples)
    {
        var ts = new TimeSeries();
        foreach (var l in s.Labels)
        {
            ts.Labels.Add(new PromLabel { Name = System.Text.Encoding.UTF8.GetString(l.Name), Value = System.Text.Encoding.UTF8.GetString(l.Value) });
        }

        var it = s.Iterator(null);
        while (it.Next())
        {
            ts.Samples.Add(new MetricsCluster.Core.Wire.Prompb.Sample { Timestamp = it.T, Value = it.V });
            samples++;
        }

        if (it.Error is { } e)
        {
            throw new InvalidOperationException($"reading series {s.Labels}: {e.Message}", e);
        }

        return ts;
    }

    private static async Task Text(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(message + "\n");
    }
}

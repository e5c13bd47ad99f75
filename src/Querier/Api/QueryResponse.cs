using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// Prometheus' response envelope for the query endpoints (<c>web/api/v1</c> <c>Response</c> and
/// <c>json_codec.go</c>): <c>status</c>, <c>data</c>, then <c>warnings</c> and <c>infos</c> only when non-empty;
/// errors as <c>status</c>, <c>errorType</c>, <c>error</c>.
/// </summary>
internal static class QueryResponse
{
    /// <summary>Prometheus returns at most this many warnings and as many infos, then one "N more … omitted" line.</summary>
    internal const int MaxAnnotations = 10;

    /// <summary>The HTTP status of an API error type, as Prometheus' <c>respondError</c>.</summary>
    internal static int StatusCode(QueryErrorType type) => type switch
    {
        QueryErrorType.BadData => 400,
        QueryErrorType.Execution => 422,
        QueryErrorType.Canceled => 499,
        QueryErrorType.Timeout => 503,
        _ => 500,
    };

    /// <summary>A success body with <paramref name="data"/> written by the caller.</summary>
    internal static ReadOnlyMemory<byte> Success(Action<PromJsonWriter> data, IReadOnlyList<string> warnings, IReadOnlyList<string> infos, int sizeHint = 4096)
    {
        var w = new PromJsonWriter(sizeHint);
        w.Raw("{\"status\":\"success\",\"data\":"u8);
        data(w);
        Annotations(w, "warnings"u8, warnings, "warning");
        Annotations(w, "infos"u8, infos, "info");
        return w.Raw((byte)'}').WrittenMemory;
    }

    /// <summary>The <c>data</c> of a query result: <c>{"resultType":…,"result":…}</c>, then what <paramref name="extra"/> appends (<c>,"stats":…</c>).</summary>
    internal static void WriteQueryData(PromJsonWriter w, QueryValue value, Action<PromJsonWriter>? extra = null)
    {
        w.Raw("{\"resultType\":"u8).String(value.ResultType).Raw(",\"result\":"u8);
        switch (value)
        {
            // Scalars and strings have their own MarshalJSON in promql/value.go, through encoding/json:
            // the timestamp is the float64 T/1000 (1.5, not 1.500) and a scalar's value never has an exponent.
            case ScalarValue s:
                w.Raw((byte)'[').Number(s.T / 1000.0).Raw((byte)',').String(PromJsonWriter.FormatFloatF(s.V)).Raw((byte)']');
                break;
            case StringValue s:
                w.Raw((byte)'[').Number(s.T / 1000.0).Raw((byte)',').String(s.V).Raw((byte)']');
                break;
            case VectorValue v:
                WriteVector(w, v);
                break;
            case MatrixValue m:
                WriteMatrix(w, m);
                break;
            default:
                throw new InvalidOperationException("unknown result type " + value.ResultType);
        }

        extra?.Invoke(w);
        w.Raw((byte)'}');
    }

    /// <summary>
    /// About the size of <paramref name="value"/>'s JSON, so the writer's buffer is sized once: a matrix point is
    /// <c>[1435781451.781,"12.25"]</c> and a comma (about 28 bytes), a series' labels a couple of hundred.
    /// </summary>
    internal static int SizeHint(QueryValue value)
    {
        long bytes = 4096;
        if (value is MatrixValue m)
        {
            foreach (var s in m.Series)
            {
                bytes += 256 + (28L * s.Floats.Count);
            }
        }
        else if (value is VectorValue v)
        {
            bytes += 300L * v.Samples.Count;
        }

        // An estimate only: a larger answer still grows the buffer as it needs.
        return (int)Math.Min(bytes, 64L << 20);
    }

    /// <summary>An error body.</summary>
    internal static ReadOnlyMemory<byte> Error(string errorType, string message) =>
        new PromJsonWriter().Raw("{\"status\":\"error\",\"errorType\":"u8).String(errorType).Raw(",\"error\":"u8).String(message).Raw((byte)'}').WrittenMemory;

    private static void WriteVector(PromJsonWriter w, VectorValue v)
    {
        w.Raw((byte)'[');
        for (int i = 0; i < v.Samples.Count; i++)
        {
            var s = v.Samples[i];
            if (i > 0)
            {
                w.Raw((byte)',');
            }

            // DropName samples already had their name removed by the engine; the metric is printed as is.
            w.Raw("{\"metric\":"u8);
            WriteLabels(w, s.Metric);
            w.Raw(",\"value\":["u8).Timestamp(s.T).Raw((byte)',').Float(s.F).Raw("]}"u8);
        }

        w.Raw((byte)']');
    }

    private static void WriteMatrix(PromJsonWriter w, MatrixValue m)
    {
        w.Raw((byte)'[');
        for (int i = 0; i < m.Series.Count; i++)
        {
            var s = m.Series[i];
            if (i > 0)
            {
                w.Raw((byte)',');
            }

            w.Raw("{\"metric\":"u8);
            WriteLabels(w, s.Metric);

            // As marshalSeriesJSON: a series without float points has no "values" key at all.
            for (int j = 0; j < s.Floats.Count; j++)
            {
                w.Raw(j == 0 ? ",\"values\":["u8 : ","u8);
                w.Raw((byte)'[').Timestamp(s.Floats[j].T).Raw((byte)',').Float(s.Floats[j].F).Raw((byte)']');
            }

            w.Raw(s.Floats.Count > 0 ? "]}"u8 : "}"u8);
        }

        w.Raw((byte)']');
    }

    private static void WriteLabels(PromJsonWriter w, Labels labels)
    {
        w.Raw((byte)'{');
        bool first = true;
        foreach (var l in labels)
        {
            if (!first)
            {
                w.Raw((byte)',');
            }

            first = false;
            w.String(l.Name).Raw((byte)':').String(l.Value);
        }

        w.Raw((byte)'}');
    }

    private static void Annotations(PromJsonWriter w, ReadOnlySpan<byte> key, IReadOnlyList<string> items, string kind)
    {
        if (items.Count == 0)
        {
            return;
        }

        w.Raw((byte)',').Raw((byte)'"').Raw(key).Raw("\":["u8);
        int shown = Math.Min(items.Count, MaxAnnotations);
        for (int i = 0; i < shown; i++)
        {
            if (i > 0)
            {
                w.Raw((byte)',');
            }

            w.String(items[i]);
        }

        if (items.Count > shown)
        {
            w.Raw((byte)',').String($"{items.Count - shown} more {kind} annotations omitted");
        }

        w.Raw((byte)']');
    }
}

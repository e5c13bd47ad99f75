using Google.Protobuf;
using Google.Protobuf.Collections;
using MetricsCluster.Cluster.Payload.Wire;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Cluster.Payload;

/// <summary>Conversions between Core types and the generated wire messages (cold paths: everything but Push samples).</summary>
internal static class PayloadConvert
{
    /// <summary>Wire form of matchers.</summary>
    public static void ToWire(IReadOnlyList<Matcher> matchers, RepeatedField<LabelMatcher> dst)
    {
        foreach (var m in matchers)
        {
            dst.Add(new LabelMatcher { Type = (uint)m.Type, Name = m.Name, Value = m.Value });
        }
    }

    /// <summary>Matchers from the wire; an unknown type or a bad regex throws (400).</summary>
    public static Matcher[] FromWire(RepeatedField<LabelMatcher> src)
    {
        var result = new Matcher[src.Count];
        for (int i = 0; i < src.Count; i++)
        {
            var m = src[i];
            if (m.Type > (uint)MatcherType.NotRegex)
            {
                throw new FormatException($"unknown matcher type {m.Type}");
            }

            result[i] = new Matcher((MatcherType)m.Type, m.Name, m.Value);
        }

        return result;
    }

    /// <summary>Wire form of a push result.</summary>
    public static PushResponse ToWire(PushResult r)
    {
        var resp = new PushResponse { Accepted = r.Accepted };
        foreach (var (id, n) in r.RejectedByReason)
        {
            resp.RejectedByReason[id] = n;
        }

        if (r.FirstError is { } e)
        {
            resp.FirstError = new PushErrorDesc { Id = e.Id, Message = e.Message, IsLimit = e.IsLimit };
        }

        return resp;
    }

    /// <summary>A push result from the wire (a full round trip).</summary>
    public static PushResult FromWire(PushResponse resp)
    {
        var r = new PushResult { Accepted = checked((int)resp.Accepted) };
        foreach (var (id, n) in resp.RejectedByReason)
        {
            r.RejectedByReason[id] = checked((int)n);
        }

        if (resp.FirstError is { } e)
        {
            // Reject with 0 samples sets FirstError without changing the counts already copied.
            bool known = r.RejectedByReason.ContainsKey(e.Id);
            r.Reject(e.Id, 0, () => e.Message, e.IsLimit);
            if (!known)
            {
                r.RejectedByReason.Remove(e.Id);
            }
        }

        return r;
    }

    /// <summary>Wire form of metadata.</summary>
    public static PushMetadata ToWire(MetricMetadata m) =>
        new() { MetricFamilyName = m.MetricFamilyName, Type = (uint)m.Type, Help = m.Help, Unit = m.Unit };

    /// <summary>Metadata from the wire.</summary>
    public static MetricMetadata FromWire(PushMetadata m) => new(m.MetricFamilyName, (MetricType)m.Type, m.Help, m.Unit);

    /// <summary>Wire form of stats.</summary>
    public static UserStatsResponse ToWire(UserStats s) =>
        new() { NumSeries = s.NumSeries, IngestionRate = s.IngestionRate, SamplesIngested = s.SamplesIngested };

    /// <summary>Stats from the wire.</summary>
    public static UserStats FromWire(UserStatsResponse s) => new(s.NumSeries, s.IngestionRate, s.SamplesIngested);

    /// <summary>Wire form of a series with encoded chunks; chunk bytes are wrapped, not copied (they stay immutable until sent).</summary>
    public static StreamSeries ToWire(ChunkSeries s)
    {
        var ws = new StreamSeries { Labels = ByteString.CopyFrom(s.Labels.Bytes) };
        foreach (var c in s.Chunks)
        {
            ws.Chunks.Add(new Chunk { MinTime = c.MinTime, MaxTime = c.MaxTime, Encoding = c.Encoding, Data = UnsafeByteOperations.UnsafeWrap(c.Data) });
        }

        return ws;
    }

    /// <summary>A series from the wire; chunk data references the parsed message's bytes (never reused).</summary>
    /// <exception cref="FormatException">The labels are not a canonical encoding, or a chunk encoding is out of range.</exception>
    public static ChunkSeries FromWire(StreamSeries s)
    {
        // Labels wraps its bytes unchecked and every later reader trusts them, so a damaged reply must stop here
        // (found by tests/Fuzz rpc-stream: a label length past the end threw ArgumentOutOfRangeException in ToString).
        PushCodec.ValidateLabels(s.Labels.Span);
        var chunks = new EncodedChunk[s.Chunks.Count];
        for (int i = 0; i < chunks.Length; i++)
        {
            var c = s.Chunks[i];
            if (c.Encoding > byte.MaxValue)
            {
                throw new FormatException($"chunk encoding {c.Encoding} out of range");
            }

            chunks[i] = new EncodedChunk(c.MinTime, c.MaxTime, (byte)c.Encoding, c.Data.Memory);
        }

        return new ChunkSeries(Labels.FromEncoded(s.Labels.Span), chunks);
    }

    /// <summary>Block ids as text.</summary>
    public static void ToWire(IEnumerable<Ulid> ids, RepeatedField<string> dst)
    {
        foreach (var id in ids)
        {
            dst.Add(id.ToString());
        }
    }

    /// <summary>Block ids from text; a malformed id throws (400 on a server, 500 on a client).</summary>
    public static HashSet<Ulid> BlockIds(RepeatedField<string> src)
    {
        var set = new HashSet<Ulid>(src.Count);
        foreach (string s in src)
        {
            set.Add(Ulid.TryParse(s, out var id) ? id : throw new FormatException($"invalid block id '{s}'"));
        }

        return set;
    }

    /// <summary>Records block ids from the wire into <paramref name="queried"/>.</summary>
    public static void Record(RepeatedField<string> src, QueriedBlocks queried)
    {
        foreach (var id in BlockIds(src))
        {
            queried.Add(id);
        }
    }
}

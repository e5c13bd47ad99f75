using System.Text.RegularExpressions;
using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.PromQL.Tests.Scripts;

/// <summary>The outcome of one eval: passed, failed (with why) or skipped (with the reader's reasons).</summary>
public sealed record EvalOutcome(string File, EvalCommand Eval, bool Skipped, string? Failure)
{
    public bool Passed => !Skipped && Failure is null;

    public override string ToString() => $"{File}:{Eval.Line} {Eval.Expr}: {Failure ?? (Skipped ? "skipped: " + string.Join("; ", Eval.SkipReasons) : "ok")}";
}

/// <summary>
/// Runs a promqltest script against <see cref="QueryEngine"/> with the harness settings of Prometheus' test engine
/// (5m lookback, 1m default subquery step, delayed name removal), comparing results as <c>promqltest</c> does.
/// </summary>
public static class ScriptRunner
{
    public static readonly EngineOptions TestEngineOptions = new()
    {
        LookbackDelta = TimeSpan.FromMinutes(5),
        Timeout = TimeSpan.FromSeconds(100),
        DelayedNameRemoval = true,
        NoStepSubqueryInterval = _ => 60_000,
    };

    /// <summary>Runs <paramref name="script"/>; <paramref name="detached"/> chooses how the store's series reach the engine (<see cref="MemoryStorage"/>).</summary>
    public static List<EvalOutcome> Run(TestScript script, bool detached = true)
    {
        var storage = new MemoryStorage(detached);
        using var engine = new QueryEngine(TestEngineOptions);
        var outcomes = new List<EvalOutcome>();
        foreach (var cmd in script.Commands)
        {
            switch (cmd)
            {
                case ClearCommand:
                    storage.Clear();
                    break;
                case LoadCommand load:
                    foreach (var s in load.Series)
                    {
                        foreach (var sample in s.Samples(load.StepMs))
                        {
                            if (sample.Histogram is null)
                            {
                                storage.Add(s.Labels, sample.TimestampMs, sample.Value);
                            }
                        }
                    }

                    break;
                case EvalCommand eval:
                    outcomes.Add(eval.ShouldSkip
                        ? new EvalOutcome(script.Name, eval, true, null)
                        : new EvalOutcome(script.Name, eval, false, RunEval(engine, storage, eval)));
                    break;
            }
        }

        return outcomes;
    }

    /// <summary>Runs one eval; null when it passes, else the reason it failed.</summary>
    public static string? RunEval(QueryEngine engine, MemoryStorage storage, EvalCommand eval)
    {
        QueryResult result;
        try
        {
            result = eval.Kind == EvalKind.Instant
                ? engine.InstantQueryAsync(storage, "test", eval.Expr, eval.AtMs, CancellationToken.None).GetAwaiter().GetResult()
                : engine.RangeQueryAsync(storage, "test", eval.Expr, eval.StartMs, eval.EndMs, eval.StepMs, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            return "engine threw " + e;
        }

        var fail = eval.Expectations.FirstOrDefault(x => x.Kind == ExpectKind.Fail);
        if (fail is not null)
        {
            if (result.Error is null)
            {
                return $"expected failure, got {Describe(result.Value)}";
            }

            return MessageMatches(fail, result.Error.Message) ? null : $"error \"{result.Error.Message}\" does not match expected {fail.MatchKind} \"{fail.Text}\"";
        }

        if (result.Error is not null)
        {
            return $"unexpected error ({result.Error.TypeName}): {result.Error.Message}";
        }

        return CheckAnnotations(eval, ExpectKind.Warn, ExpectKind.NoWarn, result.Warnings, "warning")
               ?? CheckAnnotations(eval, ExpectKind.Info, ExpectKind.NoInfo, result.Infos, "info")
               ?? ResultComparer.Compare(eval, result.Value!)
               ?? RangeConsistency(engine, storage, eval);
    }

    /// <summary>
    /// promqltest's extra check (§6.3): an instant eval re-run as a range query from T-1m to T+1m step 1m must give the
    /// same series at T. Skipped where the harness skips it (expected failure, range-vector or string results, ordered,
    /// start()/end()).
    /// </summary>
    private static string? RangeConsistency(QueryEngine engine, MemoryStorage storage, EvalCommand eval)
    {
        if (eval.Kind != EvalKind.Instant || eval.ExpectedRangeVector is not null || eval.ExpectedString is not null || eval.Ordered ||
            eval.Expr.Contains("start()", StringComparison.Ordinal) || eval.Expr.Contains("end()", StringComparison.Ordinal))
        {
            return null;
        }

        var range = engine.RangeQueryAsync(storage, "test", eval.Expr, eval.AtMs - 60_000, eval.AtMs + 60_000, 60_000, CancellationToken.None)
            .GetAwaiter().GetResult();
        if (range.Error is not null)
        {
            return $"as a range query: unexpected error {range.Error.Message}";
        }

        var mat = (MatrixValue)range.Value!;
        if (eval.ExpectedScalar is { } scalar)
        {
            var point = mat.Series.SelectMany(s => s.Floats).Where(p => p.T == eval.AtMs).ToList();
            return point.Count == 1 && ResultComparer.AlmostEqual(scalar, point[0].F) ? null : $"as a range query: expected scalar {scalar} at T";
        }

        var atT = mat.Series.Where(s => s.Floats.Any(p => p.T == eval.AtMs))
            .Select(s => new Sample(s.Metric, eval.AtMs, s.Floats.First(p => p.T == eval.AtMs).F)).ToList();
        var failure = ResultComparer.Compare(eval, new VectorValue(atT));
        return failure is null ? null : "as a range query: " + failure;
    }

    private static string? CheckAnnotations(EvalCommand eval, ExpectKind kind, ExpectKind noKind, IReadOnlyList<string> got, string what)
    {
        var expected = eval.Expectations.Where(x => x.Kind == kind).ToList();
        if (eval.Expectations.Any(x => x.Kind == noKind))
        {
            return got.Count == 0 ? null : $"expected no {what}, got: {string.Join(" | ", got)}";
        }

        if (expected.Count == 0)
        {
            return null;
        }

        if (got.Count == 0)
        {
            return $"expected a {what}, got none";
        }

        foreach (var e in expected)
        {
            if (!got.Any(g => MessageMatches(e, g)))
            {
                return $"no {what} matches {e.MatchKind} \"{e.Text}\"; got: {string.Join(" | ", got)}";
            }
        }

        foreach (var g in got)
        {
            if (!expected.Any(e => MessageMatches(e, g)))
            {
                return $"unexpected {what}: {g}";
            }
        }

        return null;
    }

    private static bool MessageMatches(Expectation e, string message) => e.MatchKind switch
    {
        MessageMatchKind.Any => true,
        MessageMatchKind.Exact => message == e.Text,
        _ => Regex.IsMatch(message, e.Text!),
    };

    internal static string Describe(QueryValue? v) => v switch
    {
        null => "nothing",
        ScalarValue s => $"scalar {s.V}",
        StringValue s => $"string \"{s.V}\"",
        VectorValue vec => $"vector [{string.Join(", ", vec.Samples.Take(10).Select(s => $"{s.Metric} {s.F}"))}{(vec.Samples.Count > 10 ? ", …" : "")}]",
        MatrixValue m => $"matrix [{string.Join(", ", m.Series.Take(10).Select(s => $"{s.Metric} {string.Join(" ", s.Floats.Select(p => $"{p.F}@{p.T}"))}"))}{(m.Series.Count > 10 ? ", …" : "")}]",
        _ => v.ToString() ?? "?",
    };
}

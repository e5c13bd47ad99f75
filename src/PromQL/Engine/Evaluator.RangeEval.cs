using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

/// <summary>The arguments of one step: the vector of each argument at that step and the input series of each sample.</summary>
internal sealed class StepArgs
{
    public StepArgs(int n)
    {
        Vectors = new List<Sample>[n];
        SeriesIndex = new List<int>[n];
        for (int i = 0; i < n; i++)
        {
            Vectors[i] = [];
            SeriesIndex[i] = [];
        }
    }

    public List<Sample>[] Vectors { get; }

    public List<int>[] SeriesIndex { get; }

    /// <summary>The value of a scalar argument at this step.</summary>
    public double Scalar(int i) => Vectors[i].Count > 0 ? Vectors[i][0].F : double.NaN;
}

internal sealed partial class Evaluator
{
    /// <summary>One step of a function or operator: reads <paramref name="args"/>, appends to <paramref name="output"/>.</summary>
    private delegate void StepFunc(StepArgs args, long ts, List<Sample> output);

    /// <summary>
    /// Prometheus' <c>rangeEval</c>: evaluates the argument expressions (string-typed ones are skipped, their value is
    /// read from the AST), then calls <paramref name="step"/> for every step and assembles the output series.
    /// <paramref name="prepare"/> sees the argument matrices first (to precompute per-series matching signatures).
    /// </summary>
    private Matrix RangeEval(Action<Matrix?[]>? prepare, StepFunc step, params Expr?[] exprs)
    {
        var matrices = new Matrix?[exprs.Length];
        int argPoints = 0;
        for (int i = 0; i < exprs.Length; i++)
        {
            if (exprs[i] is { } e && e.Type != ValueType.String)
            {
                matrices[i] = EvalMatrix(e);
                argPoints += matrices[i]!.TotalPoints();
            }
        }

        prepare?.Invoke(matrices);
        var args = new StepArgs(exprs.Length);
        var cursors = new int[exprs.Length][];
        for (int i = 0; i < exprs.Length; i++)
        {
            cursors[i] = matrices[i] is { } m ? new int[m.Count] : [];
        }

        var output = new List<Sample>();
        var result = new Matrix();
        Dictionary<Labels, (Series Series, long LastTs)>? byLabels = IsInstant ? null : new();
        for (long ts = _start; ts <= _end; ts += _interval)
        {
            _ct.ThrowIfCancellationRequested();
            for (int i = 0; i < exprs.Length; i++)
            {
                args.Vectors[i].Clear();
                args.SeriesIndex[i].Clear();
                if (matrices[i] is { } m)
                {
                    Gather(m, cursors[i], ts, args.Vectors[i], args.SeriesIndex[i]);
                }
            }

            output.Clear();
            step(args, ts, output);
            if (byLabels is null)
            {
                // Instant: keep the function's order (sort, topk).
                foreach (var s in output)
                {
                    result.Add(new Series(s.Metric, [new FPoint(ts, s.F)], s.DropName));
                }

                if (!Delayed)
                {
                    CheckNoSameLabelset(result);
                }

                AddSamples(output.Count);
                continue;
            }

            foreach (var s in output)
            {
                if (byLabels.TryGetValue(s.Metric, out var entry))
                {
                    if (entry.LastTs == ts)
                    {
                        throw PromQLException.Execution("vector cannot contain metrics with the same labelset");
                    }

                    entry.Series.Floats.Add(new FPoint(ts, s.F));
                    entry.Series.DropName |= s.DropName;
                    byLabels[s.Metric] = (entry.Series, ts);
                }
                else
                {
                    var series = new Series(s.Metric, [new FPoint(ts, s.F)], s.DropName);
                    byLabels[s.Metric] = (series, ts);
                    result.Add(series);
                }
            }

            AddSamples(output.Count);
        }

        ReleaseSamples(argPoints);
        return result;
    }

    /// <summary>Collects the points at <paramref name="ts"/>; each series' cursor only moves forward.</summary>
    private static void Gather(Matrix m, int[] cursor, long ts, List<Sample> vec, List<int> index)
    {
        for (int j = 0; j < m.Count; j++)
        {
            var s = m[j];
            int c = cursor[j];
            var f = s.Floats;
            while (c < f.Count && f[c].T < ts)
            {
                c++;
            }

            cursor[j] = c;
            if (c < f.Count && f[c].T == ts)
            {
                vec.Add(new Sample(s.Metric, ts, f[c].F, s.DropName));
                index.Add(j);
            }
        }
    }
}

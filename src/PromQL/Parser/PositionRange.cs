namespace MetricsCluster.PromQL;

/// <summary>A half-open range <c>[Start, End)</c> of character offsets into the query text.</summary>
/// <param name="Start">Offset of the first character.</param>
/// <param name="End">Offset one past the last character.</param>
public readonly record struct PositionRange(int Start, int End)
{
    /// <summary>Formats a position as Prometheus does: <c>line:column</c>, both 1-based.</summary>
    public string LineColumn(string query)
    {
        int pos = Math.Clamp(Start, 0, query.Length);
        int line = 1;
        int lastBreak = -1;
        for (int i = 0; i < pos; i++)
        {
            if (query[i] == '\n')
            {
                lastBreak = i;
                line++;
            }
        }

        return line + ":" + (pos - lastBreak);
    }
}

/// <summary>The type an expression evaluates to (Prometheus' <c>parser.ValueType</c>).</summary>
public enum ValueType
{
    /// <summary>No type.</summary>
    None,

    /// <summary>A single float.</summary>
    Scalar,

    /// <summary>A string.</summary>
    String,

    /// <summary>An instant vector.</summary>
    InstantVector,

    /// <summary>A range vector (matrix).</summary>
    RangeVector,
}

/// <summary>Helpers for <see cref="ValueType"/> names used in error messages.</summary>
public static class ValueTypes
{
    /// <summary>The internal name (<c>vector</c>, <c>matrix</c>, <c>scalar</c>, <c>string</c>).</summary>
    public static string Name(ValueType t) => t switch
    {
        ValueType.Scalar => "scalar",
        ValueType.String => "string",
        ValueType.InstantVector => "vector",
        ValueType.RangeVector => "matrix",
        _ => "none",
    };

    /// <summary>The documented name (<c>instant vector</c>, <c>range vector</c>, ...).</summary>
    public static string Documented(ValueType t) => t switch
    {
        ValueType.InstantVector => "instant vector",
        ValueType.RangeVector => "range vector",
        _ => Name(t),
    };
}

/// <summary>A PromQL syntax or type error, formatted like Prometheus (<c>1:5: parse error: ...</c>).</summary>
public sealed class PromQLParseException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PromQLParseException(PositionRange pos, string error, string query)
        : base(pos.LineColumn(query) + ": parse error: " + error)
    {
        Pos = pos;
        Error = error;
        Query = query;
    }

    /// <summary>Where the error is.</summary>
    public PositionRange Pos { get; }

    /// <summary>The bare error text without position, e.g. <c>unexpected end of input</c>.</summary>
    public string Error { get; }

    /// <summary>The query that failed.</summary>
    public string Query { get; }
}

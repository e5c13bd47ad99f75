using MetricsCluster.Ruler.Templating.Go;

namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>
/// The Go types of rule templates, named as reflect names them: Go's basic types, the alert data, and the types of
/// Prometheus' template package (<c>template.sample</c>, <c>template.queryResult</c>, <c>template.HTML</c>, <c>time.Time</c>).
/// </summary>
internal static class GoTypes
{
    public static readonly GoType Bool = new("bool", GoKind.Bool);
    public static readonly GoType Int = new("int", GoKind.Int);
    public static readonly GoType Int64 = new("int64", GoKind.Int64);
    public static readonly GoType Uint = new("uint", GoKind.Uint);
    public static readonly GoType Uint8 = new("uint8", GoKind.Uint8);
    public static readonly GoType Uint64 = new("uint64", GoKind.Uint64);
    public static readonly GoType Float64 = new("float64", GoKind.Float64);
    public static readonly GoType Complex128 = new("complex128", GoKind.Complex128);
    public static readonly GoType String = new("string", GoKind.String);

    /// <summary><c>interface {}</c>: a parameter type only.</summary>
    public static readonly GoType Any = new("interface {}", GoKind.Interface);

    /// <summary><c>reflect.Value</c>: a parameter type only (the builtins').</summary>
    public static readonly GoType ReflectValue = new("reflect.Value", GoKind.ReflectValue);

    public static readonly GoType MapStringString = new("map[string]string", GoKind.Map, String);
    public static readonly GoType MapStringAny = new("map[string]interface {}", GoKind.Map, Any);

    /// <summary>Prometheus' <c>template.sample</c>: a query result element.</summary>
    public static readonly GoType Sample = new("template.sample", GoKind.Struct)
    {
        Fields = [new("Labels", MapStringString), new("Value", Float64)],
    };

    public static readonly GoType SamplePtr = new("*template.sample", GoKind.Pointer, Sample);

    /// <summary>Prometheus' <c>template.queryResult</c> (<c>[]*sample</c>).</summary>
    public static readonly GoType QueryResult = new("template.queryResult", GoKind.Slice, SamplePtr);

    /// <summary><c>html/template.HTML</c>, what <c>safeHtml</c> returns: a string kind of its own name.</summary>
    public static readonly GoType Html = new("template.HTML", GoKind.String);

    /// <summary><c>time.Month</c>, printed by name.</summary>
    public static readonly GoType Month = new("time.Month", GoKind.Int) { Stringer = v => GoTime.MonthName(v.AsInt) };

    /// <summary><c>time.Weekday</c>, printed by name.</summary>
    public static readonly GoType Weekday = new("time.Weekday", GoKind.Int) { Stringer = v => GoTime.DayName(v.AsInt) };

    /// <summary><c>*time.Location</c>, nil for UTC: printed only as part of a <c>time.Time</c>.</summary>
    public static readonly GoType LocationPtr = new("*time.Location", GoKind.Pointer, new GoType("time.Location", GoKind.Struct));

    /// <summary><c>time.Time</c>: printed by its String method, or by its unexported fields for other verbs.</summary>
    public static readonly GoType Time = new("time.Time", GoKind.Struct)
    {
        Fields = [new("wall", Uint64), new("ext", Int64), new("loc", LocationPtr)],
        Stringer = v => TimeOf(v).ToString(),
        Methods = TimeMethods(() => Time!),
    };

    public static readonly GoType TimePtr = new("*time.Time", GoKind.Pointer, Time)
    {
        Stringer = v => TimeOf(v).ToString(),
        Methods = TimeMethods(() => Time),
    };

    /// <summary>The data of an alert's templates (rules/alerting.go <c>AlertTemplateData</c>, an anonymous struct).</summary>
    public static readonly GoType AlertData = new(
        "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }",
        GoKind.Struct)
    {
        Fields = [new("Labels", MapStringString), new("ExternalLabels", MapStringString), new("ExternalURL", String), new("Value", Float64)],
    };

    /// <summary>A <c>time.Time</c> value or pointer.</summary>
    public static GoValue TimeValue(GoTime t, bool pointer) => GoValue.Of(pointer ? TimePtr : Time, t);

    /// <summary>
    /// The fields of a UTC <c>time.Time</c> without monotonic reading: wall holds the nanoseconds, ext the seconds
    /// since January 1 of year 1, loc is nil.
    /// </summary>
    public static GoValue[] TimeFields(GoTime t) =>
        [GoValue.Uint((ulong)t.Nanosecond), GoValue.Int(t.UnixSeconds + 62135596800, Int64), GoValue.Of(LocationPtr, null)];

    private static GoTime TimeOf(GoValue v) => (GoTime)v.Ref!;

    // The time.Time methods a template may call; Local and the arithmetic ones are left out (see the engine's docs).
    private static Dictionary<string, GoMethod> TimeMethods(Func<GoType> time)
    {
        GoMethod M(string name, Func<GoTime, GoValue> f) => new(name, [], (r, _) => f(TimeOf(r)));
        var methods = new[]
        {
            M("String", t => GoValue.String(t.ToString())),
            M("Unix", t => GoValue.Int(t.UnixSeconds, Int64)),
            M("UnixMilli", t => GoValue.Int(FloorDiv(t.UnixNanos, 1_000_000), Int64)),
            M("UnixMicro", t => GoValue.Int(FloorDiv(t.UnixNanos, 1_000), Int64)),
            M("UnixNano", t => GoValue.Int(t.UnixNanos, Int64)),
            M("UTC", t => GoValue.Of(time(), t)),
            M("Year", t => GoValue.Int(t.Utc.Year)),
            M("Month", t => GoValue.Int(t.Utc.Month, Month)),
            M("Day", t => GoValue.Int(t.Utc.Day)),
            M("Weekday", t => GoValue.Int((int)t.Utc.DayOfWeek, Weekday)),
            M("YearDay", t => GoValue.Int(t.Utc.DayOfYear)),
            M("Hour", t => GoValue.Int(t.Utc.Hour)),
            M("Minute", t => GoValue.Int(t.Utc.Minute)),
            M("Second", t => GoValue.Int(t.Utc.Second)),
            M("Nanosecond", t => GoValue.Int(t.Nanosecond)),
            M("IsZero", t => GoValue.Bool(false)),
            new GoMethod("Format", [String], (r, a) => GoValue.String(TimeOf(r).Format(a[0].AsString))),
        };
        return methods.ToDictionary(m => m.Name, StringComparer.Ordinal);
    }

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

using System.Collections.Concurrent;

namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>The kinds of Go values a rule template can meet (reflect.Kind, trimmed to what the data and functions produce).</summary>
internal enum GoKind
{
    Invalid,
    Bool,
    Int,
    Int64,
    Uint,
    Uint8,
    Uint64,
    Float64,
    Complex128,
    String,
    Map,
    Slice,
    Pointer,
    Struct,

    /// <summary>Only as a parameter type: <c>interface {}</c>, which takes any value.</summary>
    Interface,

    /// <summary>Only as a parameter type: the builtins take <c>reflect.Value</c>, which also takes nil.</summary>
    ReflectValue,
}

/// <summary>A struct field: Go prints field values in declaration order.</summary>
internal sealed record GoField(string Name, GoType Type);

/// <summary>A method a template can call on a value (<c>.Format "2006"</c> on a <c>time.Time</c>).</summary>
internal sealed record GoMethod(string Name, GoType[] Params, Func<GoValue, GoValue[], GoValue> Invoke);

/// <summary>
/// A Go type as reflect describes it: its name as <c>reflect.Type.String()</c> prints it (error messages and <c>%T</c>
/// show it), its kind, element and fields. Types are compared by reference: each is created once.
/// </summary>
internal sealed class GoType
{
    private static readonly ConcurrentDictionary<GoType, GoType> s_slices = new();

    public GoType(string name, GoKind kind, GoType? elem = null)
    {
        Name = name;
        Kind = kind;
        Elem = elem;
    }

    /// <summary>reflect's spelling, e.g. <c>map[string]string</c>, <c>*template.sample</c>.</summary>
    public string Name { get; }

    public GoKind Kind { get; }

    /// <summary>Element of a slice, map (values; keys are always string here) or pointer.</summary>
    public GoType? Elem { get; }

    public IReadOnlyList<GoField> Fields { get; init; } = [];

    /// <summary>The <c>String() string</c> method when the type is a <c>fmt.Stringer</c>.</summary>
    public Func<GoValue, string>? Stringer { get; init; }

    /// <summary>Methods by name (for pointer types, the element's methods too, as Go's method sets have it).</summary>
    public IReadOnlyDictionary<string, GoMethod> Methods { get; init; } = new Dictionary<string, GoMethod>();

    /// <summary>The unnamed slice type <c>[]elem</c>.</summary>
    public static GoType SliceOf(GoType elem) => s_slices.GetOrAdd(elem, e => new GoType("[]" + e.Name, GoKind.Slice, e));

    public bool IsSignedInt => Kind is GoKind.Int or GoKind.Int64;

    public bool IsUnsignedInt => Kind is GoKind.Uint or GoKind.Uint8 or GoKind.Uint64;

    /// <summary>Go's <c>canBeNil</c>: an untyped nil converts to this type's zero.</summary>
    public bool CanBeNil => Kind is GoKind.Map or GoKind.Pointer or GoKind.Slice or GoKind.Interface or GoKind.ReflectValue;

    /// <inheritdoc/>
    public override string ToString() => Name;
}

using System.Numerics;

namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>
/// A Go value with its dynamic type (reflect.Value's role). The default is the invalid value: an untyped nil, a
/// missing interface map entry, or a missing field of nil data. Interface-typed values are never held: they are
/// unwrapped to their dynamic value at once, as text/template does after each pipeline command.
/// </summary>
internal readonly struct GoValue
{
    private readonly object? _ref;
    private readonly long _bits;

    private GoValue(GoType type, object? reference, long bits)
    {
        Type = type;
        _ref = reference;
        _bits = bits;
    }

    /// <summary>Null for the invalid value.</summary>
    public GoType? Type { get; }

    public bool IsValid => Type is not null;

    public GoKind Kind => Type?.Kind ?? GoKind.Invalid;

    /// <summary>The payload of reference kinds (string, map, slice, struct, pointer target); null for nil.</summary>
    public object? Ref => _ref;

    public static GoValue Bool(bool b) => new(GoTypes.Bool, null, b ? 1 : 0);

    public static GoValue Int(long v, GoType? type = null) => new(type ?? GoTypes.Int, null, v);

    public static GoValue Uint(ulong v, GoType? type = null) => new(type ?? GoTypes.Uint64, null, unchecked((long)v));

    public static GoValue Float(double v) => new(GoTypes.Float64, null, BitConverter.DoubleToInt64Bits(v));

    public static GoValue Complex(Complex c) => new(GoTypes.Complex128, c, 0);

    public static GoValue String(string s, GoType? type = null) => new(type ?? GoTypes.String, s, 0);

    /// <summary>A value of a reference kind (map, slice, struct, pointer); a null payload is the typed nil.</summary>
    public static GoValue Of(GoType type, object? payload) => new(type, payload, 0);

    /// <summary>The zero value of <paramref name="type"/> (Go's <c>reflect.Zero</c>).</summary>
    public static GoValue Zero(GoType type) => type.Kind switch
    {
        GoKind.Interface or GoKind.ReflectValue => default,
        GoKind.String => String(string.Empty, type),
        GoKind.Float64 => Float(0),
        GoKind.Complex128 => Complex(System.Numerics.Complex.Zero),
        GoKind.Struct => Of(type, new GoStruct(type.Fields.Select(f => Zero(f.Type)).ToArray())),
        _ => new(type, null, 0),
    };

    public bool AsBool => _bits != 0;

    public long AsInt => _bits;

    public ulong AsUint => unchecked((ulong)_bits);

    public double AsFloat => BitConverter.Int64BitsToDouble(_bits);

    public Complex AsComplex => (Complex)_ref!;

    public string AsString => (string)_ref!;

    public GoMap? AsMap => (GoMap?)_ref;

    public IReadOnlyList<GoValue>? AsSlice => (IReadOnlyList<GoValue>?)_ref;

    public GoStruct? AsStruct => (GoStruct?)_ref;

    /// <summary>Nil of a nillable kind (pointer, map, slice).</summary>
    public bool IsNil => Kind is GoKind.Pointer or GoKind.Map or GoKind.Slice && _ref is null;

    /// <summary>Length of a string (UTF-8 bytes), slice or map.</summary>
    public int Len => Kind switch
    {
        GoKind.String => Go.GoText.ByteLength(AsString),
        GoKind.Slice => AsSlice?.Count ?? 0,
        GoKind.Map => AsMap?.Count ?? 0,
        _ => throw new InvalidOperationException("no length: " + Type),
    };

    /// <summary>The value a pointer points to (the payload is shared, as the pointee is).</summary>
    public GoValue Deref() => new(Type!.Elem!, _ref, _bits);

    /// <summary>A pointer to this value.</summary>
    public GoValue AddressOf(GoType pointerType) => new(pointerType, _ref, _bits);
}

using MetricsCluster.Core;
using System.Text;
using MetricsCluster.Ruler.Templating.Go;

namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>
/// text/template's predefined functions (funcs.go): <c>and or not len index slice call print printf println html js
/// urlquery eq ne lt le gt ge</c>, with Go's semantics and error texts (<c>incompatible types for comparison</c>).
/// </summary>
internal static class Builtins
{
    private static readonly GoType R = GoTypes.ReflectValue;
    private static readonly GoType Any = GoTypes.Any;

    /// <summary>The builtins by name.</summary>
    public static IReadOnlyDictionary<string, GoFunc> All { get; } = new[]
    {
        // and/or are evaluated by the executor (they short-circuit); the bodies are never called.
        B("and", [R, R], true, a => a[^1]),
        B("or", [R, R], true, a => a[^1]),
        B("call", [R, R], true, Call),
        B("html", [Any], true, a => GoValue.String(GoEscape.Html(EvalArgs(a)))),
        B("index", [R, R], true, Index),
        B("slice", [R, R], true, Slice),
        B("js", [Any], true, a => GoValue.String(GoEscape.Js(EvalArgs(a)))),
        B("len", [R], false, Len),
        B("not", [R], false, a => GoValue.Bool(!Executor.IsTrue(a[0]).Truth)),
        B("print", [Any], true, a => GoValue.String(GoFmt.Sprint(a))),
        B("printf", [GoTypes.String, Any], true, a => GoValue.String(GoFmt.Sprintf(a[0].AsString, a[1..]))),
        B("println", [Any], true, a => GoValue.String(GoFmt.Sprintln(a))),
        B("urlquery", [Any], true, a => GoValue.String(GoUrl.QueryEscape(EvalArgs(a)))),
        B("eq", [R, R], true, a => GoValue.Bool(Eq(a[0], a[1..]))),
        B("ge", [R, R], false, a => GoValue.Bool(!Lt(a[0], a[1]))),
        B("gt", [R, R], false, a => GoValue.Bool(!Le(a[0], a[1]))),
        B("le", [R, R], false, a => GoValue.Bool(Le(a[0], a[1]))),
        B("lt", [R, R], false, a => GoValue.Bool(Lt(a[0], a[1]))),
        B("ne", [R, R], false, a => GoValue.Bool(!Eq(a[0], a[1..]))),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    private enum BasicKind
    {
        Invalid,
        Bool,
        Complex,
        Int,
        Float,
        String,
        Uint,
    }

    private static GoFunc B(string name, GoType[] parameters, bool variadic, Func<GoValue[], GoValue> f) =>
        GoFunc.Sync(name, parameters, variadic, f, builtin: true);

    private static GoFuncException Fail(string message) => new(message);

    // Go's evalArgs: the arguments as fmt.Sprint prints them, pointers followed and nil as <no value>.
    private static string EvalArgs(GoValue[] args)
    {
        if (args.Length == 1 && args[0].Type == GoTypes.String)
        {
            return args[0].AsString;
        }

        var printable = new GoValue[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var v = args[i];
            while (v.Kind == GoKind.Pointer && !v.IsNil)
            {
                v = v.Deref();
            }

            printable[i] = v.IsValid ? v : GoValue.String("<no value>");
        }

        return GoFmt.Sprint(printable);
    }

    private static GoValue Call(GoValue[] a)
    {
        // No value in a rule template's data is a function.
        throw a[0].IsValid ? Fail("non-function of type " + a[0].Type!.Name) : Fail("call of nil");
    }

    private static GoValue Len(GoValue[] a)
    {
        var item = a[0];
        while (item.Kind == GoKind.Pointer)
        {
            if (item.IsNil)
            {
                throw Fail("len of nil pointer");
            }

            item = item.Deref();
        }

        return item.Kind switch
        {
            GoKind.Slice or GoKind.Map or GoKind.String => GoValue.Int(item.Len),
            GoKind.Invalid => throw Fail("reflect: call of reflect.Value.Type on zero Value"),
            _ => throw Fail("len of type " + item.Type!.Name),
        };
    }

    private static int IndexArg(GoValue index, int cap)
    {
        long x = index.Kind switch
        {
            GoKind.Int or GoKind.Int64 => index.AsInt,
            GoKind.Uint or GoKind.Uint8 or GoKind.Uint64 => (long)index.AsUint,
            GoKind.Invalid => throw Fail("cannot index slice/array with nil"),
            _ => throw Fail("cannot index slice/array with type " + index.Type!.Name),
        };
        return x < 0 || x > cap ? throw Fail("index out of range: " + x) : (int)x;
    }

    private static GoValue Index(GoValue[] a)
    {
        var item = a[0];
        if (!item.IsValid)
        {
            throw Fail("index of untyped nil");
        }

        for (int k = 1; k < a.Length; k++)
        {
            var index = a[k];
            while (item.Kind == GoKind.Pointer)
            {
                item = item.IsNil ? throw Fail("index of nil pointer") : item.Deref();
            }

            switch (item.Kind)
            {
                case GoKind.Slice or GoKind.String:
                    int x = IndexArg(index, item.Len);
                    if (x == item.Len)
                    {
                        // indexArg lets the length through; reflect's Index then panics.
                        throw Fail(item.Kind == GoKind.String ? "reflect: string index out of range" : "reflect: slice index out of range");
                    }

                    item = item.Kind == GoKind.String
                        ? GoValue.Uint(Encoding.UTF8.GetBytes(item.AsString)[x], GoTypes.Uint8)
                        : item.AsSlice![x];
                    break;
                case GoKind.Map:
                    if (index.Type != GoTypes.String)
                    {
                        throw Fail(index.IsValid ? $"value has type {index.Type!.Name}; should be string" : "value is nil; should be of type string");
                    }

                    item = item.AsMap is { } m && m.TryGet(index.AsString, out var v) ? v : GoValue.Zero(item.Type!.Elem!);
                    break;
                default:
                    throw Fail("can't index item of type " + item.Type!.Name);
            }

            // A nil interface element cannot be indexed further.
            if (!item.IsValid && k < a.Length - 1)
            {
                throw Fail("index of nil pointer");
            }
        }

        return item;
    }

    private static GoValue Slice(GoValue[] a)
    {
        var item = a[0];
        var indexes = a[1..];
        if (!item.IsValid)
        {
            throw Fail("slice of untyped nil");
        }

        if (indexes.Length > 3)
        {
            throw Fail("too many slice indexes: " + indexes.Length);
        }

        if (item.Kind == GoKind.String && indexes.Length == 3)
        {
            throw Fail("cannot 3-index slice a string");
        }

        if (item.Kind is not (GoKind.String or GoKind.Slice))
        {
            throw Fail("can't slice item of type " + item.Type!.Name);
        }

        int cap = item.Len;
        int[] idx = [0, cap, cap];
        for (int i = 0; i < indexes.Length; i++)
        {
            idx[i] = IndexArg(indexes[i], cap);
        }

        if (idx[0] > idx[1])
        {
            throw Fail($"invalid slice index: {idx[0]} > {idx[1]}");
        }

        if (indexes.Length == 3 && idx[1] > idx[2])
        {
            throw Fail($"invalid slice index: {idx[1]} > {idx[2]}");
        }

        if (item.Kind == GoKind.String)
        {
            // Go slices bytes; a cut through a multi-byte character cannot be kept in a .NET string and becomes U+FFFD.
            byte[] bytes = Encoding.UTF8.GetBytes(item.AsString);
            return GoValue.String(Encoding.UTF8.GetString(bytes, idx[0], idx[1] - idx[0]), item.Type);
        }

        var list = item.AsSlice ?? [];
        return GoValue.Of(item.Type!, list.Skip(idx[0]).Take(idx[1] - idx[0]).ToArray());
    }

    private static BasicKind Basic(GoValue v) => v.Kind switch
    {
        GoKind.Bool => BasicKind.Bool,
        GoKind.Int or GoKind.Int64 => BasicKind.Int,
        GoKind.Uint or GoKind.Uint8 or GoKind.Uint64 => BasicKind.Uint,
        GoKind.Float64 => BasicKind.Float,
        GoKind.Complex128 => BasicKind.Complex,
        GoKind.String => BasicKind.String,
        _ => BasicKind.Invalid,
    };

    // eq: arg1 == arg2 || arg1 == arg3 || ...
    private static bool Eq(GoValue arg1, GoValue[] arg2)
    {
        if (arg2.Length == 0)
        {
            throw Fail("missing argument for comparison");
        }

        var k1 = Basic(arg1);
        foreach (var arg in arg2)
        {
            var k2 = Basic(arg);
            bool truth;
            if (k1 != k2)
            {
                // Integers compare across signedness; anything else of different kinds is an error unless nil.
                if (k1 == BasicKind.Int && k2 == BasicKind.Uint)
                {
                    truth = arg1.AsInt >= 0 && (ulong)arg1.AsInt == arg.AsUint;
                }
                else if (k1 == BasicKind.Uint && k2 == BasicKind.Int)
                {
                    truth = arg.AsInt >= 0 && arg1.AsUint == (ulong)arg.AsInt;
                }
                else if (arg1.IsValid && arg.IsValid)
                {
                    throw Fail("incompatible types for comparison");
                }
                else
                {
                    truth = false;
                }
            }
            else
            {
                truth = k1 switch
                {
                    BasicKind.Bool => arg1.AsBool == arg.AsBool,
                    BasicKind.Complex => arg1.AsComplex == arg.AsComplex,
                    BasicKind.Float => arg1.AsFloat == arg.AsFloat,
                    BasicKind.Int => arg1.AsInt == arg.AsInt,
                    BasicKind.String => arg1.AsString == arg.AsString,
                    BasicKind.Uint => arg1.AsUint == arg.AsUint,
                    _ => EqOther(arg1, arg),
                };
            }

            if (truth)
            {
                return true;
            }
        }

        return false;
    }

    // Non-basic kinds: nil compares with nil, pointers by identity, maps and slices not at all.
    private static bool EqOther(GoValue arg1, GoValue arg)
    {
        if (arg1.Kind != arg.Kind && arg1.IsValid && arg.IsValid)
        {
            throw Fail(GoFmt.Sprintf("non-comparable types %s: %v, %s: %v", arg1, arg1.Type!.Name, arg.Type!.Name, arg));
        }

        bool nil1 = !arg1.IsValid || arg1.IsNil, nil2 = !arg.IsValid || arg.IsNil;
        if (nil1 || nil2)
        {
            return nil1 == nil2;
        }

        if (arg.Kind is GoKind.Map or GoKind.Slice)
        {
            throw Fail(GoFmt.Sprintf("non-comparable type %s: %v", arg, arg.Type!.Name));
        }

        return arg1.Type == arg.Type && (arg1.Kind == GoKind.Struct && arg1.Ref is GoTime t1 ? t1.Equals(arg.Ref) : ReferenceEquals(arg1.Ref, arg.Ref));
    }

    private static bool Lt(GoValue arg1, GoValue arg2)
    {
        var k1 = Basic(arg1);
        var k2 = Basic(arg2);
        if (k1 == BasicKind.Invalid || k2 == BasicKind.Invalid)
        {
            throw Fail("invalid type for comparison");
        }

        if (k1 != k2)
        {
            return (k1, k2) switch
            {
                (BasicKind.Int, BasicKind.Uint) => arg1.AsInt < 0 || (ulong)arg1.AsInt < arg2.AsUint,
                (BasicKind.Uint, BasicKind.Int) => arg2.AsInt >= 0 && arg1.AsUint < (ulong)arg2.AsInt,
                _ => throw Fail("incompatible types for comparison"),
            };
        }

        return k1 switch
        {
            BasicKind.Bool or BasicKind.Complex => throw Fail("invalid type for comparison"),
            BasicKind.Float => arg1.AsFloat < arg2.AsFloat,
            BasicKind.Int => arg1.AsInt < arg2.AsInt,
            BasicKind.String => GoText.Compare(arg1.AsString, arg2.AsString) < 0,
            _ => arg1.AsUint < arg2.AsUint,
        };
    }

    private static bool Le(GoValue arg1, GoValue arg2) => Lt(arg1, arg2) || Eq(arg1, [arg2]);
}

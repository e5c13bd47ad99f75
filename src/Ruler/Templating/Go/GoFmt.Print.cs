using MetricsCluster.Ruler.Templating.Exec;

namespace MetricsCluster.Ruler.Templating.Go;

/// <summary>Go's printArg/printValue: which formatter a value goes to, by its type and the verb.</summary>
internal sealed partial class GoFmt
{
    private void PrintArg(GoValue arg, int verb)
    {
        _arg = arg;
        _value = null;
        if (!arg.IsValid)
        {
            if (verb is 'T' or 'v')
            {
                PadString("<nil>");
            }
            else
            {
                BadVerb(verb);
            }

            return;
        }

        if (verb == 'T')
        {
            FmtS(arg.Type!.Name);
            return;
        }

        if (verb == 'p')
        {
            FmtPointer(arg, 'p');
            return;
        }

        // Go's type switch matches the predeclared types only; named types (time.Month, template.HTML) go through
        // their methods and then reflection, which prints them by kind.
        var t = arg.Type!;
        if (t == GoTypes.Bool)
        {
            FmtBool(arg.AsBool, verb);
        }
        else if (t == GoTypes.Float64)
        {
            FmtFloatVerb(arg.AsFloat, verb);
        }
        else if (t == GoTypes.Complex128)
        {
            FmtComplex(arg.AsComplex, verb);
        }
        else if (t == GoTypes.Int || t == GoTypes.Int64)
        {
            FmtIntegerVerb(arg.AsUint, true, verb);
        }
        else if (t == GoTypes.Uint || t == GoTypes.Uint8 || t == GoTypes.Uint64)
        {
            FmtIntegerVerb(arg.AsUint, false, verb);
        }
        else if (t == GoTypes.String)
        {
            FmtString(arg.AsString, verb);
        }
        else if (!HandleMethods(verb))
        {
            PrintValue(arg, verb, 0);
        }
    }

    private bool HandleMethods(int verb)
    {
        if (_erroring)
        {
            return false;
        }

        if (verb == 'w')
        {
            // %w wraps errors in fmt.Errorf only; Sprintf reports it as a bad verb, and no value here is an error.
            BadVerb(verb);
            return true;
        }

        if (_sharpV || verb is not ('v' or 's' or 'x' or 'X' or 'q'))
        {
            return false;
        }

        var arg = _arg!.Value;
        var stringer = arg.Type?.Stringer;
        if (stringer is null)
        {
            return false;
        }

        // A nil pointer's String method panics; fmt catches that and prints <nil>.
        FmtString(arg.IsNil ? "<nil>" : stringer(arg), verb);
        return true;
    }

    private void PrintValue(GoValue value, int verb, int depth)
    {
        if (depth > 0 && value.IsValid)
        {
            _arg = value;
            if (HandleMethods(verb))
            {
                return;
            }
        }

        _arg = null;
        _value = value;
        switch (value.Kind)
        {
            case GoKind.Invalid:
                if (depth == 0)
                {
                    _buf.Append("<invalid reflect.Value>");
                }
                else if (verb == 'v')
                {
                    _buf.Append("<nil>");
                }
                else
                {
                    BadVerb(verb);
                }

                break;
            case GoKind.Bool:
                FmtBool(value.AsBool, verb);
                break;
            case GoKind.Int or GoKind.Int64:
                FmtIntegerVerb(value.AsUint, true, verb);
                break;
            case GoKind.Uint or GoKind.Uint8 or GoKind.Uint64:
                FmtIntegerVerb(value.AsUint, false, verb);
                break;
            case GoKind.Float64:
                FmtFloatVerb(value.AsFloat, verb);
                break;
            case GoKind.Complex128:
                FmtComplex(value.AsComplex, verb);
                break;
            case GoKind.String:
                FmtString(value.AsString, verb);
                break;
            case GoKind.Map:
                PrintMap(value, verb, depth);
                break;
            case GoKind.Struct:
                PrintStruct(value, verb, depth);
                break;
            case GoKind.Slice:
                PrintSlice(value, verb, depth);
                break;
            case GoKind.Pointer:
                if (depth == 0 && !value.IsNil && value.Type!.Elem!.Kind is GoKind.Slice or GoKind.Struct or GoKind.Map)
                {
                    _buf.Append('&');
                    PrintValue(value.Deref(), verb, depth + 1);
                    return;
                }

                FmtPointer(value, verb);
                break;
        }
    }

    private void PrintMap(GoValue value, int verb, int depth)
    {
        var map = value.AsMap;
        if (_sharpV)
        {
            _buf.Append(value.Type!.Name);
            if (map is null)
            {
                _buf.Append("(nil)");
                return;
            }

            _buf.Append('{');
        }
        else
        {
            _buf.Append("map[");
        }

        if (map is not null)
        {
            var keys = map.SortedKeys;
            for (int i = 0; i < keys.Count; i++)
            {
                if (i > 0)
                {
                    _buf.Append(_sharpV ? ", " : " ");
                }

                PrintValue(GoValue.String(keys[i]), verb, depth + 1);
                _buf.Append(':');
                map.TryGet(keys[i], out var v);
                PrintValue(v, verb, depth + 1);
            }
        }

        _buf.Append(_sharpV ? '}' : ']');
    }

    private void PrintStruct(GoValue value, int verb, int depth)
    {
        var type = value.Type!;
        if (_sharpV)
        {
            _buf.Append(type.Name);
        }

        _buf.Append('{');
        var fields = value.Ref is GoTime time ? GoTypes.TimeFields(time) : value.AsStruct?.Fields ?? [];
        for (int i = 0; i < type.Fields.Count && i < fields.Length; i++)
        {
            if (i > 0)
            {
                _buf.Append(_sharpV ? ", " : " ");
            }

            if (_plusV || _sharpV)
            {
                _buf.Append(type.Fields[i].Name).Append(':');
            }

            PrintValue(fields[i], verb, depth + 1);
        }

        _buf.Append('}');
    }

    private void PrintSlice(GoValue value, int verb, int depth)
    {
        var items = value.AsSlice;
        if (_sharpV)
        {
            _buf.Append(value.Type!.Name);
            if (items is null)
            {
                _buf.Append("(nil)");
                return;
            }

            _buf.Append('{');
            for (int i = 0; i < items.Count; i++)
            {
                _buf.Append(i > 0 ? ", " : string.Empty);
                PrintValue(items[i], verb, depth + 1);
            }

            _buf.Append('}');
            return;
        }

        _buf.Append('[');
        for (int i = 0; items is not null && i < items.Count; i++)
        {
            _buf.Append(i > 0 ? " " : string.Empty);
            PrintValue(items[i], verb, depth + 1);
        }

        _buf.Append(']');
    }

    private void FmtPointer(GoValue value, int verb)
    {
        if (value.Kind is not (GoKind.Map or GoKind.Pointer or GoKind.Slice))
        {
            BadVerb(verb);
            return;
        }

        ulong u = value.Ref is null ? 0 : FakeAddress;
        switch (verb)
        {
            case 'v' when _sharpV:
                _buf.Append('(').Append(value.Type!.Name).Append(")(");
                if (u == 0)
                {
                    _buf.Append("nil");
                }
                else
                {
                    Fmt0x64(u, true);
                }

                _buf.Append(')');
                break;
            case 'v' when u == 0:
                PadString("<nil>");
                break;
            case 'v' or 'p':
                Fmt0x64(u, !_sharp);
                break;
            case 'b' or 'o' or 'd' or 'x' or 'X':
                FmtIntegerVerb(u, false, verb);
                break;
            default:
                BadVerb(verb);
                break;
        }
    }

    private void BadVerb(int verb)
    {
        _erroring = true;
        _buf.Append("%!").Append(char.ConvertFromUtf32(verb)).Append('(');
        if (_arg is { IsValid: true } arg)
        {
            _buf.Append(arg.Type!.Name).Append('=');
            PrintArg(arg, 'v');
        }
        else if (_value is { IsValid: true } value)
        {
            _buf.Append(value.Type!.Name).Append('=');
            PrintValue(value, 'v', 0);
        }
        else
        {
            _buf.Append("<nil>");
        }

        _buf.Append(')');
        _erroring = false;
    }
}

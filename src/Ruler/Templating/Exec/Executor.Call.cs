using MetricsCluster.Ruler.Templating.Parse;

namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>
/// Function and method calls (exec.go's evalCall and evalArg): argument counts, conversion of each argument to its
/// parameter type, the short-circuit of <c>and</c>/<c>or</c>, and errors returned by the function.
/// </summary>
internal sealed partial class Executor
{
    private async ValueTask<GoValue> EvalCallAsync(GoValue dot, GoFunc fun, Node node, string name, List<Node>? args, GoValue? final)
    {
        // The zeroth argument is the function name itself.
        var actual = args is null ? [] : args.GetRange(1, args.Count - 1);
        int numIn = actual.Count + (final.HasValue ? 1 : 0);
        int numFixed = actual.Count;
        if (fun.Variadic)
        {
            numFixed = fun.Params.Length - 1;
            if (numIn < numFixed)
            {
                throw Errorf("wrong number of args for %s: want at least %d got %d", name, fun.Params.Length - 1, actual.Count);
            }
        }
        else if (numIn != fun.Params.Length)
        {
            throw Errorf("wrong number of args for %s: want %d got %d", name, fun.Params.Length, numIn);
        }

        if (fun.IsBuiltin && name is "and" or "or")
        {
            // and/or evaluate their arguments only until the result is known.
            GoValue v = default;
            foreach (var arg in actual)
            {
                v = await EvalArgAsync(dot, GoTypes.ReflectValue, arg);
                if (IsTrue(v).Truth == (name == "or"))
                {
                    return v;
                }
            }

            return final.HasValue ? ValidateType(final.Value, GoTypes.ReflectValue) : v;
        }

        var argv = new GoValue[numIn];
        int i = 0;
        for (; i < numFixed && i < actual.Count; i++)
        {
            argv[i] = await EvalArgAsync(dot, fun.Params[i], actual[i]);
        }

        if (fun.Variadic)
        {
            for (; i < actual.Count; i++)
            {
                argv[i] = await EvalArgAsync(dot, fun.Params[^1], actual[i]);
            }
        }

        if (final.HasValue)
        {
            // The pipeline's value is the last argument: a fixed parameter, or an element of the variadic one.
            var t = fun.Variadic && numIn - 1 < numFixed ? fun.Params[numIn - 1] : fun.Params[^1];
            argv[i] = ValidateType(final.Value, t);
        }

        try
        {
            return await fun.Invoke(argv, _context);
        }
        catch (GoFuncException e)
        {
            At(node);
            throw Errorf("error calling %s: %s", name, e.Message);
        }
    }

    // Whether a value converts to a parameter type: nil to nillable types, a pointer to what it points to.
    private GoValue ValidateType(GoValue value, GoType? typ)
    {
        if (!value.IsValid)
        {
            if (typ is null)
            {
                return value;
            }

            return typ.CanBeNil ? GoValue.Zero(typ) : throw Errorf("invalid value; expected %s", typ.Name);
        }

        if (typ is null || typ == GoTypes.ReflectValue || typ == GoTypes.Any || value.Type == typ)
        {
            return value;
        }

        if (value.Kind == GoKind.Pointer && value.Type!.Elem == typ)
        {
            return value.IsNil ? throw Errorf("dereference of nil pointer of type %s", typ.Name) : value.Deref();
        }

        throw Errorf("wrong type for value; expected %s; got %s", typ.Name, value.Type!.Name);
    }

    private async ValueTask<GoValue> EvalArgAsync(GoValue dot, GoType? typ, Node n)
    {
        At(n);
        switch (n)
        {
            case DotNode:
                return ValidateType(dot, typ);
            case NilNode:
                return typ is not null && typ.CanBeNil ? GoValue.Zero(typ) : throw Errorf("cannot assign nil to %s", typ?.Name ?? "<nil>");
            case FieldNode f:
                return ValidateType(await EvalFieldNodeAsync(dot, f, [n], null), typ);
            case VariableNode v:
                return ValidateType(await EvalVariableNodeAsync(dot, v, null, null), typ);
            case PipeNode p:
                return ValidateType(await EvalPipelineAsync(dot, p), typ);
            case IdentifierNode id:
                return ValidateType(await EvalFunctionAsync(dot, id, id, null, null), typ);
            case ChainNode c:
                return ValidateType(await EvalChainNodeAsync(dot, c, null, null), typ);
        }

        // A constant: converted by the parameter type.
        switch (typ?.Kind)
        {
            case GoKind.Bool:
                At(n);
                return n is BoolNode b ? GoValue.Bool(b.True) : throw Errorf("expected bool; found %s", n.ToString());
            case GoKind.Complex128:
                return n is NumberNode { IsComplex: true } c ? GoValue.Complex(c.Complex128) : throw Errorf("expected complex; found %s", n.ToString());
            case GoKind.Float64:
                At(n);
                return n is NumberNode { IsFloat: true } f ? GoValue.Float(f.Float64) : throw Errorf("expected float; found %s", n.ToString());
            case GoKind.Int or GoKind.Int64:
                At(n);
                return n is NumberNode { IsInt: true } i ? GoValue.Int(i.Int64, typ) : throw Errorf("expected integer; found %s", n.ToString());
            case GoKind.Interface or GoKind.ReflectValue:
                return await EvalEmptyInterfaceAsync(dot, n);
            case GoKind.String:
                At(n);
                return n is StringNode s ? GoValue.String(s.Text, typ) : throw Errorf("expected string; found %s", n.ToString());
            case GoKind.Uint or GoKind.Uint8 or GoKind.Uint64:
                At(n);
                return n is NumberNode { IsUint: true } u ? GoValue.Uint(u.Uint64, typ) : throw Errorf("expected unsigned integer; found %s", n.ToString());
        }

        throw Errorf("can't handle %s for arg of type %s", n.ToString(), typ?.Name ?? "<nil>");
    }

    private async ValueTask<GoValue> EvalEmptyInterfaceAsync(GoValue dot, Node n)
    {
        At(n);
        return n switch
        {
            BoolNode b => GoValue.Bool(b.True),
            DotNode => dot,
            FieldNode f => await EvalFieldNodeAsync(dot, f, null, null),
            IdentifierNode id => await EvalFunctionAsync(dot, id, id, null, null),
            NilNode => throw Errorf("evalEmptyInterface: nil (can't happen)"),
            NumberNode num => IdealConstant(num),
            StringNode s => GoValue.String(s.Text),
            VariableNode v => await EvalVariableNodeAsync(dot, v, null, null),
            PipeNode p => await EvalPipelineAsync(dot, p),
            _ => throw Errorf("can't handle assignment of %s to empty interface argument", n.ToString()),
        };
    }
}

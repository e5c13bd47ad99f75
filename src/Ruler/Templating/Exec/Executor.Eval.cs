using System.Runtime.CompilerServices;
using MetricsCluster.Ruler.Templating.Parse;

namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>
/// Evaluation of pipelines, commands, fields and variables (exec.go's eval functions). A pipeline's previous value
/// is passed as <c>final</c>, the last argument of the next command; null stands for Go's missingVal.
/// </summary>
internal sealed partial class Executor
{
    private ValueTask<GoValue> EvalPipelineAsync(GoValue dot, PipeNode? pipe)
    {
        if (pipe is not null && !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            return new ValueTask<GoValue>(Task.Run(() => EvalPipelineCoreAsync(dot, pipe).AsTask()));
        }

        return EvalPipelineCoreAsync(dot, pipe);
    }

    // Declared variables are pushed: callers pop them at the end of the enclosing control.
    private async ValueTask<GoValue> EvalPipelineCoreAsync(GoValue dot, PipeNode? pipe)
    {
        if (pipe is null)
        {
            return default;
        }

        At(pipe);
        GoValue? value = null;
        foreach (var cmd in pipe.Cmds)
        {
            value = await EvalCommandAsync(dot, cmd, value);
        }

        foreach (var variable in pipe.Decl)
        {
            if (pipe.IsAssign)
            {
                SetVar(variable.Ident[0], value!.Value);
            }
            else
            {
                Push(variable.Ident[0], value!.Value);
            }
        }

        return value!.Value;
    }

    private void NotAFunction(List<Node>? args, GoValue? final)
    {
        if ((args?.Count ?? 0) > 1 || final.HasValue)
        {
            throw Errorf("can't give argument to non-function %s", args![0].ToString());
        }
    }

    private async ValueTask<GoValue> EvalCommandAsync(GoValue dot, CommandNode cmd, GoValue? final)
    {
        var firstWord = cmd.Args[0];
        switch (firstWord)
        {
            case FieldNode f:
                return await EvalFieldNodeAsync(dot, f, cmd.Args, final);
            case ChainNode c:
                return await EvalChainNodeAsync(dot, c, cmd.Args, final);
            case IdentifierNode id:
                return await EvalFunctionAsync(dot, id, cmd, cmd.Args, final);
            case PipeNode p:
                // A parenthesized pipeline: its arguments are inside, so there must be no final value.
                NotAFunction(cmd.Args, final);
                return await EvalPipelineAsync(dot, p);
            case VariableNode v:
                return await EvalVariableNodeAsync(dot, v, cmd.Args, final);
        }

        At(firstWord);
        NotAFunction(cmd.Args, final);
        return firstWord switch
        {
            BoolNode b => GoValue.Bool(b.True),
            DotNode => dot,
            NilNode => throw Errorf("nil is not a command"),
            NumberNode n => IdealConstant(n),
            StringNode s => GoValue.String(s.Text),
            _ => throw Errorf("can't evaluate command %q", firstWord.ToString()),
        };
    }

    // A number constant where no type is known: its syntax decides, as Go's rules for untyped constants.
    private GoValue IdealConstant(NumberNode constant)
    {
        At(constant);
        string text = constant.Text;
        bool isHexInt = text.Length > 2 && text[0] == '0' && text[1] is 'x' or 'X' && text.IndexOfAny(['p', 'P']) < 0;
        bool isRuneInt = text.Length > 0 && text[0] == '\'';
        if (constant.IsComplex)
        {
            return GoValue.Complex(constant.Complex128);
        }

        if (constant.IsFloat && !isHexInt && !isRuneInt && text.IndexOfAny(['.', 'e', 'E', 'p', 'P']) >= 0)
        {
            return GoValue.Float(constant.Float64);
        }

        if (constant.IsInt)
        {
            return GoValue.Int(constant.Int64);
        }

        if (constant.IsUint)
        {
            throw Errorf("%s overflows int", text);
        }

        return default;
    }

    private ValueTask<GoValue> EvalFieldNodeAsync(GoValue dot, FieldNode field, List<Node>? args, GoValue? final)
    {
        At(field);
        return EvalFieldChainAsync(dot, dot, field, field.Ident, args, final);
    }

    private async ValueTask<GoValue> EvalChainNodeAsync(GoValue dot, ChainNode chain, List<Node>? args, GoValue? final)
    {
        At(chain);
        if (chain.Field.Count == 0)
        {
            throw Errorf("internal error: no fields in evalChainNode");
        }

        if (chain.Node is NilNode)
        {
            throw Errorf("indirection through explicit nil in %s", chain.ToString());
        }

        // (pipe).Field1.Field2: evaluate the pipeline, then the fields.
        var pipe = await EvalArgAsync(dot, null, chain.Node);
        return await EvalFieldChainAsync(dot, pipe, chain, [.. chain.Field], args, final);
    }

    private async ValueTask<GoValue> EvalVariableNodeAsync(GoValue dot, VariableNode variable, List<Node>? args, GoValue? final)
    {
        // $x.Field: the variable, then its fields.
        At(variable);
        var value = VarValue(variable.Ident[0]);
        if (variable.Ident.Length == 1)
        {
            NotAFunction(args, final);
            return value;
        }

        return await EvalFieldChainAsync(dot, value, variable, variable.Ident[1..], args, final);
    }

    private async ValueTask<GoValue> EvalFieldChainAsync(GoValue dot, GoValue receiver, Node node, string[] ident, List<Node>? args, GoValue? final)
    {
        int n = ident.Length;
        bool fromInterface = false;
        for (int i = 0; i < n - 1; i++)
        {
            // An element of a map[string]interface {} keeps its static type interface {} along the chain (Go
            // unwraps interfaces only between pipeline commands), which error messages show.
            bool interfaceElems = Indirect(receiver).Value is { Kind: GoKind.Map } m && m.Type!.Elem!.Kind == GoKind.Interface;
            receiver = await EvalFieldAsync(dot, ident[i], node, null, null, receiver, fromInterface);
            fromInterface = interfaceElems;
        }

        // Only the last element gets the arguments, when it is a method.
        return await EvalFieldAsync(dot, ident[n - 1], node, args, final, receiver, fromInterface);
    }

    private async ValueTask<GoValue> EvalFunctionAsync(GoValue dot, IdentifierNode node, Node cmd, List<Node>? args, GoValue? final)
    {
        At(node);
        var function = _findFunction(node.Ident) ?? throw Errorf("%q is not a defined function", node.Ident);
        return await EvalCallAsync(dot, function, cmd, node.Ident, args, final);
    }

    // .Field or .Method args: a struct field, a map entry (missing keys give the zero value), or a method call.
    private async ValueTask<GoValue> EvalFieldAsync(
        GoValue dot, string fieldName, Node node, List<Node>? args, GoValue? final, GoValue receiver, bool fromInterface = false)
    {
        if (!receiver.IsValid)
        {
            // A nil interface {} cannot have fields; nil data has none either, which is no error (missingkey=zero).
            return fromInterface ? throw Errorf("nil pointer evaluating interface {}.%s", fieldName) : default;
        }

        string typ = fromInterface ? GoTypes.Any.Name : receiver.Type!.Name;
        var (value, isNil) = Indirect(receiver);
        if (!isNil && value.Type!.Methods.TryGetValue(fieldName, out var method))
        {
            var bound = GoFunc.Sync(fieldName, method.Params, false, a => method.Invoke(value, a));
            return await EvalCallAsync(dot, bound, node, fieldName, args, final);
        }

        bool hasArgs = (args?.Count ?? 0) > 1 || final.HasValue;
        switch (value.Kind)
        {
            case GoKind.Struct:
                var fields = value.Type!.Fields;
                for (int i = 0; i < fields.Count; i++)
                {
                    if (fields[i].Name == fieldName)
                    {
                        if (char.IsLower(fieldName[0]))
                        {
                            throw Errorf("%s is an unexported field of struct type %s", fieldName, typ);
                        }

                        if (hasArgs)
                        {
                            throw Errorf("%s has arguments but cannot be invoked as function", fieldName);
                        }

                        return value.AsStruct!.Fields[i];
                    }
                }

                break;
            case GoKind.Map:
                if (hasArgs)
                {
                    throw Errorf("%s is not a method but has arguments", fieldName);
                }

                return value.AsMap is { } map && map.TryGet(fieldName, out var entry) ? entry : GoValue.Zero(value.Type!.Elem!);
            case GoKind.Pointer:
                // A nil pointer to a struct without that field says "can't evaluate", not "nil pointer".
                var elem = value.Type!.Elem!;
                if (elem.Kind == GoKind.Struct && !elem.Fields.Any(f => f.Name == fieldName))
                {
                    break;
                }

                if (isNil)
                {
                    throw Errorf("nil pointer evaluating %s.%s", typ, fieldName);
                }

                break;
        }

        throw Errorf("can't evaluate field %s in type %s", fieldName, typ);
    }
}

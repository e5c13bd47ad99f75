using System.Runtime.CompilerServices;
using System.Text;
using MetricsCluster.Ruler.Templating.Go;
using MetricsCluster.Ruler.Templating.Parse;

namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>
/// Executes a parsed template as Go's text/template does (exec.go), with the option <c>missingkey=zero</c> that
/// Prometheus sets: output, variable scoping, truth, range order and every error text. One executor runs one
/// expansion; it is not thread-safe, the trees it runs are.
/// </summary>
internal sealed partial class Executor
{
    /// <summary>
    /// Bound on nested template invocations. Go allows 100000; only a template that invokes itself by mistake gets
    /// near, and each level costs heap here (the walk is async), so the bound is lower. The error text is Go's.
    /// </summary>
    public const int MaxExecDepth = 1000;

    private readonly IReadOnlyDictionary<string, Tree> _set;
    private readonly Func<string, GoFunc?> _findFunction;
    private readonly ExecContext _context;
    private readonly StringBuilder _wr = new();
    private Tree _tmpl;
    private Node? _node;
    private List<(string Name, GoValue Value)> _vars = [];
    private int _depth;

    public Executor(IReadOnlyDictionary<string, Tree> set, Tree tmpl, Func<string, GoFunc?> findFunction, ExecContext context)
    {
        _set = set;
        _tmpl = tmpl;
        _findFunction = findFunction;
        _context = context;
    }

    private enum Control
    {
        None,
        Break,
        Continue,
    }

    /// <summary>Runs the template on <paramref name="data"/> and returns the output.</summary>
    /// <exception cref="TemplateExecException">Go's execution error.</exception>
    public async ValueTask<string> ExecuteAsync(GoValue data)
    {
        _vars = [("$", data)];
        await WalkAsync(data, _tmpl.Root);
        return _wr.ToString();
    }

    // Go's state.errorf: the location and context are formatted into the format first, percent signs doubled.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TemplateExecException Errorf(string format, params object[] args)
    {
        string name = DoublePercent(_tmpl.Name);
        if (_node is null)
        {
            format = GoFmt.Sprintf("template: %s: %s", name, format);
        }
        else
        {
            var (location, context) = ErrorContext(_node);
            format = GoFmt.Sprintf("template: %s: executing %q at <%s>: %s", location, name, DoublePercent(context), format);
        }

        return new TemplateExecException(GoFmt.Sprintf(format, args));
    }

    private static string DoublePercent(string s) => s.Replace("%", "%%", StringComparison.Ordinal);

    /// <summary>Go's <c>Tree.ErrorContext</c>: <c>name:line:column</c> (the column in bytes from the line start) and the node's text.</summary>
    private static (string Location, string Context) ErrorContext(Node n)
    {
        var tree = n.Tree;
        var before = tree.Text.AsSpan(0, n.Pos);
        int lastNewline = before.LastIndexOf('\n');
        int byteNum = GoText.ByteLength(before[(lastNewline + 1)..]);
        int lineNum = 1 + before.Count('\n');
        return (tree.ParseName + ":" + lineNum + ":" + byteNum, n.ToString());
    }

    private void At(Node node) => _node = node;

    private int Mark() => _vars.Count;

    private void Pop(int mark) => _vars.RemoveRange(mark, _vars.Count - mark);

    private void Push(string name, GoValue value) => _vars.Add((name, value));

    private void SetVar(string name, GoValue value)
    {
        for (int i = _vars.Count - 1; i >= 0; i--)
        {
            if (_vars[i].Name == name)
            {
                _vars[i] = (name, value);
                return;
            }
        }

        throw Errorf("undefined variable: %s", name);
    }

    private void SetTopVar(int n, GoValue value) => _vars[^n] = (_vars[^n].Name, value);

    private GoValue VarValue(string name)
    {
        for (int i = _vars.Count - 1; i >= 0; i--)
        {
            if (_vars[i].Name == name)
            {
                return _vars[i].Value;
            }
        }

        throw Errorf("undefined variable: %s", name);
    }

    private ValueTask<Control> WalkAsync(GoValue dot, Node node)
    {
        // Deep nesting continues on a fresh stack: the awaiting frames unwind, the walk goes on elsewhere.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            return new ValueTask<Control>(Task.Run(() => WalkCoreAsync(dot, node).AsTask()));
        }

        return WalkCoreAsync(dot, node);
    }

    private async ValueTask<Control> WalkCoreAsync(GoValue dot, Node node)
    {
        At(node);
        switch (node)
        {
            case ActionNode a:
                // Declarations persist until the enclosing end; an action that declares prints nothing.
                var val = await EvalPipelineAsync(dot, a.Pipe);
                if (a.Pipe.Decl.Count == 0)
                {
                    PrintValue(a, val);
                }

                return Control.None;
            case BreakNode:
                return Control.Break;
            case ContinueNode:
                return Control.Continue;
            case CommentNode:
                return Control.None;
            case BranchNode { Kind: BranchKind.Range } r:
                return await WalkRangeAsync(dot, r);
            case BranchNode b:
                return await WalkIfOrWithAsync(b, dot);
            case ListNode l:
                foreach (var n in l.Nodes)
                {
                    var c = await WalkAsync(dot, n);
                    if (c != Control.None)
                    {
                        return c;
                    }
                }

                return Control.None;
            case TemplateNode t:
                await WalkTemplateAsync(dot, t);
                return Control.None;
            case TextNode t:
                _wr.Append(t.Text);
                return Control.None;
            default:
                throw Errorf("unknown node: %s", node.ToString());
        }
    }

    private async ValueTask<Control> WalkIfOrWithAsync(BranchNode b, GoValue dot)
    {
        int mark = Mark();
        var val = await EvalPipelineAsync(dot, b.Pipe);
        var (truth, ok) = IsTrue(val);
        if (!ok)
        {
            throw Errorf("if/with can't use %v", val);
        }

        var c = Control.None;
        if (truth)
        {
            c = await WalkAsync(b.Kind == BranchKind.With ? val : dot, b.List);
        }
        else if (b.ElseList is not null)
        {
            c = await WalkAsync(dot, b.ElseList);
        }

        Pop(mark);
        return c;
    }

    /// <summary>Go's truth: not the zero value of its type; nil is false.</summary>
    public static (bool Truth, bool Ok) IsTrue(GoValue val) => val.Kind switch
    {
        GoKind.Invalid => (false, true),
        GoKind.Map or GoKind.Slice or GoKind.String => (val.Len > 0, true),
        GoKind.Bool => (val.AsBool, true),
        GoKind.Complex128 => (val.AsComplex != System.Numerics.Complex.Zero, true),
        GoKind.Pointer => (!val.IsNil, true),
        GoKind.Int or GoKind.Int64 or GoKind.Uint or GoKind.Uint8 or GoKind.Uint64 => (val.AsInt != 0, true),
        GoKind.Float64 => (val.AsFloat != 0, true),
        GoKind.Struct => (true, true),
        _ => (false, false),
    };

    private async ValueTask<Control> WalkRangeAsync(GoValue dot, BranchNode r)
    {
        At(r);
        int outerMark = Mark();
        var val = Indirect(await EvalPipelineAsync(dot, r.Pipe)).Value;

        // The top of the stack before any variables of the body are pushed.
        int mark = Mark();
        switch (val.Kind)
        {
            case GoKind.Slice when val.Len > 0:
                var items = val.AsSlice!;
                for (int i = 0; i < items.Count; i++)
                {
                    if (await OneIterationAsync(r, mark, GoValue.Int(i), items[i]) == Control.Break)
                    {
                        break;
                    }
                }

                Pop(outerMark);
                return Control.None;
            case GoKind.Map when val.Len > 0:
                var map = val.AsMap!;
                foreach (string key in map.SortedKeys)
                {
                    map.TryGet(key, out var elem);
                    if (await OneIterationAsync(r, mark, GoValue.String(key), elem) == Control.Break)
                    {
                        break;
                    }
                }

                Pop(outerMark);
                return Control.None;
            case GoKind.Slice or GoKind.Map or GoKind.Invalid:
                break; // Empty, or nil (which ranges as empty).
            default:
                throw Errorf("range can't iterate over %v", val);
        }

        var c = Control.None;
        if (r.ElseList is not null)
        {
            // A break in the else list ends this range (Go recovers it here); a continue belongs to an outer range.
            c = await WalkAsync(dot, r.ElseList);
        }

        Pop(outerMark);
        return c == Control.Break ? Control.None : c;
    }

    private async ValueTask<Control> OneIterationAsync(BranchNode r, int mark, GoValue index, GoValue elem)
    {
        _context.CancellationToken.ThrowIfCancellationRequested();

        // The last declared variable gets the element, the one before it the index.
        if (r.Pipe.Decl.Count > 0)
        {
            SetTopVar(1, elem);
        }

        if (r.Pipe.Decl.Count > 1)
        {
            SetTopVar(2, index);
        }

        var c = await WalkAsync(elem, r.List);
        Pop(mark);
        return c;
    }

    private async ValueTask WalkTemplateAsync(GoValue dot, TemplateNode t)
    {
        At(t);
        if (!_set.TryGetValue(t.Name, out var tmpl))
        {
            throw Errorf("template %q not defined", t.Name);
        }

        if (_depth == MaxExecDepth)
        {
            throw Errorf("exceeded maximum template depth (%v)", GoValue.Int(MaxExecDepth));
        }

        // Variables declared by the pipeline persist; the invoked template sees none of them (no dynamic scoping).
        dot = await EvalPipelineAsync(dot, t.Pipe);
        var (savedTmpl, savedVars, savedNode) = (_tmpl, _vars, _node);
        _depth++;
        _tmpl = tmpl;
        _vars = [("$", dot)];
        await WalkAsync(dot, tmpl.Root);
        (_tmpl, _vars, _node) = (savedTmpl, savedVars, savedNode);
        _depth--;
    }

    private void PrintValue(Node n, GoValue v)
    {
        At(n);

        // Go's printableValue: pointers are followed (nil stays nil), a missing value prints as <no value>.
        if (v.Kind == GoKind.Pointer)
        {
            v = Indirect(v).Value;
        }

        _wr.Append(v.IsValid ? GoFmt.Sprint([v]) : "<no value>");
    }

    /// <summary>Go's <c>indirect</c>: follows pointers; stops at a nil pointer, reporting it.</summary>
    private static (GoValue Value, bool IsNil) Indirect(GoValue v)
    {
        while (v.Kind == GoKind.Pointer)
        {
            if (v.IsNil)
            {
                return (v, true);
            }

            v = v.Deref();
        }

        return (v, false);
    }
}

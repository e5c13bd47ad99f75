using MetricsCluster.Ruler.Templating.Go;

namespace MetricsCluster.Ruler.Templating.Parse;

/// <summary>The productions of Go's template grammar, one method each, in parse.go's order.</summary>
internal sealed partial class Tree
{
    // parse: the top level, itemList plus {{define}}; runs to EOF.
    private void ParseTop()
    {
        Root = new ListNode(this, Peek().Pos);
        while (Peek().Type != ItemType.Eof)
        {
            if (Peek().Type == ItemType.LeftDelim)
            {
                var delim = Next();
                if (NextNonSpace().Type == ItemType.Define)
                {
                    var newT = new Tree("definition", ParseName, Text); // Named once the name is read.
                    newT.StartParse(_hasFunction, _lex!, _treeSet);
                    newT.ParseDefinition();
                    continue;
                }

                Backup2(delim);
            }

            var n = TextOrAction();
            if (n is EndNode or ElseNode)
            {
                throw Errorf("unexpected %s", n.ToString());
            }

            Root.Nodes.Add(n);
        }
    }

    private void ParseDefinition()
    {
        const string Context = "define clause";
        var name = ExpectOneOf(ItemType.String, ItemType.RawString, Context);
        Name = GoStrconv.Unquote(name.Val) ?? throw Errorf("%s", "invalid syntax");
        Expect(ItemType.RightDelim, Context);
        (Root, var end) = ItemList();
        if (end is not EndNode)
        {
            throw Errorf("unexpected %s in %s", end.ToString(), Context);
        }

        Add();
    }

    // itemList: textOrAction*, terminated by {{end}} or {{else}}, which is returned separately.
    private (ListNode List, Node Next) ItemList()
    {
        var list = new ListNode(this, PeekNonSpace().Pos);
        while (PeekNonSpace().Type != ItemType.Eof)
        {
            var n = TextOrAction();
            if (n is EndNode or ElseNode)
            {
                return (list, n);
            }

            list.Nodes.Add(n);
        }

        throw Errorf("unexpected EOF");
    }

    private Node TextOrAction()
    {
        var token = NextNonSpace();
        switch (token.Type)
        {
            case ItemType.Text:
                return new TextNode(this, token.Pos, token.Val);
            case ItemType.LeftDelim:
                _actionLine = token.Line;
                try
                {
                    return Action();
                }
                finally
                {
                    _actionLine = 0;
                }

            case ItemType.Comment:
                return new CommentNode(this, token.Pos, token.Val);
            default:
                throw Unexpected(token, "input");
        }
    }

    // Action: a control keyword, or a pipeline. The left delimiter is past.
    private Node Action()
    {
        var token = NextNonSpace();
        switch (token.Type)
        {
            case ItemType.Block: return BlockControl();
            case ItemType.Break: return BreakControl(token.Pos, "{{break}}", p => new BreakNode(this, p));
            case ItemType.Continue: return BreakControl(token.Pos, "{{continue}}", p => new ContinueNode(this, p));
            case ItemType.Else: return ElseControl();
            case ItemType.End: return new EndNode(this, Expect(ItemType.RightDelim, "end").Pos);
            case ItemType.If: return ParseControl(BranchKind.If, true, "if");
            case ItemType.Range: return ParseControl(BranchKind.Range, false, "range");
            case ItemType.Template: return TemplateControl();
            case ItemType.With: return ParseControl(BranchKind.With, false, "with");
        }

        Backup();
        var first = Peek();

        // Variables are not popped: they persist until "end".
        return new ActionNode(this, first.Pos, first.Line, Pipeline("command", ItemType.RightDelim));
    }

    private Node BreakControl(int pos, string keyword, Func<int, Node> make)
    {
        var token = NextNonSpace();
        if (token.Type != ItemType.RightDelim)
        {
            throw Unexpected(token, keyword);
        }

        if (_rangeDepth == 0)
        {
            throw Errorf("%s outside {{range}}", keyword);
        }

        return make(pos);
    }

    // Pipeline: declarations? command ('|' command)*
    private PipeNode Pipeline(string context, ItemType end)
    {
        var token = PeekNonSpace();
        var pipe = new PipeNode(this, token.Pos, token.Line);
        ParseDeclarations(pipe, context);
        while (true)
        {
            token = NextNonSpace();
            if (token.Type == end)
            {
                CheckPipeline(pipe, context);
                return pipe;
            }

            switch (token.Type)
            {
                case ItemType.Bool or ItemType.CharConstant or ItemType.Complex or ItemType.Dot or ItemType.Field
                    or ItemType.Identifier or ItemType.Number or ItemType.Nil or ItemType.RawString or ItemType.String
                    or ItemType.Variable or ItemType.LeftParen:
                    Backup();
                    pipe.Cmds.Add(Command());
                    break;
                default:
                    throw Unexpected(token, context);
            }
        }
    }

    private void ParseDeclarations(PipeNode pipe, string context)
    {
        while (true)
        {
            var v = PeekNonSpace();
            if (v.Type != ItemType.Variable)
            {
                return;
            }

            Next();

            // Space is a token, so "$x foo" needs three tokens of look-ahead to tell an argument from a declaration.
            var tokenAfterVariable = Peek();
            var next = PeekNonSpace();
            if (next.Type is ItemType.Assign or ItemType.Declare)
            {
                pipe.IsAssign = next.Type == ItemType.Assign;
                NextNonSpace();
                pipe.Decl.Add(new VariableNode(this, v.Pos, v.Val));
                _vars.Add(v.Val);
                return;
            }

            if (next.Type == ItemType.Char && next.Val == ",")
            {
                NextNonSpace();
                pipe.Decl.Add(new VariableNode(this, v.Pos, v.Val));
                _vars.Add(v.Val);
                if (context == "range" && pipe.Decl.Count < 2)
                {
                    if (PeekNonSpace().Type is ItemType.Variable or ItemType.RightDelim or ItemType.RightParen)
                    {
                        continue; // The second variable of a range.
                    }

                    throw Errorf("range can only initialize variables");
                }

                throw Errorf("too many declarations in %s", context);
            }

            if (tokenAfterVariable.Type == ItemType.Space)
            {
                Backup3(v, tokenAfterVariable);
            }
            else
            {
                Backup2(v);
            }

            return;
        }
    }

    private void CheckPipeline(PipeNode pipe, string context)
    {
        if (pipe.Cmds.Count == 0)
        {
            throw Errorf("missing value for %s", context);
        }

        // Only the first command of a pipeline can start with a non-executable operand.
        for (int i = 1; i < pipe.Cmds.Count; i++)
        {
            if (pipe.Cmds[i].Args[0] is BoolNode or DotNode or NilNode or NumberNode or StringNode)
            {
                throw Errorf("non executable command in pipeline stage %d", i + 1);
            }
        }
    }

    private BranchNode ParseControl(BranchKind kind, bool allowElseIf, string context)
    {
        EnterNesting();
        int varMark = _vars.Count;
        try
        {
            var pipe = Pipeline(context, ItemType.RightDelim);
            if (kind == BranchKind.Range)
            {
                _rangeDepth++;
            }

            var (list, next) = ItemList();
            if (kind == BranchKind.Range)
            {
                _rangeDepth--;
            }

            ListNode? elseList = null;
            if (next is ElseNode)
            {
                // "{{else if b}}" is parsed as "{{else}}{{if b}}...{{end}}" whose {{end}} is the if's own.
                if (allowElseIf && Peek().Type == ItemType.If)
                {
                    Next();
                    elseList = new ListNode(this, next.Pos);
                    elseList.Nodes.Add(ParseControl(BranchKind.If, true, "if"));
                }
                else
                {
                    (elseList, next) = ItemList();
                    if (next is not EndNode)
                    {
                        throw Errorf("expected end; found %s", next.ToString());
                    }
                }
            }

            return new BranchNode(this, kind, pipe.Pos, pipe.Line, pipe, list, elseList);
        }
        finally
        {
            _vars.RemoveRange(varMark, _vars.Count - varMark);
            _nesting--;
        }
    }

    private ElseNode ElseControl()
    {
        var peek = PeekNonSpace();
        if (peek.Type == ItemType.If)
        {
            // "{{else if ...": in effect "{{else}}{{if ...".
            return new ElseNode(this, peek.Pos, peek.Line);
        }

        var token = Expect(ItemType.RightDelim, "else");
        return new ElseNode(this, token.Pos, token.Line);
    }

    // Block: {{block "name" pipeline}} ... {{end}} defines the template and invokes it.
    private TemplateNode BlockControl()
    {
        const string Context = "block clause";
        var token = NextNonSpace();
        string name = ParseTemplateName(token, Context);
        var pipe = Pipeline(Context, ItemType.RightDelim);
        var block = new Tree(name, ParseName, Text);
        block.StartParse(_hasFunction, _lex!, _treeSet);
        block._nesting = _nesting;
        (block.Root, var end) = block.ItemList();
        if (end is not EndNode)
        {
            throw Errorf("unexpected %s in %s", end.ToString(), Context);
        }

        block.Add();
        return new TemplateNode(this, token.Pos, token.Line, name, pipe);
    }

    private TemplateNode TemplateControl()
    {
        const string Context = "template clause";
        var token = NextNonSpace();
        string name = ParseTemplateName(token, Context);
        PipeNode? pipe = null;
        if (NextNonSpace().Type != ItemType.RightDelim)
        {
            Backup();
            pipe = Pipeline(Context, ItemType.RightDelim);
        }

        return new TemplateNode(this, token.Pos, token.Line, name, pipe);
    }

    private string ParseTemplateName(Item token, string context)
    {
        if (token.Type is ItemType.String or ItemType.RawString)
        {
            return GoStrconv.Unquote(token.Val) ?? throw Errorf("%s", "invalid syntax");
        }

        throw Unexpected(token, context);
    }

    // command: operand (space operand)*, up to a pipe or right delimiter.
    private CommandNode Command()
    {
        var cmd = new CommandNode(this, PeekNonSpace().Pos);
        while (true)
        {
            PeekNonSpace(); // Skip leading spaces.
            var operand = Operand();
            if (operand is not null)
            {
                cmd.Args.Add(operand);
            }

            var token = Next();
            if (token.Type == ItemType.Space)
            {
                continue;
            }

            if (token.Type is ItemType.RightDelim or ItemType.RightParen)
            {
                Backup();
            }
            else if (token.Type != ItemType.Pipe)
            {
                throw Unexpected(token, "operand");
            }

            break;
        }

        return cmd.Args.Count == 0 ? throw Errorf("empty command") : cmd;
    }

    // operand: term .Field*
    private Node? Operand()
    {
        var node = Term();
        if (node is null || Peek().Type != ItemType.Field)
        {
            return node;
        }

        var chain = new ChainNode(this, Peek().Pos, node);
        while (Peek().Type == ItemType.Field)
        {
            chain.Field.Add(Next().Val[1..]);
        }

        // Fields on a field or variable extend it; fields on a literal are an error; anything else stays a chain.
        return node switch
        {
            FieldNode => new FieldNode(this, chain.Pos, chain.ToString()),
            VariableNode => new VariableNode(this, chain.Pos, chain.ToString()),
            BoolNode or StringNode or NumberNode or NilNode or DotNode =>
                throw Errorf("unexpected . after term %q", node.ToString()),
            _ => chain,
        };
    }

    // term: a literal, a function name, dot, a field, a variable, or a parenthesised pipeline.
    private Node? Term()
    {
        var token = NextNonSpace();
        switch (token.Type)
        {
            case ItemType.Identifier:
                if (!_hasFunction(token.Val))
                {
                    throw Errorf("function %q not defined", token.Val);
                }

                return new IdentifierNode(this, token.Pos, token.Val);
            case ItemType.Dot:
                return new DotNode(this, token.Pos);
            case ItemType.Nil:
                return new NilNode(this, token.Pos);
            case ItemType.Variable:
                return UseVar(token.Pos, token.Val);
            case ItemType.Field:
                return new FieldNode(this, token.Pos, token.Val);
            case ItemType.Bool:
                return new BoolNode(this, token.Pos, token.Val == "true");
            case ItemType.CharConstant or ItemType.Complex or ItemType.Number:
                return NumberParser.Parse(this, token, out string? error) ?? throw Errorf("%s", error!);
            case ItemType.LeftParen:
                EnterNesting();
                try
                {
                    return Pipeline("parenthesized pipeline", ItemType.RightParen);
                }
                finally
                {
                    _nesting--;
                }

            case ItemType.String or ItemType.RawString:
                string s = GoStrconv.Unquote(token.Val) ?? throw Errorf("%s", "invalid syntax");
                return new StringNode(this, token.Pos, token.Val, s);
        }

        Backup();
        return null;
    }

    private VariableNode UseVar(int pos, string name)
    {
        var v = new VariableNode(this, pos, name);
        return _vars.Contains(v.Ident[0]) ? v : throw Errorf("undefined variable %q", v.Ident[0]);
    }
}

using MetricsCluster.Ruler.Templating.Go;

namespace MetricsCluster.Ruler.Templating.Parse;

/// <summary>
/// One parsed template and, while parsing, Go's recursive-descent parser (text/template/parse/parse.go) with its
/// three-token look-ahead. The look-ahead is ported as is because errors report the line of the last token the lexer
/// produced (<c>token[0]</c>), which depends on how far the parser has peeked.
/// </summary>
internal sealed partial class Tree
{
    /// <summary>
    /// Bound on nested parentheses and control structures. Go 1.19 has none (its stacks grow); later Go versions stop
    /// parenthesised pipelines at 10000 with "max expression depth exceeded". A smaller bound keeps the recursive
    /// parser and executor well inside a thread's stack.
    /// </summary>
    public const int MaxNesting = 1000;

    private readonly Item[] _token = new Item[3];
    private Func<string, bool> _hasFunction = _ => false;
    private Lexer? _lex;
    private int _peekCount;
    private List<string> _vars = [];
    private Dictionary<string, Tree> _treeSet = [];
    private int _actionLine;
    private int _rangeDepth;
    private int _nesting;

    private Tree(string name, string parseName, string text)
    {
        Name = name;
        ParseName = parseName;
        Text = text;
    }

    /// <summary>The template's name (<c>__alert_X</c>, or a <c>define</c>'s name).</summary>
    public string Name { get; private set; }

    /// <summary>The name of the top-level template, which error locations use.</summary>
    public string ParseName { get; }

    /// <summary>The whole text parsed (positions index into it).</summary>
    public string Text { get; }

    public ListNode Root { get; private set; } = null!;

    /// <summary>
    /// Parses <paramref name="text"/> as the template <paramref name="name"/>; returns it and every template it
    /// defines, by name. <paramref name="hasFunction"/> says which function names exist.
    /// </summary>
    /// <exception cref="TemplateParseException">Go's parse error.</exception>
    public static Dictionary<string, Tree> Parse(string name, string text, Func<string, bool> hasFunction)
    {
        var treeSet = new Dictionary<string, Tree>(StringComparer.Ordinal);
        var t = new Tree(name, name, text);
        t.StartParse(hasFunction, new Lexer(text), treeSet);
        t.ParseTop();
        t.Add();
        return treeSet;
    }

    /// <summary>Whether <paramref name="n"/> holds nothing but space and comments (Go's <c>IsEmptyTree</c>).</summary>
    public static bool IsEmptyTree(Node? n) => n switch
    {
        null or CommentNode => true,
        ListNode l => l.Nodes.All(IsEmptyTree),
        TextNode t => string.IsNullOrWhiteSpace(t.Text),
        _ => false,
    };

    private void StartParse(Func<string, bool> hasFunction, Lexer lex, Dictionary<string, Tree> treeSet)
    {
        _lex = lex;
        _vars = ["$"];
        _hasFunction = hasFunction;
        _treeSet = treeSet;
    }

    private Item Next()
    {
        if (_peekCount > 0)
        {
            _peekCount--;
        }
        else
        {
            _token[0] = _lex!.NextItem();
        }

        return _token[_peekCount];
    }

    private void Backup() => _peekCount++;

    private void Backup2(Item t1)
    {
        _token[1] = t1;
        _peekCount = 2;
    }

    private void Backup3(Item t2, Item t1)
    {
        _token[1] = t1;
        _token[2] = t2;
        _peekCount = 3;
    }

    private Item Peek()
    {
        if (_peekCount > 0)
        {
            return _token[_peekCount - 1];
        }

        _peekCount = 1;
        _token[0] = _lex!.NextItem();
        return _token[0];
    }

    private Item NextNonSpace()
    {
        Item token;
        do
        {
            token = Next();
        }
        while (token.Type == ItemType.Space);
        return token;
    }

    private Item PeekNonSpace()
    {
        var token = NextNonSpace();
        Backup();
        return token;
    }

    // Go's errorf formats twice: the location into the format, then the arguments into the result.
    private TemplateParseException Errorf(string format, params object[] args) =>
        new(GoFmt.Sprintf(GoFmt.Sprintf("template: %s:%d: %s", ParseName, _token[0].Line, format), args));

    private Item Expect(ItemType expected, string context)
    {
        var token = NextNonSpace();
        if (token.Type != expected)
        {
            throw Unexpected(token, context);
        }

        return token;
    }

    private Item ExpectOneOf(ItemType expected1, ItemType expected2, string context)
    {
        var token = NextNonSpace();
        if (token.Type != expected1 && token.Type != expected2)
        {
            throw Unexpected(token, context);
        }

        return token;
    }

    private TemplateParseException Unexpected(Item token, string context)
    {
        if (token.Type == ItemType.Error)
        {
            string extra = string.Empty;
            if (_actionLine != 0 && _actionLine != token.Line)
            {
                extra = GoFmt.Sprintf(" in action started at %s:%d", ParseName, _actionLine);
                if (token.Val.EndsWith(" action", StringComparison.Ordinal))
                {
                    extra = extra[" in action".Length..]; // Avoid "action in action".
                }
            }

            return Errorf("%s%s", token.ToString(), extra);
        }

        return Errorf("unexpected %s in %s", token.ToString(), context);
    }

    private void Add()
    {
        if (!_treeSet.TryGetValue(Name, out var tree) || IsEmptyTree(tree.Root))
        {
            _treeSet[Name] = this;
            return;
        }

        if (!IsEmptyTree(Root))
        {
            throw Errorf("template: multiple definition of template %q", Name);
        }
    }

    private void EnterNesting()
    {
        if (++_nesting > MaxNesting)
        {
            throw Errorf("max expression depth exceeded");
        }
    }
}

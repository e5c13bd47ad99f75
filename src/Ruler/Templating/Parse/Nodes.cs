using System.Numerics;
using System.Text;
using MetricsCluster.Ruler.Templating.Go;

namespace MetricsCluster.Ruler.Templating.Parse;

/// <summary>
/// A parse-tree node (text/template/parse/node.go). <see cref="Pos"/> is a char index into the text the tree was
/// parsed from; <see cref="ToString"/> prints the node as Go does, which execution errors quote (<c>at &lt;humanize "x"&gt;</c>).
/// Trees are immutable once parsed and shared by concurrent executions.
/// </summary>
internal abstract class Node(Tree tree, int pos)
{
    public Tree Tree { get; } = tree;

    public int Pos { get; } = pos;

    public abstract void WriteTo(StringBuilder sb);

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }
}

internal sealed class ListNode(Tree tree, int pos) : Node(tree, pos)
{
    public List<Node> Nodes { get; } = [];

    public override void WriteTo(StringBuilder sb) => Nodes.ForEach(n => n.WriteTo(sb));
}

internal sealed class TextNode(Tree tree, int pos, string text) : Node(tree, pos)
{
    public string Text { get; } = text;

    public override void WriteTo(StringBuilder sb) => sb.Append(Text);
}

internal sealed class CommentNode(Tree tree, int pos, string text) : Node(tree, pos)
{
    public string Text { get; } = text;

    public override void WriteTo(StringBuilder sb) => sb.Append("{{").Append(Text).Append("}}");
}

/// <summary>A pipeline: optional variable declarations (or assignments) and commands joined by <c>|</c>.</summary>
internal sealed class PipeNode(Tree tree, int pos, int line) : Node(tree, pos)
{
    public int Line { get; } = line;

    public bool IsAssign { get; set; }

    public List<VariableNode> Decl { get; } = [];

    public List<CommandNode> Cmds { get; } = [];

    public override void WriteTo(StringBuilder sb)
    {
        if (Decl.Count > 0)
        {
            for (int i = 0; i < Decl.Count; i++)
            {
                sb.Append(i > 0 ? ", " : string.Empty);
                Decl[i].WriteTo(sb);
            }

            sb.Append(" := ");
        }

        for (int i = 0; i < Cmds.Count; i++)
        {
            sb.Append(i > 0 ? " | " : string.Empty);
            Cmds[i].WriteTo(sb);
        }
    }
}

internal sealed class ActionNode(Tree tree, int pos, int line, PipeNode pipe) : Node(tree, pos)
{
    public int Line { get; } = line;

    public PipeNode Pipe { get; } = pipe;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{");
        Pipe.WriteTo(sb);
        sb.Append("}}");
    }
}

internal sealed class CommandNode(Tree tree, int pos) : Node(tree, pos)
{
    public List<Node> Args { get; } = [];

    public override void WriteTo(StringBuilder sb)
    {
        for (int i = 0; i < Args.Count; i++)
        {
            sb.Append(i > 0 ? " " : string.Empty);
            if (Args[i] is PipeNode p)
            {
                sb.Append('(');
                p.WriteTo(sb);
                sb.Append(')');
            }
            else
            {
                Args[i].WriteTo(sb);
            }
        }
    }
}

/// <summary>A function name.</summary>
internal sealed class IdentifierNode(Tree tree, int pos, string ident) : Node(tree, pos)
{
    public string Ident { get; } = ident;

    public override void WriteTo(StringBuilder sb) => sb.Append(Ident);
}

/// <summary>A variable and the fields after it: <c>$x.Labels.job</c> is <c>["$x", "Labels", "job"]</c>.</summary>
internal sealed class VariableNode(Tree tree, int pos, string ident) : Node(tree, pos)
{
    public string[] Ident { get; } = ident.Split('.');

    public override void WriteTo(StringBuilder sb) => sb.AppendJoin('.', Ident);
}

internal sealed class DotNode(Tree tree, int pos) : Node(tree, pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append('.');
}

internal sealed class NilNode(Tree tree, int pos) : Node(tree, pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("nil");
}

/// <summary>A field chain on dot: <c>.Labels.job</c> is <c>["Labels", "job"]</c>.</summary>
internal sealed class FieldNode(Tree tree, int pos, string ident) : Node(tree, pos)
{
    public string[] Ident { get; } = ident[1..].Split('.');

    public override void WriteTo(StringBuilder sb)
    {
        foreach (var id in Ident)
        {
            sb.Append('.').Append(id);
        }
    }
}

/// <summary>Fields on a term that is not dot or a variable: <c>(query "up").Labels</c>.</summary>
internal sealed class ChainNode(Tree tree, int pos, Node node) : Node(tree, pos)
{
    public Node Node { get; } = node;

    public List<string> Field { get; } = [];

    public override void WriteTo(StringBuilder sb)
    {
        if (Node is PipeNode)
        {
            sb.Append('(');
            Node.WriteTo(sb);
            sb.Append(')');
        }
        else
        {
            Node.WriteTo(sb);
        }

        foreach (var f in Field)
        {
            sb.Append('.').Append(f);
        }
    }
}

internal sealed class BoolNode(Tree tree, int pos, bool value) : Node(tree, pos)
{
    public bool True { get; } = value;

    public override void WriteTo(StringBuilder sb) => sb.Append(True ? "true" : "false");
}

/// <summary>A number constant with every Go type it fits (as parse.NumberNode keeps them).</summary>
internal sealed class NumberNode(Tree tree, int pos, string text) : Node(tree, pos)
{
    public string Text { get; } = text;

    public bool IsInt { get; set; }

    public bool IsUint { get; set; }

    public bool IsFloat { get; set; }

    public bool IsComplex { get; set; }

    public long Int64 { get; set; }

    public ulong Uint64 { get; set; }

    public double Float64 { get; set; }

    public Complex Complex128 { get; set; }

    public override void WriteTo(StringBuilder sb) => sb.Append(Text);
}

internal sealed class StringNode(Tree tree, int pos, string quoted, string text) : Node(tree, pos)
{
    public string Quoted { get; } = quoted;

    public string Text { get; } = text;

    public override void WriteTo(StringBuilder sb) => sb.Append(Quoted);
}

/// <summary>An <c>{{end}}</c>: ends a list while parsing, never in a tree.</summary>
internal sealed class EndNode(Tree tree, int pos) : Node(tree, pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{end}}");
}

/// <summary>An <c>{{else}}</c>: ends a list while parsing, never in a tree.</summary>
internal sealed class ElseNode(Tree tree, int pos, int line) : Node(tree, pos)
{
    public int Line { get; } = line;

    public override void WriteTo(StringBuilder sb) => sb.Append("{{else}}");
}

internal enum BranchKind
{
    If,
    Range,
    With,
}

/// <summary><c>if</c>, <c>range</c> and <c>with</c>: a pipeline, a list, and an optional else list.</summary>
internal sealed class BranchNode(Tree tree, BranchKind kind, int pos, int line, PipeNode pipe, ListNode list, ListNode? elseList)
    : Node(tree, pos)
{
    public BranchKind Kind { get; } = kind;

    public int Line { get; } = line;

    public PipeNode Pipe { get; } = pipe;

    public ListNode List { get; } = list;

    public ListNode? ElseList { get; } = elseList;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{").Append(Kind switch { BranchKind.If => "if", BranchKind.Range => "range", _ => "with" }).Append(' ');
        Pipe.WriteTo(sb);
        sb.Append("}}");
        List.WriteTo(sb);
        if (ElseList is not null)
        {
            sb.Append("{{else}}");
            ElseList.WriteTo(sb);
        }

        sb.Append("{{end}}");
    }
}

internal sealed class BreakNode(Tree tree, int pos) : Node(tree, pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{break}}");
}

internal sealed class ContinueNode(Tree tree, int pos) : Node(tree, pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{continue}}");
}

/// <summary><c>{{template "name" pipeline}}</c> (and the invocation half of <c>block</c>).</summary>
internal sealed class TemplateNode(Tree tree, int pos, int line, string name, PipeNode? pipe) : Node(tree, pos)
{
    public int Line { get; } = line;

    public string Name { get; } = name;

    public PipeNode? Pipe { get; } = pipe;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{template ").Append(GoText.Quote(Name));
        if (Pipe is not null)
        {
            sb.Append(' ');
            Pipe.WriteTo(sb);
        }

        sb.Append("}}");
    }
}

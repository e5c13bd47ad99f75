using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MetricsCluster.EndToEnd.Tests.Infra;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MetricsCluster.EndToEnd.Tests.Helm;

/// <summary>
/// The metrics-cluster chart as <c>deploy/helm/render.sh</c> renders it (like <c>helm template</c>), one JSON object per
/// Kubernetes object.
/// </summary>
public sealed class RenderedChart
{
    private RenderedChart(IReadOnlyList<JsonObject> objects)
    {
        Objects = objects;
    }

    /// <summary>Every rendered object, in the renderer's order.</summary>
    public IReadOnlyList<JsonObject> Objects { get; }

    /// <summary>Renders the chart with <paramref name="args"/> (e.g. <c>-f values.yaml</c>).</summary>
    public static async Task<RenderedChart> RenderAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        psi.ArgumentList.Add(Path.Combine(Repo.Root, "deploy", "helm", "render.sh"));
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // The first render builds tools/helm-render (Go, from Debian's packages).
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await p.WaitForExitAsync(cts.Token);
        return p.ExitCode == 0
            ? Parse(await stdout)
            : throw new InvalidOperationException($"deploy/helm/render.sh {string.Join(' ', args)} exited with {p.ExitCode}:\n{await stderr}");
    }

    /// <summary>Parses a multi-document YAML stream.</summary>
    public static RenderedChart Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return new RenderedChart([.. stream.Documents.Select(d => ToJson(d.RootNode)).OfType<JsonObject>()]);
    }

    /// <summary>The objects of one kind.</summary>
    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    /// <summary>The object of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    public JsonObject Get(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => (string?)o["metadata"]!["name"] == name)
        ?? throw new InvalidOperationException($"the render has no {kind} {name}");

    /// <summary>A key of a rendered Secret (stringData, else base64 data).</summary>
    public string SecretValue(string name, string key)
    {
        var secret = Get("Secret", name);
        if (secret["stringData"]?[key] is { } s)
        {
            return (string)s!;
        }

        return secret["data"]?[key] is { } b64
            ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)b64!))
            : throw new InvalidOperationException($"Secret {name} has no key {key}");
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode s => new JsonArray([.. s.Children.Select(ToJson)]),
        YamlScalarNode s => Scalar(s),
        _ => throw new NotSupportedException($"YAML node {node.NodeType} at {node.Start}"),
    };

    // YAML 1.1 as Kubernetes reads it, for the scalars a chart renders: plain true/false, integers and null are
    // typed, everything quoted or otherwise is a string.
    private static JsonNode? Scalar(YamlScalarNode s)
    {
        if (s.Style == ScalarStyle.Plain)
        {
            switch (s.Value)
            {
                case null or "" or "null" or "~":
                    return null;
                case "true":
                    return JsonValue.Create(true);
                case "false":
                    return JsonValue.Create(false);
            }

            if (long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
            {
                return JsonValue.Create(l);
            }
        }

        return JsonValue.Create(s.Value);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MetricsCluster.EndToEnd.Tests.Infra;
using YamlDotNet.RepresentationModel;

namespace MetricsCluster.EndToEnd.Tests.Helm;

/// <summary>
/// One pod of a rendered Deployment or StatefulSet run as a local process, the way the kubelet would start its
/// metrics-cluster container: the image's entrypoint and working directory (read from the Dockerfile), the container's
/// args with <c>$(VAR)</c> expanded from its env (downward API: pod name, pod IP = 127.0.0.1; Secrets from the render),
/// its volumes as directories (ConfigMaps written out, emptyDirs and the pod's own claims as its directories, shared
/// claims as one directory for every pod). What cannot run on one machine is moved: the config file's ports become
/// free ones on 127.0.0.1 and its paths the volumes' directories (a path on no volume goes to a directory standing for
/// the read-only root filesystem, which must stay empty). Anything else the pod spec asks for that this
/// cannot honour (init containers, a command, an unknown volume type) fails the test instead of being skipped.
/// </summary>
public sealed partial class ChartPod : IAsyncDisposable
{
    private readonly string[] _args;
    private readonly Dictionary<string, string> _env;
    private readonly string _workingDir;
    private ChildProcess? _child;

    private ChartPod(string name, string component, string root, int httpPort, int rpcPort, string[] args, Dictionary<string, string> env, string workingDir, string readyPath)
    {
        Name = name;
        Component = component;
        Root = root;
        HttpPort = httpPort;
        RpcPort = rpcPort;
        _args = args;
        _env = env;
        _workingDir = workingDir;
        ReadyPath = readyPath;
    }

    /// <summary>The pod's name (<c>&lt;statefulset&gt;-&lt;ordinal&gt;</c>, or <c>&lt;deployment&gt;-&lt;n&gt;</c>).</summary>
    public string Name { get; }

    /// <summary>The <c>app.kubernetes.io/component</c> label.</summary>
    public string Component { get; }

    /// <summary>The pod's directories (its volumes).</summary>
    public string Root { get; }

    /// <summary>The local port of the container's HTTP port.</summary>
    public int HttpPort { get; }

    /// <summary>The local port of the container's silo port.</summary>
    public int RpcPort { get; }

    /// <summary>The readiness probe's path.</summary>
    public string ReadyPath { get; }

    /// <summary>http://127.0.0.1:HttpPort.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{HttpPort}");

    /// <summary>The command line, as started (binary args only).</summary>
    public IReadOnlyList<string> Args => _args;

    /// <summary>The running process.</summary>
    public ChildProcess Child => _child ?? throw new InvalidOperationException($"{Name} is not started");

    /// <summary>What the process printed so far.</summary>
    public string Output => _child?.Output ?? "(not started)";

    /// <summary>
    /// Prepares pod <paramref name="name"/> of <paramref name="workload"/>: its directories, files, env and args.
    /// </summary>
    /// <param name="chart">The render (ConfigMaps and Secrets).</param>
    /// <param name="workload">The Deployment or StatefulSet.</param>
    /// <param name="name">The pod's name.</param>
    /// <param name="sharedClaims">Claim name to directory, shared by every pod that mounts the claim.</param>
    /// <param name="image">The image's entrypoint and working directory.</param>
    public static ChartPod Create(RenderedChart chart, JsonObject workload, string name, IReadOnlyDictionary<string, string> sharedClaims, ImageFacts image)
    {
        var podSpec = workload["spec"]!["template"]!["spec"]!.AsObject();
        if (podSpec["initContainers"] is JsonArray { Count: > 0 })
        {
            throw new NotSupportedException($"{name}: init containers are not run by this test (the values must not bundle PostgreSQL)");
        }

        var containers = podSpec["containers"]!.AsArray().Select(c => c!.AsObject()).ToList();
        var container = containers.Single(c => c["args"]?.AsArray().Any(a => ((string?)a)?.StartsWith("--target=", StringComparison.Ordinal) == true) == true);
        if (container["command"] is not null)
        {
            throw new NotSupportedException($"{name}: the container overrides the image's entrypoint");
        }

        string component = (string)workload["spec"]!["template"]!["metadata"]!["labels"]!["app.kubernetes.io/component"]!;
        string root = Repo.TempDir($"helm-pod-{name}");
        try
        {
            return Create(chart, workload, name, sharedClaims, image, container, component, root);
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    private static ChartPod Create(RenderedChart chart, JsonObject workload, string name, IReadOnlyDictionary<string, string> sharedClaims, ImageFacts image, JsonObject container, string component, string root)
    {
        var podSpec = workload["spec"]!["template"]!["spec"]!.AsObject();

        // Volumes: every mount of the container becomes a directory.
        var volumes = (podSpec["volumes"]?.AsArray() ?? []).Select(v => v!.AsObject()).ToDictionary(v => (string)v["name"]!);
        var claimTemplates = (workload["spec"]!["volumeClaimTemplates"]?.AsArray() ?? []).Select(t => (string)t!["metadata"]!["name"]!).ToHashSet();
        var mounts = new List<(string MountPath, string Dir)>();
        foreach (var m in container["volumeMounts"]?.AsArray() ?? [])
        {
            string vname = (string)m!["name"]!;
            string mountPath = (string)m["mountPath"]!;
            string dir = Path.Combine(root, "volumes", vname);
            if (claimTemplates.Contains(vname))
            {
                Directory.CreateDirectory(dir);
            }
            else if (volumes.TryGetValue(vname, out var vol))
            {
                dir = Materialise(chart, vol, dir, sharedClaims, name);
            }
            else
            {
                throw new InvalidOperationException($"{name}: mount {vname} has no volume");
            }

            mounts.Add((mountPath, dir));
        }

        // Longest mount path first, so /etc/metrics-cluster/config wins over a mount at /etc.
        mounts.Sort((a, b) => b.MountPath.Length.CompareTo(a.MountPath.Length));
        string Local(string path)
        {
            foreach (var (mp, dir) in mounts)
            {
                if (path == mp || path.StartsWith(mp + "/", StringComparison.Ordinal))
                {
                    return dir + path[mp.Length..];
                }
            }

            // On no volume: the container's root filesystem, which the chart makes read-only. A component may name
            // such a path without using it (the distributor and the shared config's bucket directory); whether it
            // wrote there is checked after the run (RootFilesystemWrites).
            return Path.Combine(root, "rootfs") + path;
        }

        // Env as the kubelet gives it.
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in container["env"]?.AsArray() ?? [])
        {
            string ename = (string)e!["name"]!;
            if (e["value"] is { } value)
            {
                env[ename] = (string)value!;
            }
            else if (e["valueFrom"]?["fieldRef"]?["fieldPath"] is { } field)
            {
                env[ename] = (string)field! switch
                {
                    "metadata.name" => name,
                    "status.podIP" => "127.0.0.1",
                    var f => throw new NotSupportedException($"{name}: env {ename} from fieldRef {f}"),
                };
            }
            else if (e["valueFrom"]?["secretKeyRef"] is { } secretRef)
            {
                env[ename] = chart.SecretValue((string)secretRef["name"]!, (string)secretRef["key"]!);
            }
            else
            {
                throw new NotSupportedException($"{name}: env {ename} is neither a value, a fieldRef nor a secretKeyRef");
            }
        }

        int httpPort = Repo.FreePort();
        int rpcPort = Repo.FreePort();
        var args = new List<string>();
        string? configFile = null;
        foreach (var a in container["args"]!.AsArray())
        {
            string arg = ExpandVars((string)a!, env);
            var m = FlagWithPath().Match(arg);
            if (m.Success)
            {
                arg = m.Groups[1].Value + Local(m.Groups[2].Value);
            }

            if (arg.StartsWith("--config.file=", StringComparison.Ordinal))
            {
                configFile = arg["--config.file=".Length..];
            }

            args.Add(arg);
        }

        // The config file: its paths to the volumes' directories, its ports to free local ones. Each pod has its own
        // copy of the ConfigMap's directory, so the rewrite is this pod's alone.
        var (configHttp, configRpc) = configFile is null ? (9009, 9095) : RewriteConfig(configFile, Local, httpPort, rpcPort);
        var ports = container["ports"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
        Assert(ports.Any(p => (int)(long)p["containerPort"]! == configHttp), $"{name}: no container port for the config's HTTP port {configHttp}");
        Assert(ports.Any(p => (int)(long)p["containerPort"]! == configRpc), $"{name}: no container port for the config's silo port {configRpc}");

        var probe = container["readinessProbe"]?["httpGet"] ?? throw new InvalidOperationException($"{name}: no HTTP readiness probe");
        var probePort = probe["port"]!;
        int probeContainerPort = probePort.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? (int)(long)probePort
            : (int)(long)ports.Single(p => (string?)p["name"] == (string)probePort!)["containerPort"]!;
        Assert(probeContainerPort == configHttp, $"{name}: the readiness probe targets port {probeContainerPort}, not the HTTP port {configHttp}");

        string workingDir = Local((string?)container["workingDir"] ?? image.WorkingDir);
        return new ChartPod(name, component, root, httpPort, rpcPort, [.. args], env, workingDir, (string)probe["path"]!);
    }

    /// <summary>Files the process created outside its volumes: on Kubernetes, writes to the read-only root filesystem.</summary>
    public IReadOnlyList<string> RootFilesystemWrites()
    {
        string rootfs = Path.Combine(Root, "rootfs");
        return Directory.Exists(rootfs)
            ? [.. Directory.EnumerateFileSystemEntries(rootfs, "*", SearchOption.AllDirectories).Select(f => f[rootfs.Length..])]
            : [];
    }

    /// <summary>Starts the process (the image's entrypoint with the container's args) and waits for its readiness probe.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        _child?.Dispose();
        // The image's entrypoint is the metrics-cluster binary; the tests run the build's copy of it through dotnet.
        _child = ChildProcess.Start("dotnet", [Repo.BinaryDll, .. _args], _workingDir, _env);
        await Readiness.WaitAsync(new Uri(BaseUri, ReadyPath), _child, Name, timeout);
    }

    /// <summary>SIGKILL, as a node loss or an OOM kill.</summary>
    public void Kill9() => Child.Kill9();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_child is { HasExited: false } c)
        {
            try
            {
                await c.TerminateAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
            }
        }

        _child?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // $(VAR) from the container's env, $$ for a literal $; an unknown name stays as written (Kubernetes' rule).
    private static string ExpandVars(string s, Dictionary<string, string> env) =>
        EnvRef().Replace(s, m => m.Value == "$$" ? "$" : env.TryGetValue(m.Groups[1].Value, out string? v) ? v : m.Value);

    private static string Materialise(RenderedChart chart, JsonObject vol, string dir, IReadOnlyDictionary<string, string> sharedClaims, string pod)
    {
        if (vol["configMap"] is { } cm)
        {
            Directory.CreateDirectory(dir);
            var data = chart.Get("ConfigMap", (string)cm["name"]!)["data"]?.AsObject() ?? [];
            var items = cm["items"]?.AsArray().Select(i => ((string)i!["key"]!, (string)i["path"]!)) ?? data.Select(kv => (kv.Key, kv.Key));
            foreach (var (key, path) in items)
            {
                File.WriteAllText(Path.Combine(dir, path), (string?)data[key] ?? throw new InvalidOperationException($"{pod}: ConfigMap {cm["name"]} has no key {key}"));
            }

            return dir;
        }

        if (vol["emptyDir"] is not null)
        {
            Directory.CreateDirectory(dir);
            return dir;
        }

        if (vol["persistentVolumeClaim"]?["claimName"] is { } claim)
        {
            return sharedClaims.TryGetValue((string)claim!, out string? shared)
                ? shared
                : throw new InvalidOperationException($"{pod}: claim {claim} is not a rendered PersistentVolumeClaim");
        }

        throw new NotSupportedException($"{pod}: volume {vol["name"]} is of a type this test does not run");
    }

    private static (int Http, int Rpc) RewriteConfig(string file, Func<string, string> local, int httpPort, int rpcPort)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        foreach (var scalar in root.AllNodes.OfType<YamlScalarNode>())
        {
            if (scalar.Value is { } v && v.StartsWith('/'))
            {
                scalar.Value = local(v);
            }
        }

        var server = root.Children.TryGetValue("server", out var s) ? (YamlMappingNode)s : new YamlMappingNode();
        root.Children["server"] = server;
        int http = server.Children.TryGetValue("http_listen_port", out var h) ? int.Parse(((YamlScalarNode)h).Value!, CultureInfo.InvariantCulture) : 9009;
        int rpc = server.Children.TryGetValue("rpc_listen_port", out var r) ? int.Parse(((YamlScalarNode)r).Value!, CultureInfo.InvariantCulture) : 9095;
        server.Children["http_listen_port"] = new YamlScalarNode(httpPort.ToString(CultureInfo.InvariantCulture));
        server.Children["rpc_listen_port"] = new YamlScalarNode(rpcPort.ToString(CultureInfo.InvariantCulture));
        server.Children["http_listen_address"] = new YamlScalarNode("127.0.0.1");
        using (var writer = new StreamWriter(file))
        {
            stream.Save(writer, assignAnchors: false);
        }

        return (http, rpc);
    }

    private static void Assert(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    [GeneratedRegex(@"\$\$|\$\((\w+)\)")]
    private static partial Regex EnvRef();

    [GeneratedRegex(@"^(--?[\w.-]+=)(/.*)$")]
    private static partial Regex FlagWithPath();
}

/// <summary>What the image contributes to a container: its entrypoint and working directory, read from the Dockerfile.</summary>
/// <param name="Entrypoint">The final stage's ENTRYPOINT.</param>
/// <param name="WorkingDir">The final stage's WORKDIR.</param>
public sealed record ImageFacts(string Entrypoint, string WorkingDir)
{
    /// <summary>Reads the last stage of the repository's Dockerfile.</summary>
    public static ImageFacts FromDockerfile()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Repo.Root, "Dockerfile"));
        var last = lines.SkipWhile((_, i) => i < Array.FindLastIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal))).ToList();
        string entry = last.Last(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))["ENTRYPOINT ".Length..].Trim();
        string workdir = last.Last(l => l.StartsWith("WORKDIR ", StringComparison.Ordinal))["WORKDIR ".Length..].Trim();
        return new ImageFacts(entry, workdir);
    }
}

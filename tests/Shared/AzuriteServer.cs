using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MetricsCluster.Tests.Shared;

/// <summary>
/// A throw-away Azurite (the Azure Storage emulator, npm package <c>azurite</c>, pinned by
/// <c>scripts/install-deps.sh</c>) for tests: a child process on 127.0.0.1 with free blob, queue and table ports and a
/// temp workspace, on <c>/dev/shm</c> when it exists. A missing or different installation fails loudly with the
/// install command; tests are never skipped.
/// </summary>
/// <remarks>
/// Link this file into a test project (<c>&lt;Compile Include="../Shared/AzuriteServer.cs" Link="Shared/AzuriteServer.cs" /&gt;</c>);
/// it needs nothing but the BCL. Azurite runs without <c>--skipApiVersionCheck</c> by default, so a client that
/// speaks a REST version the emulator does not know fails here as it would against a stale Azure Stack, and
/// telemetry is off (<c>--disableTelemetry</c>): test machines reach no outside service.
/// </remarks>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>The version <c>scripts/install-deps.sh</c> installs; another one fails the start with the install command.</summary>
    public const string ExpectedVersion = "3.37.0";

    /// <summary>The emulator's fixed account name.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's fixed, published account key (not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const string InstallHint = "install it with `bash scripts/install-deps.sh` (npm install -g azurite@" + ExpectedVersion + ")";
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly StringBuilder _output;
    private readonly string _rootDir;
    private readonly string _exe;
    private readonly bool _skipApiVersionCheck;
    private Process _process;

    private AzuriteServer(Process process, StringBuilder output, string rootDir, int blobPort, int queuePort, int tablePort, string exe, bool skipApiVersionCheck)
    {
        _exe = exe;
        _skipApiVersionCheck = skipApiVersionCheck;
        _process = process;
        _output = output;
        _rootDir = rootDir;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    /// <summary>Gets the blob service's loopback port.</summary>
    public int BlobPort { get; }

    /// <summary>Gets the queue service's loopback port (nothing of ours uses queues; Azurite always serves them).</summary>
    public int QueuePort { get; }

    /// <summary>Gets the table service's loopback port.</summary>
    public int TablePort { get; }

    /// <summary>Gets how long <see cref="StartAsync"/> took, from the process start to all three ports accepting, for reports.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>
    /// Gets the development-storage connection string for this instance's ports:
    /// <c>DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=...;BlobEndpoint=http://127.0.0.1:P/devstoreaccount1;QueueEndpoint=...;TableEndpoint=...</c>.
    /// </summary>
    public string ConnectionString => string.Create(
        CultureInfo.InvariantCulture,
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};");

    /// <summary>Gets everything Azurite printed so far (start-up lines and errors; the access log is off).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts Azurite in a new temp workspace; returns once the blob, queue and table ports accept TCP connections.</summary>
    /// <param name="skipApiVersionCheck">Passes <c>--skipApiVersionCheck</c> (accept any REST version); off by default.</param>
    /// <returns>The running server.</returns>
    public static async Task<AzuriteServer> StartAsync(bool skipApiVersionCheck = false)
    {
        string exe = FindAzurite();
        await CheckVersionAsync(exe);

        // Free ports are picked before Azurite binds them, so another process can take one in between; Azurite then
        // exits with EADDRINUSE, and a new set of ports is tried.
        for (int attempt = 1; ; attempt++)
        {
            AzuriteServer server = Launch(exe, skipApiVersionCheck);
            try
            {
                await server.WaitUntilListeningAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.Output.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Stops Azurite (an outage of the store), keeping its workspace and ports for <see cref="RestartAsync"/>. It gets
    /// SIGINT, not SIGKILL: Azurite keeps its tables in memory and writes them to its workspace on a timer and on a
    /// clean exit, so a killed Azurite comes back with an older membership table than the silos have seen, which
    /// real Azure Storage never does (a durable store's outage loses nothing).
    /// </summary>
    /// <returns>A task that completes when the process has exited.</returns>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>Starts Azurite again on the same ports and workspace (what it stored survives); returns once it listens.</summary>
    /// <returns>A task that completes when the three ports accept connections.</returns>
    public async Task RestartAsync()
    {
        if (!_process.HasExited)
        {
            throw new InvalidOperationException("azurite is still running");
        }

        _process.Dispose();
        _process = StartProcess(_exe, _skipApiVersionCheck, _rootDir, BlobPort, QueuePort, TablePort, _output);
        await WaitUntilListeningAsync();
    }

    /// <summary>Kills Azurite (and its children) and deletes its workspace.</summary>
    /// <returns>A task that completes when the process has exited.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or stuck in exit: the workspace goes below either way.
        }
        finally
        {
            _process.Dispose();
        }

        try
        {
            Directory.Delete(_rootDir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp dir is harmless.
        }
    }

    private static AzuriteServer Launch(string exe, bool skipApiVersionCheck)
    {
        string root = CreatePrivateDir("metricscluster-azurite-").FullName;
        int blob = FreePort();
        int queue = FreePort();
        int table = FreePort();
        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        Process process = StartProcess(exe, skipApiVersionCheck, root, blob, queue, table, output);
        return new AzuriteServer(process, output, root, blob, queue, table, exe, skipApiVersionCheck) { StartupTime = clock.Elapsed };
    }

    private static Process StartProcess(string exe, bool skipApiVersionCheck, string root, int blob, int queue, int table, StringBuilder output)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (string a in (string[])[
            "--silent", "--disableTelemetry", "--location", root,
            "--blobHost", "127.0.0.1", "--blobPort", Port(blob),
            "--queueHost", "127.0.0.1", "--queuePort", Port(queue),
            "--tableHost", "127.0.0.1", "--tablePort", Port(table)])
        {
            psi.ArgumentList.Add(a);
        }

        if (skipApiVersionCheck)
        {
            psi.ArgumentList.Add("--skipApiVersionCheck");
        }

        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {exe}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilListeningAsync()
    {
        var clock = Stopwatch.StartNew();
        TimeSpan launched = StartupTime;
        foreach (int port in (int[])[BlobPort, QueuePort, TablePort])
        {
            while (!await AcceptsAsync(port))
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"azurite exited with {_process.ExitCode} before listening on 127.0.0.1:{port}:\n{Output}");
                }

                if (clock.Elapsed > s_startTimeout)
                {
                    throw new InvalidOperationException($"azurite did not listen on 127.0.0.1:{port} within {s_startTimeout}:\n{Output}");
                }

                await Task.Delay(25);
            }
        }

        StartupTime = launched + clock.Elapsed;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string FindAzurite()
    {
        string[] dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return dirs.Select(d => Path.Combine(d, "azurite")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"azurite is not on PATH: the --ring.store=azure tests need it; {InstallHint}.");
    }

    private static async Task CheckVersionAsync(string exe)
    {
        var psi = new ProcessStartInfo(exe, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe} --version");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string version = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || version != ExpectedVersion)
        {
            throw new InvalidOperationException(
                $"{exe} --version printed '{version}' (exit {process.ExitCode}; {(await stderr).Trim()}), expected {ExpectedVersion}; {InstallHint}.");
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Where workspaces go: <c>/dev/shm</c> (tmpfs) when there is one, so the emulator costs no disk I/O; the temp dir otherwise.</summary>
    private static string ScratchRoot()
    {
        const string shm = "/dev/shm";
        return Directory.Exists(shm) ? shm : Path.GetTempPath();
    }

    private static DirectoryInfo CreatePrivateDir(string prefix)
    {
        string path = Path.Combine(ScratchRoot(), prefix + Guid.NewGuid().ToString("N"));
        return OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(path)
            : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

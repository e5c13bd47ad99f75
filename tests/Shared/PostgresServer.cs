using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MetricsCluster.Tests.Shared;

/// <summary>
/// A throw-away PostgreSQL server (Debian package <c>postgresql</c>) for tests: a copy of a once-per-machine
/// <c>initdb</c> template in a temp dir, then <c>pg_ctl start</c> on 127.0.0.1 on a free port, trust authentication
/// as user <c>postgres</c>; server dirs live on <c>/dev/shm</c> when it exists. Because PostgreSQL
/// refuses to run as root, a root test process runs the server tools as the <c>postgres</c> user (<c>runuser</c>) in a
/// temp dir that user owns. A missing installation fails loudly; tests are never skipped.
/// </summary>
/// <remarks>
/// Link this file into a test project (<c>&lt;Compile Include="../Shared/PostgresServer.cs" Link="Shared/PostgresServer.cs" /&gt;</c>);
/// it needs nothing but the BCL. Durability settings are off (<c>fsync</c>, <c>synchronous_commit</c>): a test
/// server never survives a machine crash, and the fsyncs would be slow on a loaded machine.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(120);

    private readonly string _binDir;
    private readonly string _rootDir;
    private readonly bool _asServiceUser;
    private bool _running;

    private PostgresServer(string binDir, string rootDir, bool asServiceUser, int port)
    {
        _binDir = binDir;
        _rootDir = rootDir;
        _asServiceUser = asServiceUser;
        Port = port;
    }

    /// <summary>Gets the loopback TCP port the server listens on (the same across <see cref="RestartAsync"/>).</summary>
    public int Port { get; }

    /// <summary>Gets the connection string of the <c>postgres</c> database as the <c>postgres</c> superuser.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>Gets how long <see cref="StartAsync"/> took (template copy, or initdb the first time, plus start), for reports.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Gets the data directory (owned by the server's user).</summary>
    public string DataDir => Path.Combine(_rootDir, "data");

    /// <summary>Gets the server log file, quoted in every failure message.</summary>
    public string LogFile => Path.Combine(_rootDir, "postgres.log");

    /// <summary>Creates a cluster in a new temp dir and starts it; returns once it accepts TCP connections.</summary>
    /// <returns>The running server.</returns>
    public static async Task<PostgresServer> StartAsync()
    {
        var clock = Stopwatch.StartNew();
        string binDir = FindBinDir();
        bool asServiceUser = Environment.IsPrivilegedProcess;
        DirectoryInfo root = CreatePrivateDir("metricscluster-pg-");
        if (asServiceUser)
        {
            await RunAsync("chown", [ServiceUser, root.FullName], asUser: null);
        }

        var server = new PostgresServer(binDir, root.FullName, asServiceUser, FreePort());
        try
        {
            string template = await TemplateDataDirAsync(binDir, asServiceUser);
            await RunAsync("cp", ["-a", template, server.DataDir], asServiceUser ? ServiceUser : null);
            await server.StartServerAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        server.StartupTime = clock.Elapsed;
        return server;
    }

    /// <summary>Gets the connection string of <paramref name="database"/> as the <c>postgres</c> superuser.</summary>
    /// <param name="database">The database name.</param>
    /// <returns>An Npgsql connection string.</returns>
    public string ConnectionStringFor(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={ServiceUser};Database={database}");

    /// <summary>Creates a new, empty database with a unique name (<c>createdb</c>) and returns its connection string.</summary>
    /// <returns>The connection string of the new database.</returns>
    public async Task<string> CreateDatabaseAsync()
    {
        string name = "db_" + Guid.NewGuid().ToString("N");
        await RunToolAsync("createdb", ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", ServiceUser, name]);
        return ConnectionStringFor(name);
    }

    /// <summary>Stops the server (<c>pg_ctl stop -m fast</c>: open sessions are ended at once); the data dir stays.</summary>
    /// <returns>A task that completes when the server has exited.</returns>
    public async Task StopAsync()
    {
        await RunToolAsync("pg_ctl", ["stop", "-D", DataDir, "-m", "fast", "-w", "-t", "60"]);
        _running = false;
    }

    /// <summary>Starts the stopped server again on the same port and data dir.</summary>
    /// <returns>A task that completes when the server accepts TCP connections.</returns>
    public Task RestartAsync() => StartServerAsync();

    /// <summary>Stops the server if it runs and deletes its temp dir.</summary>
    /// <returns>A task that completes when both are done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_running)
        {
            try
            {
                await StopAsync();
            }
            catch (InvalidOperationException)
            {
                // Best effort: the directory goes below either way, and PostgreSQL shuts itself down within a
                // minute once its lock file (postmaster.pid) is gone.
            }
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

    private async Task StartServerAsync()
    {
        // Unix socket in our own dir: the Debian default (/var/run/postgresql) may not exist or be writable.
        string settings = string.Join(' ',
            "-c listen_addresses=127.0.0.1",
            "-c port=" + Port.ToString(CultureInfo.InvariantCulture),
            "-c unix_socket_directories=" + _rootDir,
            "-c max_connections=300",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off");
        await RunToolAsync("pg_ctl", ["start", "-D", DataDir, "-l", LogFile, "-w", "-t", "60", "-o", settings]);
        _running = true;
        await WaitUntilAcceptingAsync();
    }

    private async Task WaitUntilAcceptingAsync()
    {
        // pg_ctl -w already waited for readiness; this confirms the TCP listener, polling generously.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"PostgreSQL did not accept connections on 127.0.0.1:{Port} within 60s:\n{ReadLog()}", e);
            }
        }
    }

    /// <summary>
    /// An initdb'd data dir shared by every server of this machine and major version, made once: initdb takes
    /// seconds on a loaded machine, a copy of its 40 MB output a fraction of one. It is built in a private temp dir
    /// and renamed into place, so concurrent test processes never see half of one; the loser of that race drops its copy.
    /// </summary>
    private static async Task<string> TemplateDataDirAsync(string binDir, bool asServiceUser)
    {
        string version = Path.GetFileName(Path.GetDirectoryName(binDir)!);
        string final = Path.Combine(ScratchRoot(), $"metricscluster-pg-template-{version}");
        string data = Path.Combine(final, "data");
        if (File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            return data;
        }

        DirectoryInfo building = CreatePrivateDir("metricscluster-pg-initdb-");
        try
        {
            if (asServiceUser)
            {
                await RunAsync("chown", [ServiceUser, building.FullName], asUser: null);
            }

            await RunAsync(
                Path.Combine(binDir, "initdb"),
                ["-D", Path.Combine(building.FullName, "data"), "-A", "trust", "-U", ServiceUser, "-E", "UTF8", "--no-sync", "--no-instructions", "--wal-segsize=1"],
                asServiceUser ? ServiceUser : null);
            try
            {
                Directory.Move(building.FullName, final);
            }
            catch (IOException) when (File.Exists(Path.Combine(data, "PG_VERSION")))
            {
                // Another process installed its template first; use that one.
            }
        }
        finally
        {
            if (Directory.Exists(building.FullName))
            {
                Directory.Delete(building.FullName, recursive: true);
            }
        }

        return data;
    }

    private Task RunToolAsync(string tool, string[] args) =>
        RunAsync(Path.Combine(_binDir, tool), args, _asServiceUser ? ServiceUser : null, ReadLog);

    private static async Task RunAsync(string exe, string[] args, string? asUser, Func<string>? log = null)
    {
        var psi = new ProcessStartInfo(asUser is null ? exe : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asUser is not null)
        {
            foreach (string a in (string[])["-u", asUser, "--", exe])
            {
                psi.ArgumentList.Add(a);
            }
        }

        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_toolTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{exe} {string.Join(' ', args)} did not finish within {s_toolTimeout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{exe} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}\n{log?.Invoke()}");
        }
    }

    private string ReadLog()
    {
        try
        {
            return File.Exists(LogFile) ? "--- postgres.log ---\n" + File.ReadAllText(LogFile) : "(no postgres.log)";
        }
        catch (IOException e)
        {
            return "(postgres.log unreadable: " + e.Message + ")";
        }
    }

    private static string FindBinDir()
    {
        // Debian installs each major version side by side; take the highest that has all the tools.
        const string root = "/usr/lib/postgresql";
        string? best = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out int v) ? v : -1))
                .Where(c => c.Version >= 0 && File.Exists(Path.Combine(c.Dir, "initdb")) && File.Exists(Path.Combine(c.Dir, "pg_ctl"))
                    && File.Exists(Path.Combine(c.Dir, "postgres")))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Dir)
                .FirstOrDefault()
            : null;
        return best ?? throw new InvalidOperationException(
            $"PostgreSQL server binaries (initdb, pg_ctl, postgres) not found under {root}/*/bin: the ring store tests need them (apt-get install postgresql).");
    }

    /// <summary>
    /// Where server dirs go: <c>/dev/shm</c> (tmpfs) when there is one, since copying and running a cluster there
    /// costs no disk I/O on a machine whose disk is busy with builds; the temp dir otherwise.
    /// </summary>
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

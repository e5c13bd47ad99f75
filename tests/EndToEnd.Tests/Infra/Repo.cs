using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Paths and ports shared by the end-to-end tests.</summary>
public static class Repo
{
    /// <summary>The repository root (the directory holding MetricsCluster.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration of this test assembly (Debug or Release), used to find the binary.</summary>
    public static string Configuration { get; } =
        typeof(Repo).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>metrics-cluster.dll built by the project reference.</summary>
    public static string BinaryDll
    {
        get
        {
            string dll = Path.Combine(Root, "src", "MetricsCluster", "bin", Configuration, "net10.0", "metrics-cluster.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("metrics-cluster was not built", dll);
        }
    }

    /// <summary>A free TCP port on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>A new empty temp directory.</summary>
    public static string TempDir(string prefix)
    {
        string d = Path.Combine(Path.GetTempPath(), $"mc-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Path of an installed server binary; installs the Debian packages if missing, failing loudly.</summary>
    public static string RequireBinary(string name)
    {
        string path = "/usr/bin/" + name;
        if (File.Exists(path))
        {
            return path;
        }

        var psi = new System.Diagnostics.ProcessStartInfo("bash", Path.Combine(Root, "scripts", "install-deps.sh")) { UseShellExecute = false };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.WaitForExit();
        return File.Exists(path) ? path : throw new InvalidOperationException($"{name} is not installed and scripts/install-deps.sh could not install it (exit {p.ExitCode})");
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "MetricsCluster.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root from " + AppContext.BaseDirectory);
    }
}

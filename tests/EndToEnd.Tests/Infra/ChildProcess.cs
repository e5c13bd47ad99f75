using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>A child process whose output is kept for failure messages; killed on dispose.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ChildProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>
    /// True once the process exited and its output was read to the end, so <see cref="Output"/> is complete: the
    /// output is read by event handlers that may lag the exit (an AgentTests run saw an empty Output after exit).
    /// </summary>
    public bool HasExited
    {
        get
        {
            if (!_process.HasExited)
            {
                return false;
            }

            // The parameterless overload also waits for the redirected streams' end of file.
            _process.WaitForExit();
            return true;
        }
    }

    /// <summary>Exit code (after exit).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="args"/>; <paramref name="env"/> is added to this process's environment.</summary>
    public static ChildProcess Start(string file, IEnumerable<string> args, string? workingDir = null, IReadOnlyDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDir ?? Environment.CurrentDirectory,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        var p = new Process { StartInfo = psi };
        var child = new ChildProcess(p);
        p.OutputDataReceived += (_, e) => child.Append(e.Data);
        p.ErrorDataReceived += (_, e) => child.Append(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return child;
    }

    /// <summary>SIGKILL: no chance to flush anything.</summary>
    public void Kill9()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>
    /// SIGSTOP: the process is frozen with its sockets open, so peers connect and send but get no answer (the worst
    /// slow replica). Pair with <see cref="Continue"/> in a finally block, or the process cannot be terminated.
    /// </summary>
    public void Stop() => Signal(SigStop);

    /// <summary>SIGCONT: resumes a process frozen by <see cref="Stop"/>.</summary>
    public void Continue() => Signal(SigCont);

    /// <summary>Waits for the process to exit by itself (and for its output to be read to the end).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then waits for exit.</summary>
    /// <exception cref="TimeoutException">Not exited within <paramref name="timeout"/>; the message holds its output.</exception>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            _ = SysKill(_process.Id, 15);
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // The output says which shutdown step took the time; a bare TaskCanceledException says nothing.
            throw new TimeoutException($"pid {_process.Id} did not exit within {timeout} of SIGTERM; its output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            Kill9();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    // Linux signal numbers (x86-64 and arm64).
    private const int SigCont = 18;
    private const int SigStop = 19;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int sig);

    private void Signal(int sig)
    {
        if (SysKill(_process.Id, sig) != 0)
        {
            throw new InvalidOperationException($"kill -{sig} {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}

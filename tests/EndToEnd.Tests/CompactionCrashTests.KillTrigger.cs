using System.Diagnostics;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>When <see cref="CompactionCrashTests"/> kills the compactor: a delay, or a change in the bucket an inotify watch sees.</summary>
public sealed partial class CompactionCrashTests
{
    private enum KillAt
    {
        /// <summary>A random delay after the process was started (start-up, sync, download, merge or upload).</summary>
        Delay,

        /// <summary>A new block directory appears: an upload is about to put its first object (may leave an empty dir).</summary>
        NewBlockDir,

        /// <summary>A file appears in a new block directory: an upload has begun (likely leaves a partial block).</summary>
        NewBlockFile,

        /// <summary>A new block's meta.json appears: the upload is complete, its sources are not marked yet.</summary>
        NewMetaJson,

        /// <summary>A new global deletion mark appears: the sources of a job are being marked.</summary>
        NewDeletionMark,
    }

    private sealed class KillTrigger : IDisposable
    {
        private readonly FileSystemWatcher? _watcher;
        private readonly KillAt _kind;
        private readonly int _nth;
        private readonly Snapshot _known;
        private readonly string _tenantDir;
        private readonly int _pid;
        private readonly HashSet<string> _seen = [];
        private int _fired;

        public KillTrigger(KillAt kind, int nth, Snapshot known, string tenantDir, int pid)
        {
            (_kind, _nth, _known, _tenantDir, _pid) = (kind, nth, known, tenantDir, pid);
            if (kind == KillAt.Delay)
            {
                return;
            }

            _watcher = new FileSystemWatcher(tenantDir) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName };
            _watcher.Created += (_, e) => OnChange(e.FullPath);
            _watcher.Renamed += (_, e) => OnChange(e.FullPath);
            _watcher.EnableRaisingEvents = true;
        }

        public bool Fired => Volatile.Read(ref _fired) == 1;

        /// <summary>SIGKILL of the compactor (not its process tree: it has none, and walking /proc costs milliseconds).</summary>
        public void Kill()
        {
            try
            {
                using var p = Process.GetProcessById(_pid);
                p.Kill(entireProcessTree: false);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Exited already.
            }
        }

        public void Dispose() => _watcher?.Dispose();

        private void OnChange(string path)
        {
            string rel = Path.GetRelativePath(_tenantDir, path);
            string[] parts = rel.Split(Path.DirectorySeparatorChar);
            string? key = _kind switch
            {
                KillAt.NewBlockDir when parts.Length == 1 && parts[0].Length == 26 && !_known.Dirs.Contains(parts[0]) => parts[0],
                KillAt.NewBlockFile when parts.Length >= 2 && parts[0].Length == 26 && !_known.Dirs.Contains(parts[0]) && IsBlockFile(path) && File.Exists(path) => parts[0],
                KillAt.NewMetaJson when parts is [{ Length: 26 } id, "meta.json"] && !_known.Metas.Contains(id) => id,
                KillAt.NewDeletionMark when parts is ["markers", { } mark] && mark.EndsWith("-deletion-mark.json", StringComparison.Ordinal) && !_known.Marks.Contains(mark) => mark,
                _ => null,
            };
            if (key is null)
            {
                return;
            }

            lock (_seen)
            {
                if (!_seen.Add(key) || _seen.Count < _nth || Interlocked.Exchange(ref _fired, 1) == 1)
                {
                    return;
                }
            }

            Kill();
        }
    }

    private sealed record Snapshot(HashSet<string> Dirs, HashSet<string> Metas, HashSet<string> Marks);
}

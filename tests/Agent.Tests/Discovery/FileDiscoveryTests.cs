using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Discovery;
using MetricsCluster.Tests.Shared;
using Microsoft.Extensions.Logging;
using Xunit;

namespace MetricsCluster.Agent.Tests.Discovery;

/// <summary>
/// File SD at run time on real files in a temp dir: globs, change detection by the watcher, the refresh
/// interval, broken and deleted files. Waits poll with generous deadlines (the machine is loaded).
/// </summary>
public sealed class FileDiscoveryTests : IDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("filesd").FullName;
    private readonly CapturingLogger _log = new();

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void ReadsMatchingFilesOnStart()
    {
        Write("a.json", """[{"targets": ["a:1"]}]""");
        Write("b.yml", "- targets: [b:1, b:2]\n");
        Write("c.txt", "ignored");
        Write("d.yaml", "- targets: [d:1]\n");
        using var sd = Create([Path.Combine(_dir, "*.json"), Path.Combine(_dir, "*.yml")]);
        sd.Start();
        Assert.Equal(["a:1", "b:1", "b:2"], Addresses(sd));
        Assert.Equal(Path.Combine(_dir, "a.json"), sd.Current[0].Labels.Get("__meta_filepath"));
    }

    [Fact]
    public void WatcherPicksUpChangedAddedAndDeletedFiles()
    {
        Write("a.json", """[{"targets": ["a:1"]}]""");
        using var sd = Create([Path.Combine(_dir, "*.json")]);
        int events = 0;
        sd.Changed += _ => Interlocked.Increment(ref events);
        sd.Start();
        Assert.Equal(["a:1"], Addresses(sd));

        Write("a.json", """[{"targets": ["a:2"]}]""");
        WaitFor(() => Addresses(sd).SequenceEqual(["a:2"]), "changed file");

        Write("b.json", """[{"targets": ["b:1"]}]""");
        WaitFor(() => Addresses(sd).SequenceEqual(["a:2", "b:1"]), "added file");

        File.Delete(Path.Combine(_dir, "a.json"));
        WaitFor(() => Addresses(sd).SequenceEqual(["b:1"]), "deleted file");
        Assert.True(Volatile.Read(ref events) >= 3);
    }

    [Fact]
    public void BrokenFileKeepsItsPreviousGroupsAndIsLogged()
    {
        Write("a.json", """[{"targets": ["a:1"]}]""");
        Write("b.json", """[{"targets": ["b:1"]}]""");
        using var sd = Create([Path.Combine(_dir, "*.json")]);
        sd.Start();

        Write("a.json", """[{"targets": ["a:1"]""");
        Write("b.json", """[{"targets": ["b:2"]}]""");
        WaitFor(() => Addresses(sd).SequenceEqual(["a:1", "b:2"]) && sd.ReadErrors > 0, "broken a.json, updated b.json");
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("a.json", StringComparison.Ordinal));

        Write("a.json", """[{"targets": ["a:3"]}]""");
        WaitFor(() => Addresses(sd).SequenceEqual(["a:3", "b:2"]), "repaired a.json");
    }

    [Fact]
    public void RefreshIntervalRereadsWithoutAWatcher()
    {
        // The directory does not exist at start, so nothing can be watched: only the timer can find the file.
        string sub = Path.Combine(_dir, "later");
        var clock = new ManualTimeProvider();
        using var sd = new FileDiscovery(
            new FileSdConfig { Files = [Path.Combine(sub, "*.json")], RefreshInterval = TimeSpan.FromMinutes(5) }, _log, clock);
        sd.Start();
        Assert.Empty(sd.Current);

        Directory.CreateDirectory(sub);
        File.WriteAllText(Path.Combine(sub, "x.json"), """[{"targets": ["x:1"]}]""");
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(sd.Current);

        clock.Advance(TimeSpan.FromMinutes(1));
        WaitFor(() => Addresses(sd).SequenceEqual(["x:1"]), "refresh after the interval");
    }

    [Fact]
    public void UnchangedContentRaisesNoEvent()
    {
        Write("a.json", """[{"targets": ["a:1"]}]""");
        using var sd = Create([Path.Combine(_dir, "a.json")]);
        sd.Start();
        int events = 0;
        sd.Changed += _ => Interlocked.Increment(ref events);
        sd.Refresh();
        Assert.Equal(0, events);
        Write("a.json", """[{"targets": ["a:2"]}]""");
        sd.Refresh();
        Assert.True(events >= 1);
    }

    internal static void WaitFor(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + s_deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"timed out waiting for {what}");
            }

            Thread.Sleep(20);
        }
    }

    private static List<string> Addresses(FileDiscovery sd) =>
        [.. sd.Current.SelectMany(g => g.Targets).Select(t => t.Get("__address__"))];

    private FileDiscovery Create(string[] files) =>
        new(new FileSdConfig { Files = files, RefreshInterval = TimeSpan.FromHours(1) }, _log, TimeProvider.System);

    // Written beside and renamed into place, as config management tools do, so a reader never sees half a file.
    private void Write(string name, string content)
    {
        string tmp = Path.Combine(_dir, "." + name + ".tmp");
        File.WriteAllText(tmp, content);
        File.Move(tmp, Path.Combine(_dir, name), overwrite: true);
    }
}

using MetricsCluster.Compactor.Planning;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Compactor.Tests.Planning;

/// <summary>Builds block metas and planner inputs; times are hours after <see cref="T0"/>, a UTC midnight (aligned to every default range).</summary>
internal sealed class PlanningFixture
{
    public static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Random _random = new(42);

    public Dictionary<Ulid, DateTimeOffset> Uploaded { get; } = [];

    public HashSet<Ulid> Excluded { get; } = [];

    public List<BlockMeta> Blocks { get; } = [];

    public ManualClock Clock { get; } = new(T0);

    public static long Ms(double hours) => T0.ToUnixTimeMilliseconds() + (long)(hours * 3_600_000);

    public static DateTimeOffset At(double hours) => T0.AddHours(hours);

    /// <summary>Adds a block [min, max) hours, uploaded at <paramref name="uploadedAt"/> hours (default: long ago).</summary>
    public BlockMeta Add(double minH, double maxH, int level = 1, double uploadedAt = -100, Dictionary<string, string>? labels = null,
        long resolution = 0, IEnumerable<Ulid>? sources = null)
    {
        var id = Ulid.New(Ms(maxH), _random);
        var meta = new BlockMeta { Ulid = id, MinTime = Ms(minH), MaxTime = Ms(maxH), Compaction = new BlockCompaction { Level = level } };
        meta.Compaction.Sources.AddRange(sources ?? [id]);
        meta.Thanos = new ThanosMeta { DownsampleResolution = resolution };
        foreach (var (k, v) in labels ?? new Dictionary<string, string> { ["__org_id__"] = "tenant-1" })
        {
            meta.Thanos.Labels[k] = v;
        }

        Blocks.Add(meta);
        Uploaded[id] = At(uploadedAt);
        return meta;
    }

    public CompactionPlan Plan(double nowHours, TimeSpan? wait = null, IReadOnlyList<TimeSpan>? ranges = null, int shards = 0)
    {
        Clock.Now = At(nowHours);
        var planner = new CompactionPlanner(ranges ?? CompactorOptions.DefaultBlockRanges, wait ?? TimeSpan.FromMinutes(25), Clock, shards);
        return planner.Plan(new CompactionPlanInput(Blocks, Excluded, m => Uploaded[m.Ulid]));
    }

    /// <summary>"range [start,end) hours: sorted block ranges" of each job, to compare whole plans in one assert.</summary>
    public static string[] Describe(IEnumerable<CompactionJob> jobs) =>
        [.. jobs.Select(j => $"{j.Kind} {Hours(j.RangeStart)}-{Hours(j.RangeEnd)}h: {string.Join(' ', j.Blocks.Select(b => $"{Hours(b.MinTime)}-{Hours(b.MaxTime)}"))}")];

    private static string Hours(long ms) => ((ms - T0.ToUnixTimeMilliseconds()) / 3_600_000.0).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

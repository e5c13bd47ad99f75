using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>
/// One source of a merge: any <see cref="IBlockReader"/> (a block directory, or the head's <see cref="Head.RangeHead"/>
/// in head compaction) and a cursor over its series in label order. Every reader failure surfaces as a
/// <see cref="BlockMergeSourceException"/> naming this source. Holds the sorted series refs (8 bytes per series) and
/// the current series' chunk metas; not thread-safe.
/// </summary>
internal sealed class MergeSource : IDisposable
{
    private readonly IIndexReader _index;
    private readonly IChunkReader _chunks;
    private readonly IDisposable? _owner;
    private readonly ulong[] _refs;
    private readonly List<ChunkMeta> _current = [];
    private int _next;

    private MergeSource(IBlockReader reader, string name, BlockMeta? meta, IDisposable? owner)
    {
        Name = name;
        Meta = meta;
        _owner = owner;
        _index = reader.Index();
        _chunks = reader.Chunks();
        MinTime = reader.MinTime;
        MaxTime = reader.MaxTime;
        try
        {
            _refs = _index.SortedSeriesRefs([], CancellationToken.None);
        }
        catch (BlockCorruptionException e)
        {
            throw Fail(e.Message, e);
        }

        Samples = new SourceSamples(this);
    }

    /// <summary>Where the source lives, for errors: the block directory, or "head".</summary>
    public string Name { get; }

    /// <summary>The block's meta.json; null for the head.</summary>
    public BlockMeta? Meta { get; }

    /// <summary>Lowest timestamp taken from this source (inclusive); samples before it are skipped.</summary>
    public long MinTime { get; }

    /// <summary>Highest timestamp taken from this source (inclusive); samples after it are skipped.</summary>
    public long MaxTime { get; }

    /// <summary>Number of series in the index.</summary>
    public int SeriesCount => _refs.Length;

    /// <summary>True while <see cref="Labels"/> and <see cref="Chunks"/> describe a series (after a successful <see cref="MoveNext"/>).</summary>
    public bool HasCurrent { get; private set; }

    /// <summary>The current series' labels.</summary>
    public Labels Labels { get; private set; }

    /// <summary>The current series' chunk metas.</summary>
    public IReadOnlyList<ChunkMeta> Chunks => _current;

    /// <summary>The sample iterator of the current series, reset by <see cref="MoveNext"/>.</summary>
    public SourceSamples Samples { get; }

    /// <summary>Opens <paramref name="directory"/>: meta.json, index and chunk segments.</summary>
    /// <exception cref="BlockMergeSourceException">Any of them is missing or invalid.</exception>
    public static MergeSource Open(string directory)
    {
        BlockMeta meta;
        try
        {
            meta = BlockMeta.ReadFrom(directory);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            _ = Ulid.TryParse(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), out var fromName);
            throw new BlockMergeSourceException(fromName, directory, $"{BlockMeta.FileName}: {e.Message}", e);
        }

        BlockReader reader;
        try
        {
            // No meta: every sample of the block is merged, whatever meta.json's range says (as before the reader interface).
            reader = BlockReader.Open(directory);
        }
        catch (Exception e) when (e is BlockCorruptionException or IOException)
        {
            throw new BlockMergeSourceException(meta.Ulid, directory, e.Message, e);
        }

        try
        {
            return new MergeSource(reader, directory, meta, reader);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>A source over <paramref name="reader"/>, which the caller keeps open and disposes.</summary>
    /// <param name="reader">The reader (the head's range in head compaction).</param>
    /// <param name="name">Names the source in errors.</param>
    public static MergeSource Over(IBlockReader reader, string name) => new(reader, name, meta: null, owner: null);

    /// <summary>The index's symbols, checked to be strictly increasing (the k-way symbol merge relies on it).</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Symbols()
    {
        ReadOnlyMemory<byte> previous = default;
        bool first = true;
        foreach (var s in _index.Symbols())
        {
            if (!first && s.Span.SequenceCompareTo(previous.Span) <= 0)
            {
                throw Fail($"index symbol table is not strictly increasing at \"{System.Text.Encoding.UTF8.GetString(s.Span)}\"");
            }

            first = false;
            previous = s;
            yield return s;
        }
    }

    /// <summary>Moves to the next series; false at the end. Skips series the head dropped since the refs were read.</summary>
    /// <exception cref="BlockMergeSourceException">The series entry is damaged or not after the previous one in label order.</exception>
    public bool MoveNext()
    {
        while (_next < _refs.Length)
        {
            _current.Clear();
            bool found;
            Labels labels;
            try
            {
                found = _index.Series(_refs[_next], out labels, _current);
            }
            catch (BlockCorruptionException e)
            {
                throw Fail(e.Message, e);
            }

            _next++;
            if (!found)
            {
                continue;
            }

            if (HasCurrent && Labels.Compare(labels, Labels) <= 0)
            {
                throw Fail($"series {labels} follows {Labels} in the index: not sorted by labels");
            }

            Labels = labels;
            HasCurrent = true;
            Samples.Reset();
            return true;
        }

        HasCurrent = false;
        return false;
    }

    /// <summary>Reads one chunk of the current series.</summary>
    /// <exception cref="BlockMergeSourceException">The chunk is damaged.</exception>
    public ChunkBytes Chunk(in ChunkMeta meta)
    {
        try
        {
            return _chunks.Chunk(meta);
        }
        catch (BlockCorruptionException e)
        {
            throw Fail(e.Message, e);
        }
    }

    /// <summary>An exception naming this source and <paramref name="reason"/>.</summary>
    public BlockMergeSourceException Fail(string reason, Exception? inner = null) => new(Meta?.Ulid ?? default, Name, reason, inner);

    /// <inheritdoc/>
    public void Dispose() => _owner?.Dispose();
}

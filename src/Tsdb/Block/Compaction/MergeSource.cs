using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>
/// One source block of a merge: its meta, its memory-mapped index and chunk segments, and a cursor over its series
/// in index (= label) order. Every reader failure surfaces as a <see cref="BlockMergeSourceException"/> naming this
/// block. Holds the all-postings list (8 bytes per series) and the current series' chunk metas; not thread-safe.
/// </summary>
internal sealed class MergeSource : IDisposable
{
    private readonly IndexReader _index;
    private readonly ChunkSegmentReader _chunks;
    private readonly ulong[] _refs;
    private int _next;

    private MergeSource(string directory, BlockMeta meta, IndexReader index, ChunkSegmentReader chunks, ulong[] refs)
    {
        Directory = directory;
        Meta = meta;
        _index = index;
        _chunks = chunks;
        _refs = refs;
        Samples = new SourceSamples(this);
    }

    /// <summary>The block directory.</summary>
    public string Directory { get; }

    /// <summary>The block's meta.json.</summary>
    public BlockMeta Meta { get; }

    /// <summary>Number of series in the index.</summary>
    public int SeriesCount => _refs.Length;

    /// <summary>True while <see cref="Labels"/> and <see cref="Chunks"/> describe a series (after a successful <see cref="MoveNext"/>).</summary>
    public bool HasCurrent { get; private set; }

    /// <summary>The current series' labels.</summary>
    public Labels Labels { get; private set; }

    /// <summary>The current series' chunk metas.</summary>
    public IReadOnlyList<ChunkMeta> Chunks { get; private set; } = [];

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

        IndexReader? index = null;
        try
        {
            index = IndexReader.Open(Path.Combine(directory, BlockWriter.IndexFileName));
            var chunks = ChunkSegmentReader.Open(Path.Combine(directory, BlockWriter.ChunksDirName));
            try
            {
                return new MergeSource(directory, meta, index, chunks, index.AllPostings());
            }
            catch
            {
                chunks.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is BlockCorruptionException or IOException)
        {
            index?.Dispose();
            throw new BlockMergeSourceException(meta.Ulid, directory, e.Message, e);
        }
    }

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

    /// <summary>Moves to the next series; false at the end.</summary>
    /// <exception cref="BlockMergeSourceException">The series entry is damaged or not after the previous one in label order.</exception>
    public bool MoveNext()
    {
        if (_next >= _refs.Length)
        {
            HasCurrent = false;
            return false;
        }

        IndexSeries entry;
        try
        {
            entry = _index.Series(_refs[_next]);
        }
        catch (BlockCorruptionException e)
        {
            throw Fail(e.Message, e);
        }

        if (HasCurrent && Labels.Compare(entry.Labels, Labels) <= 0)
        {
            throw Fail($"series {entry.Labels} follows {Labels} in the index: not sorted by labels");
        }

        _next++;
        Labels = entry.Labels;
        Chunks = entry.Chunks;
        HasCurrent = true;
        Samples.Reset();
        return true;
    }

    /// <summary>Reads one chunk of the current series.</summary>
    /// <exception cref="BlockMergeSourceException">The chunk is damaged.</exception>
    public (byte Encoding, ReadOnlyMemory<byte> Data) Chunk(ulong chunkRef)
    {
        try
        {
            return _chunks.Chunk(chunkRef);
        }
        catch (BlockCorruptionException e)
        {
            throw Fail(e.Message, e);
        }
    }

    /// <summary>An exception naming this block and <paramref name="reason"/>.</summary>
    public BlockMergeSourceException Fail(string reason, Exception? inner = null) => new(Meta.Ulid, Directory, reason, inner);

    /// <inheritdoc/>
    public void Dispose()
    {
        _chunks.Dispose();
        _index.Dispose();
    }
}

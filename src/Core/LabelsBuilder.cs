using System.Text;

namespace MetricsCluster.Core;

/// <summary>Builds a <see cref="Labels"/> from strings; sorts by name and drops empty values, as Prometheus does.</summary>
public sealed class LabelsBuilder
{
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    /// <summary>Starts empty.</summary>
    public LabelsBuilder()
    {
    }

    /// <summary>Starts from an existing set.</summary>
    public LabelsBuilder(Labels from)
    {
        _pairs.AddRange(from.Pairs());
    }

    /// <summary>Sets (or replaces) a label.</summary>
    public LabelsBuilder Set(string name, string value)
    {
        int i = _pairs.FindIndex(p => p.Key == name);
        if (i >= 0)
        {
            _pairs[i] = new(name, value);
        }
        else
        {
            _pairs.Add(new(name, value));
        }

        return this;
    }

    /// <summary>Removes a label.</summary>
    public LabelsBuilder Delete(string name)
    {
        _pairs.RemoveAll(p => p.Key == name);
        return this;
    }

    /// <summary>Encodes, sorted by UTF-8 byte order of the names.</summary>
    public Labels Build()
    {
        var pairs = _pairs.Where(p => p.Value.Length > 0)
            .Select(p => (Name: Encoding.UTF8.GetBytes(p.Key), Value: Encoding.UTF8.GetBytes(p.Value)))
            .ToList();
        pairs.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        var buf = new ValueBuffer(64);
        try
        {
            foreach (var (n, v) in pairs)
            {
                LabelsEncoding.WritePair(ref buf, n, v);
            }

            return Labels.FromEncoded(buf.Written);
        }
        finally
        {
            buf.Dispose();
        }
    }
}

using System.Text.Json;

namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// An instance's tokens on its own disk (Mimir's <c>-ingester.ring.tokens-file-path</c>), so a restarted ingester
/// takes back the same ring ranges and finds its WAL's series still owned by it. Format: Mimir's JSON,
/// <c>{"tokens":[1,2,3]}</c>.
/// </summary>
public static class TokensFile
{
    /// <summary>The tokens saved at <paramref name="path"/>, sorted; null when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a valid tokens file; the message names it.</exception>
    public static uint[]? Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("tokens", out JsonElement array)
                || array.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"tokens file {path} is corrupt: expected {{\"tokens\":[...]}}");
            }

            var tokens = new uint[array.GetArrayLength()];
            int i = 0;
            foreach (JsonElement e in array.EnumerateArray())
            {
                tokens[i++] = e.GetUInt32();
            }

            Array.Sort(tokens);
            for (int j = 1; j < tokens.Length; j++)
            {
                if (tokens[j] == tokens[j - 1])
                {
                    throw new InvalidDataException($"tokens file {path} is corrupt: token {tokens[j]} appears twice");
                }
            }

            return tokens;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"tokens file {path} is corrupt: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes <paramref name="tokens"/> to <paramref name="path"/> atomically: a temp file in the same directory is
    /// written and fsynced, renamed over the target, and the directory is fsynced, so a crash leaves the old or the
    /// new file, never a torn one.
    /// </summary>
    public static void Save(string path, IReadOnlyList<uint> tokens)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tokens);
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = path + ".tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteStartArray("tokens");
                foreach (uint t in tokens)
                {
                    writer.WriteNumberValue(t);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
        DirectorySync.Fsync(dir);
    }
}

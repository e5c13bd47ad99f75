using MetricsCluster.Cluster.Ring;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Ring;

public sealed class TokensFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ring-tokens-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Missing_file_loads_as_null()
    {
        Assert.Null(TokensFile.Load(Path.Combine(_dir, "nope", "tokens.json")));
    }

    [Fact]
    public void Round_trip_in_mimirs_json_format()
    {
        string path = Path.Combine(_dir, "sub", "tokens.json");
        TokensFile.Save(path, [30u, 10u, uint.MaxValue]);
        Assert.Equal("{\"tokens\":[30,10,4294967295]}", File.ReadAllText(path));
        Assert.Equal([10u, 30u, uint.MaxValue], TokensFile.Load(path)!);
        Assert.False(File.Exists(path + ".tmp"));

        // Overwriting replaces the whole file.
        TokensFile.Save(path, [5u]);
        Assert.Equal([5u], TokensFile.Load(path)!);
    }

    [Fact]
    public void Reads_a_file_written_by_mimir()
    {
        string path = Path.Combine(_dir, "tokens");
        File.WriteAllText(path, "{\"tokens\": [3, 1, 2]}\n");
        Assert.Equal([1u, 2u, 3u], TokensFile.Load(path)!);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"tokens\":[1,2")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"tokens\":\"1,2\"}")]
    [InlineData("{\"tokens\":[-1]}")]
    [InlineData("{\"tokens\":[1,1]}")]
    [InlineData("{\"other\":[1]}")]
    public void Corrupt_file_is_an_error_naming_the_path(string content)
    {
        string path = Path.Combine(_dir, "tokens.json");
        File.WriteAllText(path, content);
        var e = Assert.Throws<InvalidDataException>(() => TokensFile.Load(path)!);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }
}

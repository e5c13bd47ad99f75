using MetricsCluster.Cluster.Store;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Store;

public sealed class RingStoreOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_match_the_documented_values()
    {
        var options = new RingStoreOptions();
        options.Validate();
        Assert.Equal(RingStoreOptions.Memory, options.Store);
        Assert.Equal("ring_descriptors", options.PostgresTable);
        Assert.Equal(TimeSpan.FromSeconds(1), options.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), options.OperationTimeout);
        Assert.Equal(10, options.MaxCasRetries);
    }

    [Theory]
    [InlineData("consul", "", "ring_descriptors", "--ring.store")]
    [InlineData("postgres", "", "ring_descriptors", "--ring.postgres.connection-string")]
    [InlineData("postgres", "Host=h;NoSuchKeyword=1", "ring_descriptors", "--ring.postgres.connection-string")]
    [InlineData("postgres", "Host=h", "ring; DROP TABLE x", "--ring.postgres.table")]
    [InlineData("postgres", "Host=h", "Ring", "--ring.postgres.table")]
    [InlineData("postgres", "Host=h", "1ring", "--ring.postgres.table")]
    [InlineData("postgres", "Host=h", "", "--ring.postgres.table")]
    public void Validate_names_the_offending_flag(string store, string connectionString, string table, string flag)
    {
        var options = new RingStoreOptions { Store = store, PostgresConnectionString = connectionString, PostgresTable = table };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(flag, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_checks_timings_and_retries_for_postgres()
    {
        Assert.Contains("--ring.postgres.poll-interval", Invalid(o => o.PollInterval = TimeSpan.Zero), StringComparison.Ordinal);
        Assert.Contains("--ring.postgres.operation-timeout", Invalid(o => o.OperationTimeout = TimeSpan.FromMilliseconds(500)), StringComparison.Ordinal);
        Assert.Contains("--ring.postgres.max-cas-retries", Invalid(o => o.MaxCasRetries = 0), StringComparison.Ordinal);

        static string Invalid(Action<RingStoreOptions> change)
        {
            var options = new RingStoreOptions { Store = RingStoreOptions.Postgres, PostgresConnectionString = "Host=h" };
            options.Validate();
            change(options);
            return Assert.Throws<ArgumentException>(options.Validate).Message;
        }
    }

    [Fact]
    public void Memory_store_needs_no_connection_string()
    {
        new RingStoreOptions { Store = RingStoreOptions.Memory, PostgresConnectionString = string.Empty }.Validate();
    }
}

using Npgsql;

namespace MetricsCluster.Cluster.Store;

/// <summary>
/// Membership-store settings (G5), shared by every ring of the process. The host binds them from YAML
/// (<c>ring:</c>, snake_case keys) and from the flags named on each property; <see cref="Validate"/> runs at start-up.
/// </summary>
public sealed class RingStoreOptions
{
    /// <summary>The <c>memory</c> store: one process only (<c>--target=all</c> and tests).</summary>
    public const string Memory = "memory";

    /// <summary>The <c>postgres</c> store: a table in PostgreSQL (<see cref="PostgresRingStore"/>).</summary>
    public const string Postgres = "postgres";

    /// <summary>Gets or sets the store: <c>memory</c> (default) or <c>postgres</c>. Flag <c>--ring.store</c>.</summary>
    public string Store { get; set; } = Memory;

    /// <summary>
    /// Gets or sets the Npgsql connection string, e.g. <c>Host=127.0.0.1;Port=5432;Username=metrics;Database=ring</c>.
    /// Its <c>Timeout</c> and <c>Command Timeout</c> are overridden from <see cref="OperationTimeout"/>.
    /// Flag <c>--ring.postgres.connection-string</c>.
    /// </summary>
    public string PostgresConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the table holding the descriptors (created if missing); the NOTIFY channel is this name plus
    /// <c>_changed</c>. Flag <c>--ring.postgres.table</c>.
    /// </summary>
    public string PostgresTable { get; set; } = "ring_descriptors";

    /// <summary>
    /// Gets or sets how often a watch re-reads its key when no notification arrives; each read is yielded even when
    /// unchanged, as proof that the store is alive. Flag <c>--ring.postgres.poll-interval</c>.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the longest one database round trip (connect, read or write) may take before the call fails with
    /// <see cref="RingStoreUnavailableException"/>. Flag <c>--ring.postgres.operation-timeout</c>.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how many attempts a compare-and-swap makes when other writers keep winning, counting the first
    /// (as Mimir's consul client counts them). Flag <c>--ring.postgres.max-cas-retries</c>.
    /// </summary>
    public int MaxCasRetries { get; set; } = 10;

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending flag when a setting is invalid.</summary>
    public void Validate()
    {
        switch (Store)
        {
            case Memory:
                break;
            case Postgres:
                ValidatePostgres();
                break;
            default:
                throw new ArgumentException($"--ring.store: unsupported store '{Store}' (supported: {Memory}, {Postgres})");
        }
    }

    /// <summary>The checks that apply whenever the postgres store is built, whatever <see cref="Store"/> says.</summary>
    internal void ValidatePostgres()
    {
        if (string.IsNullOrWhiteSpace(PostgresConnectionString))
        {
            throw new ArgumentException("--ring.postgres.connection-string must be set when --ring.store=postgres");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(PostgresConnectionString);
        }
        catch (ArgumentException e)
        {
            // The message of the builder names the bad keyword; never echo the string itself (it may hold a password).
            throw new ArgumentException($"--ring.postgres.connection-string is not a valid connection string: {e.Message}", e);
        }

        if (!IsPlainIdentifier(PostgresTable))
        {
            // The name is spliced into SQL text (identifiers cannot be parameters), so only plain lower-case names pass.
            throw new ArgumentException(
                $"--ring.postgres.table must be 1 to 55 characters of a-z, 0-9 and _, not starting with a digit; got '{PostgresTable}'");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--ring.postgres.poll-interval must be positive, got {PollInterval}");
        }

        if (OperationTimeout < TimeSpan.FromSeconds(1))
        {
            // Npgsql's connect and command timeouts have a resolution of whole seconds.
            throw new ArgumentException($"--ring.postgres.operation-timeout must be at least 1s, got {OperationTimeout}");
        }

        if (MaxCasRetries < 1)
        {
            throw new ArgumentException($"--ring.postgres.max-cas-retries must be at least 1, got {MaxCasRetries}");
        }
    }

    private static bool IsPlainIdentifier(string name)
    {
        // 55 leaves room for the "_changed" suffix of the channel within PostgreSQL's 63-byte identifier limit.
        if (string.IsNullOrEmpty(name) || name.Length > 55 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}

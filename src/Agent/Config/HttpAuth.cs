namespace MetricsCluster.Agent.Config;

/// <summary>HTTP basic authentication; the password comes from <see cref="Password"/> or <see cref="PasswordFile"/>.</summary>
/// <param name="Username">The user name.</param>
/// <param name="Password">The password, or null.</param>
/// <param name="PasswordFile">An absolute path to a file holding the password, or null.</param>
public sealed record BasicAuth(string Username, string? Password, string? PasswordFile);

/// <summary>
/// The authentication part of Prometheus' HTTPClientConfig that the agent supports: basic auth or a bearer
/// token (inline or from a file), at most one of them.
/// </summary>
public sealed record HttpAuth
{
    /// <summary>No authentication.</summary>
    public static HttpAuth None { get; } = new();

    /// <summary>Basic authentication, or null.</summary>
    public BasicAuth? BasicAuth { get; init; }

    /// <summary>A bearer token, or null.</summary>
    public string? BearerToken { get; init; }

    /// <summary>An absolute path to a file holding the bearer token (re-read on each request), or null.</summary>
    public string? BearerTokenFile { get; init; }

    /// <summary>Reads basic_auth, bearer_token and bearer_token_file from <paramref name="map"/>.</summary>
    internal static HttpAuth Read(YamlMap map, string? baseDir)
    {
        BasicAuth? basic = null;
        if (map.Map("basic_auth") is { } b)
        {
            basic = new BasicAuth(b.Str("username") ?? string.Empty, b.Str("password"), Resolve(b.Str("password_file"), baseDir));
            b.Done();
            if (basic.Password is not null && basic.PasswordFile is not null)
            {
                b.Fail(null, "at most one of basic_auth password & password_file must be configured");
            }
        }

        var auth = new HttpAuth
        {
            BasicAuth = basic, BearerToken = map.Str("bearer_token"), BearerTokenFile = Resolve(map.Str("bearer_token_file"), baseDir),
        };
        if (auth.BearerToken is not null && auth.BearerTokenFile is not null)
        {
            map.Fail("bearer_token", "at most one of bearer_token & bearer_token_file must be configured");
        }

        if (basic is not null && (auth.BearerToken is not null || auth.BearerTokenFile is not null))
        {
            map.Fail("basic_auth", "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
        }

        return auth;
    }

    /// <summary>Prometheus' config.JoinDir: a relative path is taken relative to the config file's directory.</summary>
    internal static string? Resolve(string? path, string? baseDir) =>
        path is null or "" || baseDir is null || System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDir, path));
}

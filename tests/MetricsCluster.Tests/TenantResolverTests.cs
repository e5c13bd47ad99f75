using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Http;
using MetricsCluster.Tests.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace MetricsCluster.Host.Tests;

/// <summary>Where a request's tenant comes from: the header, the basic auth user name, or nowhere (anonymous).</summary>
public sealed class TenantResolverTests
{
    [Theory]
    // header, basic auth user, multitenancy, from basic auth → tenant, status (0 = resolved)
    [InlineData("team-a", null, true, false, "team-a", 0)]
    [InlineData(null, null, true, false, null, 401)]
    [InlineData(null, "team-b", true, false, null, 401)]
    [InlineData(null, "team-b", true, true, "team-b", 0)]
    [InlineData("team-a", "team-b", true, true, "team-a", 0)]
    [InlineData(null, "../x", true, true, null, 400)]
    [InlineData(null, "", true, true, null, 401)]
    [InlineData("team-a", null, false, false, "anonymous", 0)]
    [InlineData(null, "team-b", false, true, "anonymous", 0)]
    public async Task Resolves_the_tenant(string? header, string? basicUser, bool multitenancy, bool fromBasicAuth, string? tenant, int status)
    {
        var ctx = Request(header, basicUser);
        var (resolved, error) = new TenantResolver(multitenancy, fromBasicAuth).Resolve(ctx);
        Assert.Equal(tenant, resolved);
        if (status == 0)
        {
            Assert.Null(error);
            return;
        }

        ctx.RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider();
        ctx.Response.Body = new MemoryStream();
        await error!.ExecuteAsync(ctx);
        Assert.Equal(status, ctx.Response.StatusCode);
        if (status == 400)
        {
            ctx.Response.Body.Position = 0;
            Assert.Contains("(from the basic auth user name)", new StreamReader(ctx.Response.Body).ReadToEnd(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Basic " + "dGVhbS1hOnNlY3JldA==", "team-a")] // team-a:secret
    [InlineData("basic " + "dGVhbS1h", "team-a")] // no colon: all of it is the user
    [InlineData("Basic " + "OnNlY3JldA==", "")] // :secret
    [InlineData("Bearer abc", null)]
    [InlineData("Basic !!!", null)]
    [InlineData("Basic", null)]
    public void Reads_the_basic_auth_user_name(string authorization, string? user)
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Headers.Authorization = authorization;
        Assert.Equal(user, TenantResolver.BasicAuthUser(ctx));
    }

    [Fact]
    public void With_multitenancy_off_a_named_tenant_gets_a_warning_header_and_one_log_line_a_minute()
    {
        var time = new ManualTimeProvider();
        var logger = new CountingLogger();
        var resolver = new TenantResolver(false, false, logger, time);

        var named = Request("team-a", null);
        Assert.Equal(TenantId.Anonymous, resolver.Resolve(named).Tenant);
        Assert.Equal(TenantResolver.IgnoredTenantWarning, named.Response.Headers["Warning"].ToString());
        resolver.Resolve(Request("team-a", null));
        Assert.Equal(1, logger.Warnings);
        time.Advance(TimeSpan.FromMinutes(1));
        resolver.Resolve(Request("team-a", null));
        Assert.Equal(2, logger.Warnings);

        var unnamed = Request(null, null);
        resolver.Resolve(unnamed);
        Assert.False(unnamed.Response.Headers.ContainsKey("Warning"));
    }

    private static DefaultHttpContext Request(string? header, string? basicUser)
    {
        var ctx = new DefaultHttpContext();
        if (header is not null)
        {
            ctx.Request.Headers[TenantId.Header] = header;
        }

        if (basicUser is not null)
        {
            ctx.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(basicUser + ":pw"));
        }

        return ctx;
    }

    private sealed class CountingLogger : ILogger
    {
        public int Warnings { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings++;
            }
        }
    }
}

using Microsoft.AspNetCore.Http;

namespace MetricsCluster.Ruler.Api;

/// <summary>The config API's answers, in the shapes Mimir gives them (<c>pkg/ruler/api.go</c>).</summary>
internal static class RuleConfigResults
{
    /// <summary>Mimir's <c>respondAccepted</c> body: its Prometheus-style response struct with every field set.</summary>
    public const string AcceptedBody = """{"status":"success","data":null,"errorType":"","error":""}""";

    /// <summary>202: the change is stored; the rulers pick it up at their next sync.</summary>
    public static IResult Accepted() => Results.Text(AcceptedBody, "application/json", statusCode: StatusCodes.Status202Accepted);

    /// <summary>200 with a YAML document.</summary>
    public static IResult Yaml(string yaml) => Results.Text(yaml, "application/yaml");

    /// <summary>An error as Go's <c>http.Error</c> writes it (Mimir's config API errors): plain text and a newline.</summary>
    public static IResult Error(int status, string message) =>
        Results.Text(message + "\n", "text/plain; charset=utf-8", statusCode: status);

    /// <summary>405 for a write to a read-only store, with the <c>Allow</c> header a 405 must carry.</summary>
    public static IResult ReadOnly(string message) => new WithAllowGet(Error(StatusCodes.Status405MethodNotAllowed, message));

    /// <summary>400 with <paramref name="message"/>.</summary>
    public static IResult BadRequest(string message) => Error(StatusCodes.Status400BadRequest, message);

    private sealed class WithAllowGet(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Allow = "GET";
            return inner.ExecuteAsync(httpContext);
        }
    }
}

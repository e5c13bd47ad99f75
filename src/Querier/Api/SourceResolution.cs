namespace MetricsCluster.Querier.Api;

/// <summary>
/// The <c>max_source_resolution</c> parameter of <c>query</c> and <c>query_range</c> (Thanos' semantics): the
/// coarsest downsampling resolution the answer may be computed from. <c>raw</c> or <c>0s</c> = raw data only, exact;
/// <c>5m</c>, <c>1h</c> or any other duration = that resolution or finer; <c>auto</c> or absent = a fifth of the
/// step, so downsampled data are used only when the step is at least five times their resolution.
/// </summary>
internal static class SourceResolution
{
    /// <summary>The parameter's name.</summary>
    public const string Parameter = "max_source_resolution";

    /// <summary>The limit in ms, or null for automatic (also when the parameter is absent).</summary>
    /// <exception cref="ApiException">Not a duration, <c>raw</c> or <c>auto</c>, or negative.</exception>
    public static long? Parse(ApiParams p)
    {
        string value = p.One(Parameter) ?? string.Empty;
        if (value.Length == 0 || value == "auto")
        {
            return null;
        }

        if (value == "raw")
        {
            return 0;
        }

        long ns = p.DurationNs(Parameter);
        if (ns < 0)
        {
            // Thanos' wording.
            throw new ApiException($"invalid parameter \"{Parameter}\": negative {Parameter} is not accepted. Try a positive integer");
        }

        return ns / 1_000_000;
    }
}

namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>The implementation of a template function: arguments already converted to the parameter types.</summary>
internal delegate ValueTask<GoValue> GoFuncImpl(GoValue[] args, ExecContext context);

/// <summary>
/// A function a template can call, with its Go signature: text/template checks argument counts and converts
/// arguments by the parameter types (a string parameter takes only a string constant, <c>interface {}</c> anything).
/// For a variadic function the last parameter type is the element type of the <c>...</c> parameter.
/// </summary>
internal sealed record GoFunc(string Name, GoType[] Params, bool Variadic, GoFuncImpl Invoke, bool IsBuiltin = false)
{
    /// <summary>A function that completes synchronously.</summary>
    public static GoFunc Sync(string name, GoType[] parameters, bool variadic, Func<GoValue[], GoValue> f, bool builtin = false) =>
        new(name, parameters, variadic, (a, _) => ValueTask.FromResult(f(a)), builtin);
}

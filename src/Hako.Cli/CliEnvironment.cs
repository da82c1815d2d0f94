namespace Hako.Cli;

/// <summary>The process around one run of hako: streams, terminal facts, environment variables. Tests make their own.</summary>
internal sealed record CliEnvironment(
    TextWriter Out,
    TextWriter Error,
    TextReader In,
    bool OutputIsTerminal,
    bool InputIsRedirected,
    Func<string, string?> GetVariable)
{
    public static CliEnvironment FromConsole() => new(
        Console.Out,
        Console.Error,
        Console.In,
        !Console.IsOutputRedirected,
        Console.IsInputRedirected,
        Environment.GetEnvironmentVariable);
}

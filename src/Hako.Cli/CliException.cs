namespace Hako.Cli;

/// <summary>A failure hako reports itself: the message goes to stderr and the process exits with <see cref="ExitCode"/>.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message, int exitCode = ExitCodes.Error)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }

    /// <summary>The command line itself is wrong (exit 2).</summary>
    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}

internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Usage = 2;
    public const int Interrupted = 130;
}

namespace Hako.Linux.Processes;

/// <summary>
/// How much of a process's output hakod holds. The first <see cref="KeepHead"/> and last <see cref="KeepTail"/>
/// bytes of each stream are kept and the middle is counted and dropped; past <see cref="KillAfter"/> bytes
/// (stdout + stderr) the process is killed and the call fails with <see cref="ProcessLimitException"/>.
/// Memory per call is therefore bounded whatever the process prints.
/// </summary>
public sealed record OutputLimit(int KeepHead, int KeepTail, long KillAfter)
{
    /// <summary>The node's own tools (ip, mount, lxc-info, find): whole output up to 256M, then killed, never silently cut.</summary>
    public static OutputLimit Tool { get; } = new(256 << 20, 0, 256L << 20);

    /// <summary>Anything a tenant controls (a binary inside a container): 64K kept at each end, killed past 1M.</summary>
    public static OutputLimit Guest { get; } = new(64 << 10, 64 << 10, 1L << 20);
}

/// <summary>A process ran past its time or output limit and was killed.</summary>
public sealed class ProcessLimitException(string message, bool timedOut, ProcessResult partial)
    : Core.Errors.HakoException(Contracts.ErrorCode.Internal, message)
{
    /// <summary>True for the time limit, false for the output limit.</summary>
    public bool TimedOut { get; } = timedOut;

    /// <summary>What was kept of the output before it was killed.</summary>
    public ProcessResult Partial { get; } = partial;
}

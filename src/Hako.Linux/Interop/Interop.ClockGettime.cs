using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

/// <summary>CPU time of the calling thread, to measure what a periodic job (the usage sampler) costs.</summary>
public static partial class ThreadCpuTime
{
    private const int ClockThreadCputimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGettime(int clock, out Timespec ts);

    /// <summary>clock_gettime(CLOCK_THREAD_CPUTIME_ID): CPU time this thread has used so far.</summary>
    public static TimeSpan Now() => ClockGettime(ClockThreadCputimeId, out var ts) == 0
        ? TimeSpan.FromTicks(ts.Seconds * TimeSpan.TicksPerSecond + ts.Nanoseconds / 100)
        : TimeSpan.Zero;
}

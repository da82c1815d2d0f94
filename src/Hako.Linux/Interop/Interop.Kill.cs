using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

public static partial class Signals
{
    public const int SigKill = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    /// <summary>kill(2); false when the process is already gone (ESRCH).</summary>
    public static bool Kill(int pid, int signal) => KillNative(pid, signal) == 0;
}

using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    internal const int AtFdCwdValue = -100;
    internal const int ORdOnly = 0x0;
    internal const int OWrOnly = 0x1;
    internal const int OCreat = 0x40;
    internal const int OExcl = 0x80;
    internal const int ONoCtty = 0x100;
    internal const int OTrunc = 0x200;
    internal const int ONonBlock = 0x800;
    internal const int ODirectory = 0x10000;
    internal const int ONoFollow = 0x20000;
    internal const int OCloExec = 0x80000;
    internal const int OPath = 0x200000;

    /// <summary>openat(2); with O_NOFOLLOW the last component is never followed (ELOOP when it is a symlink).</summary>
    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OpenAt(int dirfd, string path, int flags, uint mode);
}

using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    internal const int AtRemoveDir = 0x200;

    /// <summary>unlinkat(2): removes the entry itself (a symlink, not its target); AT_REMOVEDIR for an empty directory.</summary>
    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int UnlinkAt(int dirfd, string name, int flags);
}

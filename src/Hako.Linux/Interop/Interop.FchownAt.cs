using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    internal const int AtSymlinkNoFollow = 0x100;
    internal const int AtEmptyPath = 0x1000;

    /// <summary>fchownat(2); with AT_SYMLINK_NOFOLLOW a symlink's own owner changes, its target is never touched.</summary>
    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int FchownAt(int dirfd, string name, uint owner, uint group, int flags);
}

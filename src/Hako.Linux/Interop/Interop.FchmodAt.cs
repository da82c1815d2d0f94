using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    /// <summary>
    /// fchmodat(2) with AT_SYMLINK_NOFOLLOW: glibc 2.32+ does it through an O_PATH descriptor, so a symlink
    /// swapped in is never followed (it fails with EOPNOTSUPP instead: symlinks have no mode).
    /// </summary>
    [LibraryImport("libc", EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int FchmodAt(int dirfd, string name, uint mode, int flags);
}

using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    /// <summary>readlinkat(2): the bytes of a symlink's target (not NUL-terminated); the byte count or -1.</summary>
    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint ReadlinkAt(int dirfd, string name, Span<byte> buffer, nuint size);
}

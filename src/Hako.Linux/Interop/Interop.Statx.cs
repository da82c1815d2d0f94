using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    private const int AtFdCwd = -100;
    private const uint StatxSize = 0x200;

    /// <summary>statx(2) into a raw struct statx (256 bytes; stx_size is the u64 at offset 40).</summary>
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirfd, string path, int flags, uint mask, ref byte statxBuf);

    /// <summary>
    /// st_size of a path, or null when it is gone. One syscall: on /proc/PID/fd (kernel 6.2+) that size is the
    /// number of open descriptors, which is why the beancounter probe uses it instead of listing the directory.
    /// </summary>
    internal static long? StatSize(string path)
    {
        Span<byte> buf = stackalloc byte[256];
        return StatxNative(AtFdCwd, path, 0, StatxSize, ref buf[0]) == 0
            ? BitConverter.ToInt64(buf.Slice(40, 8))
            : null;
    }
}

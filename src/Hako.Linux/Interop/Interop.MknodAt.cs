using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    internal const uint SIfChr = 0x2000;
    internal const uint SIfBlk = 0x6000;
    internal const uint SIfIfo = 0x1000;

    /// <summary>mknodat(2): device nodes, fifos (and overlay whiteouts: a character device 0:0).</summary>
    [LibraryImport("libc", EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MknodAt(int dirfd, string name, uint mode, ulong dev);

    /// <summary>glibc's makedev: the major and minor split over the 64-bit dev_t.</summary>
    internal static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfff) << 8) | ((ulong)(major & ~0xfffu) << 32) | (minor & 0xffu) | ((ulong)(minor & ~0xffu) << 12);
}

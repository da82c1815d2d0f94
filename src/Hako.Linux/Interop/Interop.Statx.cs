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

    internal const uint StatxBasicStats = 0x7ff;

    /// <summary>The parts of struct statx Hako reads (linux/stat.h; offsets of the 256-byte struct).</summary>
    internal readonly record struct StatxResult(uint Mode, uint Uid, uint Gid, uint Nlink, ulong Inode, long Size, long Blocks,
        long ATimeSec, uint ATimeNsec, long MTimeSec, uint MTimeNsec, long CTimeSec, uint CTimeNsec,
        uint RdevMajor, uint RdevMinor, uint DevMajor, uint DevMinor);

    /// <summary>statx(2) of <paramref name="name"/> under <paramref name="dirfd"/> ("" with AT_EMPTY_PATH: the descriptor itself); -1 and errno on failure.</summary>
    internal static int StatxAt(int dirfd, string name, int flags, out StatxResult st)
    {
        Span<byte> b = stackalloc byte[256];
        var r = StatxNative(dirfd, name, flags, StatxBasicStats, ref b[0]);
        if (r != 0)
        {
            st = default;
            return r;
        }

        static uint U32(Span<byte> b, int o) => BitConverter.ToUInt32(b.Slice(o, 4));
        static long I64(Span<byte> b, int o) => BitConverter.ToInt64(b.Slice(o, 8));
        // stx_mask 0, stx_blksize 4, stx_attributes 8, stx_nlink 16, stx_uid 20, stx_gid 24, stx_mode 28 (u16),
        // stx_ino 32, stx_size 40, stx_blocks 48, stx_attributes_mask 56, stx_atime 64, stx_btime 80,
        // stx_ctime 96, stx_mtime 112 (each i64 sec + u32 nsec), stx_rdev_major 128, minor 132, stx_dev_major 136, minor 140.
        st = new StatxResult(
            Mode: BitConverter.ToUInt16(b.Slice(28, 2)), Uid: U32(b, 20), Gid: U32(b, 24), Nlink: U32(b, 16),
            Inode: (ulong)I64(b, 32), Size: I64(b, 40), Blocks: I64(b, 48),
            ATimeSec: I64(b, 64), ATimeNsec: U32(b, 72), MTimeSec: I64(b, 112), MTimeNsec: U32(b, 120),
            CTimeSec: I64(b, 96), CTimeNsec: U32(b, 104),
            RdevMajor: U32(b, 128), RdevMinor: U32(b, 132), DevMajor: U32(b, 136), DevMinor: U32(b, 140));
        return 0;
    }
}

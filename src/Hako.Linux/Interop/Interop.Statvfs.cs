using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

/// <summary>statvfs(3): bytes and inodes of the filesystem holding a path.</summary>
public static partial class Statvfs
{
    [StructLayout(LayoutKind.Sequential)]
    private struct StatvfsBuf
    {
        public ulong f_bsize;
        public ulong f_frsize;
        public ulong f_blocks;
        public ulong f_bfree;
        public ulong f_bavail;
        public ulong f_files;
        public ulong f_ffree;
        public ulong f_favail;
        public ulong f_fsid;
        public ulong f_flag;
        public ulong f_namemax;
        public int f_type;
        public int spare0, spare1, spare2, spare3, spare4;
    }

    [LibraryImport("libc", EntryPoint = "statvfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatvfsNative(string path, out StatvfsBuf buf);

    /// <param name="FsId">f_fsid: tells two filesystems apart, e.g. whether a directory is a mount point of its own.</param>
    public readonly record struct FsUsage(long TotalBytes, long FreeBytes, long AvailableBytes, long TotalInodes, long FreeInodes, ulong FsId = 0)
    {
        public long UsedBytes => TotalBytes - FreeBytes;

        public long UsedInodes => TotalInodes - FreeInodes;
    }

    public static FsUsage Get(string path)
    {
        Interop.CheckIo(StatvfsNative(path, out var b), "statvfs", path);

        var f = (long)b.f_frsize;
        return new FsUsage((long)b.f_blocks * f, (long)b.f_bfree * f, (long)b.f_bavail * f, (long)b.f_files, (long)b.f_ffree, b.f_fsid);
    }
}

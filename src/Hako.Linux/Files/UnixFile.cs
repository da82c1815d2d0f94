using static Hako.Linux.Interop.Interop;

namespace Hako.Linux.Files;

/// <summary>The few owner and mode calls .NET lacks (or marks platform-specific), with errors that name the path.</summary>
public static class UnixFile
{
    /// <summary>Sets all mode bits, including setuid, setgid and sticky (e.g. Convert.ToInt32("1777", 8)).</summary>
    public static void Chmod(string path, int mode) => CheckIo(Interop.Interop.Chmod(path, (uint)mode), "chmod", path);

    /// <summary>Changes the owner of the path itself; a symlink's target is never touched.</summary>
    public static void Lchown(string path, uint uid, uint gid) => CheckIo(Interop.Interop.Lchown(path, uid, gid), "lchown", path);

    /// <summary>Sets the process's file mode creation mask (e.g. 0o077); returns the previous one.</summary>
    public static int SetUmask(int mask) => (int)Interop.Interop.Umask((uint)mask);
}

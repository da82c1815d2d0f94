using System.Runtime.InteropServices;
using System.Text;
using Hako.Contracts;
using Hako.Core.Errors;
using Microsoft.Win32.SafeHandles;
using static Hako.Linux.Interop.Interop;

namespace Hako.Linux.Files;

/// <summary>
/// An O_PATH handle on one directory inside a <see cref="RootedDirectory"/>, and the calls on its entries by a
/// single name. None of them follows a symlink in the name: lstat-style stat, O_NOFOLLOW opens, *at calls with
/// AT_SYMLINK_NOFOLLOW, and the l*xattr calls on <c>/proc/self/fd/N/name</c> (the directory is the one the
/// handle holds, wherever the tenant moved it; the last component is not followed).
/// </summary>
public sealed class DirectoryHandle : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly string _root;

    internal DirectoryHandle(SafeFileHandle handle, string root, string relative)
    {
        _handle = handle;
        _root = root;
        Relative = relative;
    }

    /// <summary>Where the directory was opened, relative to the root ("" for the root): for messages only.</summary>
    public string Relative { get; }

    internal int Fd => (int)_handle.DangerousGetHandle();

    private string ProcPath(string name) => $"/proc/self/fd/{Fd}/{name}";

    private string Describe(string name) => System.IO.Path.Join(_root, Relative, name);

    internal DirectoryHandle Duplicate()
    {
        var fd = OpenAt(Fd, ".", OPath | ODirectory | OCloExec, 0);
        CheckIo(fd, "open", Describe(""));
        return new DirectoryHandle(new SafeFileHandle(fd, ownsHandle: true), _root, Relative);
    }

    /// <summary>lstat of the entry; null when there is none.</summary>
    public EntryStat? Stat(string name)
    {
        CheckName(name);
        if (StatxAt(Fd, name, AtSymlinkNoFollow, out var st) == 0)
        {
            return EntryStat.From(st);
        }

        if (Marshal.GetLastPInvokeError() == 2)
        {
            return null;
        }

        CheckIo(-1, "statx", Describe(name));
        return null;
    }

    /// <summary>stat of this directory itself.</summary>
    public EntryStat StatSelf()
    {
        CheckIo(StatxAt(Fd, "", AtEmptyPath, out var st), "statx", Describe(""));
        return EntryStat.From(st);
    }

    /// <summary>The sub-directory <paramref name="name"/>; a symlink there is refused (<see cref="UnsafePathException"/>).</summary>
    public DirectoryHandle OpenSubdirectory(string name)
    {
        CheckName(name);
        var fd = OpenAt2(Fd, name, OPath | ODirectory | OCloExec, 0, ResolveBeneath | ResolveNoSymlinks | ResolveNoMagicLinks);
        if (fd == -1)
        {
            RootedDirectory.ThrowResolve(Marshal.GetLastPInvokeError(), System.IO.Path.Join(Relative, name), _root);
        }

        return new DirectoryHandle(new SafeFileHandle(fd, ownsHandle: true), _root, System.IO.Path.Join(Relative, name));
    }

    /// <summary>
    /// Opens a regular file for reading. A symlink is ELOOP (refused), a fifo or device never blocks (O_NONBLOCK)
    /// and is refused after the fstat: only what was a regular file when opened is read.
    /// </summary>
    public SafeFileHandle OpenFileForRead(string name, out EntryStat stat)
    {
        CheckName(name);
        var fd = OpenAt(Fd, name, ORdOnly | ONoFollow | ONonBlock | ONoCtty | OCloExec, 0);
        if (fd == -1 && Marshal.GetLastPInvokeError() == 40)
        {
            throw new UnsafePathException($"'{Describe(name)}' became a symlink; not read");
        }

        CheckIo(fd, "open", Describe(name));
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        CheckIo(StatxAt(fd, "", AtEmptyPath, out var st), "statx", Describe(name));
        stat = EntryStat.From(st);
        if (!stat.IsRegular)
        {
            handle.Dispose();
            throw new UnsafePathException($"'{Describe(name)}' is no longer a regular file; not read");
        }

        return handle;
    }

    /// <summary>Creates a new regular file (O_CREAT|O_EXCL|O_NOFOLLOW: an existing entry of any kind is EEXIST).</summary>
    public SafeFileHandle CreateFile(string name, uint mode)
    {
        CheckName(name);
        var fd = OpenAt(Fd, name, OWrOnly | OCreat | OExcl | ONoFollow | ONoCtty | OCloExec, mode);
        CheckIo(fd, "create", Describe(name));
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    public void CreateDirectory(string name, uint mode)
    {
        CheckName(name);
        CheckIo(MkdirAt(Fd, name, mode), "mkdir", Describe(name));
        // mkdirat's mode passes through the umask (hakod's is 077): set the bits asked for, never through a symlink.
        Chmod(name, mode);
    }

    public void CreateSymlink(string name, string target)
    {
        CheckName(name);
        CheckIo(SymlinkAt(target, Fd, name), "symlink", Describe(name));
    }

    /// <summary>A device node or fifo; <paramref name="type"/> is <see cref="EntryStat.CharDevice"/>, BlockDevice or Fifo.</summary>
    public void CreateNode(string name, uint type, uint permissions, uint major, uint minor)
    {
        CheckName(name);
        CheckIo(MknodAt(Fd, name, type | (permissions & 0xFFF), MakeDev(major, minor)), "mknod", Describe(name));
    }

    /// <summary>A hard link <paramref name="name"/> to <paramref name="sourceName"/> in <paramref name="sourceDir"/> (never follows a symlink).</summary>
    public void Link(DirectoryHandle sourceDir, string sourceName, string name)
    {
        CheckName(name);
        CheckName(sourceName);
        CheckIo(LinkAt(sourceDir.Fd, sourceName, Fd, name, 0), "link", Describe(name));
    }

    /// <summary>Moves <paramref name="from"/> onto <paramref name="to"/> in this directory, replacing what is there (a symlink is replaced, not followed).</summary>
    public void Rename(string from, string to)
    {
        CheckName(from);
        CheckName(to);
        CheckIo(RenameAt(Fd, from, Fd, to), "rename", Describe(to));
    }

    /// <summary>Owner of the entry itself (a symlink's own owner).</summary>
    public void Chown(string name, uint uid, uint gid)
    {
        CheckName(name);
        CheckIo(FchownAt(Fd, name, uid, gid, AtSymlinkNoFollow), "chown", Describe(name));
    }

    /// <summary>All mode bits of a non-symlink entry; a symlink swapped in is refused by the kernel, never followed.</summary>
    public void Chmod(string name, uint mode)
    {
        CheckName(name);
        CheckIo(FchmodAt(Fd, name, mode & 0xFFF, AtSymlinkNoFollow), "chmod", Describe(name));
    }

    /// <summary>Access and modification times of the entry itself.</summary>
    public void SetTimes(string name, long mtimeSeconds, uint mtimeNanoseconds)
    {
        CheckName(name);
        ReadOnlySpan<Timespec> times = [new Timespec { Seconds = mtimeSeconds, Nanoseconds = mtimeNanoseconds }, new Timespec { Seconds = mtimeSeconds, Nanoseconds = mtimeNanoseconds }];
        CheckIo(UtimensAt(Fd, name, times, AtSymlinkNoFollow), "utimensat", Describe(name));
    }

    /// <summary>A symlink's target as stored.</summary>
    public string ReadLink(string name)
    {
        CheckName(name);
        Span<byte> buffer = stackalloc byte[4096];
        var n = ReadlinkAt(Fd, name, buffer, (nuint)buffer.Length);
        CheckIo(n < 0 ? -1 : 0, "readlink", Describe(name));
        return Encoding.UTF8.GetString(buffer[..(int)n]);
    }

    /// <summary>Every extended attribute of the entry itself, values byte-exact (trusted.*, security.* need root).</summary>
    public List<KeyValuePair<string, byte[]>> GetXattrs(string name)
    {
        CheckName(name);
        var path = ProcPath(name);
        var size = Llistxattr(path, [], 0);
        if (size < 0 && Marshal.GetLastPInvokeError() is 95 or 61)
        {
            return []; // EOPNOTSUPP: the file system keeps none
        }

        CheckIo(size < 0 ? -1 : 0, "llistxattr", Describe(name));
        var result = new List<KeyValuePair<string, byte[]>>();
        if (size == 0)
        {
            return result;
        }

        var list = new byte[size + 256];
        size = Llistxattr(path, list, (nuint)list.Length);
        CheckIo(size < 0 ? -1 : 0, "llistxattr", Describe(name));
        foreach (var attr in Encoding.UTF8.GetString(list, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var len = Lgetxattr(path, attr, [], 0);
            if (len < 0 && Marshal.GetLastPInvokeError() == 61)
            {
                continue; // ENODATA: removed meanwhile
            }

            CheckIo(len < 0 ? -1 : 0, "lgetxattr " + attr, Describe(name));
            var value = new byte[len];
            len = len == 0 ? 0 : Lgetxattr(path, attr, value, (nuint)value.Length);
            CheckIo(len < 0 ? -1 : 0, "lgetxattr " + attr, Describe(name));
            result.Add(new(attr, value.AsSpan(0, (int)len).ToArray()));
        }

        return result;
    }

    public void SetXattr(string name, string attribute, ReadOnlySpan<byte> value)
    {
        CheckName(name);
        CheckIo(Lsetxattr(ProcPath(name), attribute, value, (nuint)value.Length, 0), "lsetxattr " + attribute, Describe(name));
    }

    public void RemoveXattr(string name, string attribute)
    {
        CheckName(name);
        CheckIo(Lremovexattr(ProcPath(name), attribute), "lremovexattr " + attribute, Describe(name));
    }

    /// <summary>Names in this directory (without "." and "..").</summary>
    public List<string> ListNames()
    {
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };
        return Directory.EnumerateFileSystemEntries($"/proc/self/fd/{Fd}", "*", options)
            .Select(p => System.IO.Path.GetFileName(p))
            .ToList();
    }

    /// <summary>Removes the entry; a directory with everything below it. Symlinks are removed, never followed. False when absent.</summary>
    public bool RemoveEntry(string name)
    {
        var st = Stat(name);
        if (st is null)
        {
            return false;
        }

        if (st.Value.IsDirectory)
        {
            using (var sub = OpenSubdirectory(name))
            {
                foreach (var child in sub.ListNames())
                {
                    sub.RemoveEntry(child);
                }
            }

            CheckIo(UnlinkAt(Fd, name, AtRemoveDir), "rmdir", Describe(name));
        }
        else
        {
            CheckIo(UnlinkAt(Fd, name, 0), "unlink", Describe(name));
        }

        return true;
    }

    private static void CheckName(string name)
    {
        if (name.Length == 0 || name == "." || name == ".." || name.Contains('/') || name.Contains('\0'))
        {
            throw new UnsafePathException($"'{name}' is not a single file name; refused");
        }
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>Descriptor-level calls for files opened through a <see cref="DirectoryHandle"/>.</summary>
public static class OpenFile
{
    public static void Chown(SafeFileHandle file, uint uid, uint gid) =>
        CheckIo(Fchown((int)file.DangerousGetHandle(), uid, gid), "fchown", "(open file)");

    /// <summary>All mode bits, including setuid/setgid (set after the chown, which clears them).</summary>
    public static void Chmod(SafeFileHandle file, uint mode) =>
        CheckIo(Fchmod((int)file.DangerousGetHandle(), mode & 0xFFF), "fchmod", "(open file)");
}

using System.Runtime.InteropServices;
using Hako.Contracts;
using Hako.Core.Errors;
using Microsoft.Win32.SafeHandles;
using static Hako.Linux.Interop.Interop;

namespace Hako.Linux.Files;

/// <summary>
/// A path below a <see cref="RootedDirectory"/> that passes through a symlink, leaves the root or is not a plain
/// relative path. The tenant controls the tree, so this is refused rather than followed (Conflict).
/// </summary>
public sealed class UnsafePathException(string message) : HakoException(ErrorCode.Conflict, message);

/// <summary>
/// A directory tree a tenant controls (a container's rootfs, its overlay upper dir, a template being received),
/// opened once by a trusted host path. Every later lookup starts from that handle with openat2
/// <c>RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS</c>: a symlink in any component, a ".." or an
/// absolute path is refused by the kernel (ELOOP / EXDEV → <see cref="UnsafePathException"/>), so a symlink the
/// tenant swaps in at any moment is never followed. Work on entries then goes through the directory handle and a
/// single name (<see cref="DirectoryHandle"/>), with the *at calls that do not follow a last-component symlink.
/// </summary>
public sealed class RootedDirectory : IDisposable
{
    private const ulong Resolve = ResolveBeneath | ResolveNoSymlinks | ResolveNoMagicLinks;

    private RootedDirectory(string path, DirectoryHandle root)
    {
        Path = path;
        Root = root;
    }

    /// <summary>The host path the root was opened by (for messages).</summary>
    public string Path { get; }

    /// <summary>The root itself.</summary>
    public DirectoryHandle Root { get; }

    /// <summary>Opens <paramref name="hostPath"/> (a path hakod made, e.g. a private area's upper dir) as the root.</summary>
    public static RootedDirectory Open(string hostPath)
    {
        var fd = OpenAt(AtFdCwdValue, hostPath, OPath | ODirectory | OCloExec, 0);
        CheckIo(fd, "open", hostPath);
        return new RootedDirectory(hostPath, new DirectoryHandle(new SafeFileHandle(fd, ownsHandle: true), hostPath, ""));
    }

    /// <summary>True for a relative path of plain components: no "", ".", "..", leading '/' or NUL.</summary>
    public static bool IsPlainRelative(string path) =>
        path.Length > 0 && !path.StartsWith('/') && !path.Contains('\0')
        && path.Split('/').All(p => p.Length > 0 && p != "." && p != "..");

    /// <summary>Opens the directory at <paramref name="relative"/> ("" = the root) without following any symlink.</summary>
    public DirectoryHandle OpenDirectory(string relative)
    {
        if (relative.Length == 0 || relative == ".")
        {
            return Root.Duplicate();
        }

        CheckPlain(relative);
        var fd = OpenAt2(Root.Fd, relative, OPath | ODirectory | OCloExec, 0, Resolve);
        if (fd == -1)
        {
            ThrowResolve(Marshal.GetLastPInvokeError(), relative);
        }

        return new DirectoryHandle(new SafeFileHandle(fd, ownsHandle: true), Path, relative);
    }

    /// <summary>The directory holding <paramref name="relative"/>, and its last component.</summary>
    public DirectoryHandle OpenParent(string relative, out string name)
    {
        CheckPlain(relative);
        var slash = relative.LastIndexOf('/');
        name = slash < 0 ? relative : relative[(slash + 1)..];
        return OpenDirectory(slash < 0 ? "" : relative[..slash]);
    }

    /// <summary>
    /// Like <see cref="OpenParent"/>, but a component that is missing is made (mode 0755, owned by
    /// <paramref name="uid"/>:<paramref name="gid"/>); one that is a symlink or another type is still refused.
    /// </summary>
    public DirectoryHandle CreateParents(string relative, uint uid, uint gid, out string name)
    {
        CheckPlain(relative);
        var parts = relative.Split('/');
        name = parts[^1];
        var dir = Root.Duplicate();
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (dir.Stat(parts[i]) is null)
            {
                dir.CreateDirectory(parts[i], 0b111_101_101);
                dir.Chown(parts[i], uid, gid);
            }

            var next = dir.OpenSubdirectory(parts[i]);
            dir.Dispose();
            dir = next;
        }

        return dir;
    }

    /// <summary>lstat of <paramref name="relative"/>; null when it (or a parent) does not exist.</summary>
    public EntryStat? Stat(string relative)
    {
        try
        {
            using var dir = OpenParent(relative, out var name);
            return dir.Stat(name);
        }
        catch (HakoException e) when (e.Code == ErrorCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Removes <paramref name="relative"/> (a directory with everything below it) without following a symlink.
    /// False when it was not there or a parent component is a symlink (then it cannot be inside the tree).
    /// </summary>
    public bool Remove(string relative)
    {
        DirectoryHandle dir;
        string name;
        try
        {
            dir = OpenParent(relative, out name);
        }
        catch (UnsafePathException)
        {
            return false;
        }
        catch (HakoException e) when (e.Code is ErrorCode.NotFound or ErrorCode.Conflict)
        {
            return false;
        }

        using (dir)
        {
            return dir.RemoveEntry(name);
        }
    }

    /// <summary>Sum of the sizes of the regular files below the root; symlinks are never followed.</summary>
    public long FileBytes()
    {
        long total = 0;
        var pending = new Stack<DirectoryHandle>([Root.Duplicate()]);
        while (pending.Count > 0)
        {
            using var dir = pending.Pop();
            foreach (var name in dir.ListNames())
            {
                switch (dir.Stat(name))
                {
                    case { IsRegular: true } f:
                        total += f.Size;
                        break;
                    case { IsDirectory: true }:
                        try
                        {
                            pending.Push(dir.OpenSubdirectory(name));
                        }
                        catch (HakoException e) when (e.Code is ErrorCode.NotFound or ErrorCode.Conflict)
                        {
                            // replaced meanwhile (the container runs)
                        }

                        break;
                }
            }
        }

        return total;
    }

    internal static void CheckPlain(string relative)
    {
        if (!IsPlainRelative(relative))
        {
            throw new UnsafePathException($"'{relative}' is not a plain relative path (no '..', '.', empty or absolute parts); refused");
        }
    }

    internal static void ThrowResolve(int errno, string relative, string root = "")
    {
        var where = root.Length > 0 ? $" below {root}" : "";
        switch (errno)
        {
            case 40: // ELOOP: RESOLVE_NO_SYMLINKS met a symlink
                throw new UnsafePathException($"'{relative}'{where} passes through a symlink; Hako never follows links inside a container's tree");
            case 18: // EXDEV: RESOLVE_BENEATH would leave the root
                throw new UnsafePathException($"'{relative}'{where} leads outside its root; refused");
            default:
                Marshal.SetLastPInvokeError(errno);
                CheckIo(-1, "openat2", relative);
                break;
        }
    }

    public void Dispose() => Root.Dispose();
}

/// <summary>lstat facts of one entry.</summary>
public readonly record struct EntryStat(uint Mode, uint Uid, uint Gid, uint Nlink, ulong Device, ulong Inode, long Size, long Blocks,
    long MTimeSeconds, uint MTimeNanoseconds, long CTimeSeconds, uint CTimeNanoseconds, uint RdevMajor, uint RdevMinor)
{
    public const uint TypeMask = 0xF000;
    public const uint Regular = 0x8000;
    public const uint Directory = 0x4000;
    public const uint Symlink = 0xA000;
    public const uint CharDevice = 0x2000;
    public const uint BlockDevice = 0x6000;
    public const uint Fifo = 0x1000;
    public const uint Socket = 0xC000;

    public uint Type => Mode & TypeMask;

    /// <summary>Permission bits with setuid, setgid and sticky (07777).</summary>
    public uint Permissions => Mode & 0xFFF;

    public bool IsDirectory => Type == Directory;
    public bool IsRegular => Type == Regular;
    public bool IsSymlink => Type == Symlink;

    /// <summary>find's %y letter: f d l c b p s.</summary>
    public char TypeLetter => Type switch
    {
        Regular => 'f',
        Directory => 'd',
        Symlink => 'l',
        CharDevice => 'c',
        BlockDevice => 'b',
        Fifo => 'p',
        Socket => 's',
        _ => '?',
    };

    internal static EntryStat From(in StatxResult s) => new(s.Mode, s.Uid, s.Gid, s.Nlink,
        ((ulong)s.DevMajor << 32) | s.DevMinor, s.Inode, s.Size, s.Blocks, s.MTimeSec, s.MTimeNsec, s.CTimeSec, s.CTimeNsec,
        s.RdevMajor, s.RdevMinor);
}

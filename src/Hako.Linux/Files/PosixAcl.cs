using System.Buffers.Binary;
using System.Runtime.InteropServices;
using static Hako.Linux.Interop.Interop;

namespace Hako.Linux.Files;

/// <summary>
/// POSIX access ACLs written straight as the kernel's <c>system.posix_acl_access</c> xattr (the format of
/// linux/posix_acl_xattr.h: a version word, then tag/perm/id entries sorted by tag and id), so hakod needs
/// neither libacl nor setfacl. Used to let a container's root (one host uid per id range) traverse the few
/// directories on the way to its rootfs while everyone else is refused.
/// </summary>
public static class PosixAcl
{
    private const string AccessXattr = "system.posix_acl_access";
    private const uint Version = 2;
    private const ushort UserObj = 0x01, User = 0x02, GroupObj = 0x04, Mask = 0x10, Other = 0x20;
    private const uint UndefinedId = uint.MaxValue;
    private const ushort Execute = 1;
    private const int EOPNOTSUPP = 95;

    /// <summary>
    /// Makes <paramref name="dir"/> rwx for its owner, search-only (x) for each of <paramref name="traverseUids"/>
    /// and nothing for anyone else: <c>u::rwx, u:UID:--x..., g::---, m::--x, o::---</c> (ls shows drwx--x---+).
    /// With no uid it is a plain 0700. Replaces any ACL the directory had.
    /// </summary>
    public static void SetTraverseOnly(string dir, IEnumerable<int> traverseUids)
    {
        var uids = traverseUids.Where(u => u > 0).Select(u => (uint)u).Distinct().Order().ToList();
        if (uids.Count == 0)
        {
            RemoveAccessAcl(dir);
            UnixFile.Chmod(dir, 0b111_000_000);
            return;
        }

        var entries = new List<(ushort Tag, ushort Perm, uint Id)> { (UserObj, 7, UndefinedId) };
        entries.AddRange(uids.Select(u => (User, Execute, u)));
        entries.Add((GroupObj, 0, UndefinedId));
        entries.Add((Mask, Execute, UndefinedId));
        entries.Add((Other, 0, UndefinedId));
        var value = new byte[4 + 8 * entries.Count];
        BinaryPrimitives.WriteUInt32LittleEndian(value, Version);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = value.AsSpan(4 + 8 * i);
            BinaryPrimitives.WriteUInt16LittleEndian(e, entries[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], entries[i].Perm);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], entries[i].Id);
        }

        // Setting the ACL also sets the mode bits from it (owner rwx, group = mask --x, other ---).
        var rc = Setxattr(dir, AccessXattr, value, (nuint)value.Length, 0);
        if (rc == -1 && Marshal.GetLastPInvokeError() == EOPNOTSUPP)
        {
            throw new Core.Errors.HakoException(Contracts.ErrorCode.Unsupported,
                $"The filesystem of {dir} does not support POSIX ACLs, which let containers' root pass on the way to their rootfs " +
                "while other host users are kept out; mount it with ACLs (ext4, xfs, btrfs and tmpfs have them) or pick another --data-dir");
        }

        CheckIo(rc, "setxattr system.posix_acl_access", dir);
    }

    /// <summary>The uids with an entry of their own (ACL_USER) in the directory's access ACL; empty without an ACL.</summary>
    public static IReadOnlyList<(int Uid, int Perm)> ReadUserEntries(string path)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var n = Getxattr(path, AccessXattr, buffer, (nuint)buffer.Length);
        if (n < 0)
        {
            return Marshal.GetLastPInvokeError() == 61 // ENODATA: no ACL beyond the mode bits
                ? []
                : throw new Core.Errors.HakoException(Contracts.ErrorCode.Internal,
                    $"getxattr system.posix_acl_access failed on '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        var result = new List<(int, int)>();
        for (var off = 4; off + 8 <= n; off += 8)
        {
            var e = buffer[off..];
            if (BinaryPrimitives.ReadUInt16LittleEndian(e) == User)
            {
                result.Add(((int)BinaryPrimitives.ReadUInt32LittleEndian(e[4..]), BinaryPrimitives.ReadUInt16LittleEndian(e[2..])));
            }
        }

        return result;
    }

    private static void RemoveAccessAcl(string path)
    {
        if (ReadUserEntries(path).Count == 0)
        {
            return;
        }

        // An ACL of just the three base entries is the same as the mode bits; the kernel stores none then.
        Span<byte> value = stackalloc byte[4 + 8 * 3];
        BinaryPrimitives.WriteUInt32LittleEndian(value, Version);
        ReadOnlySpan<(ushort Tag, ushort Perm)> entries = [(UserObj, 7), (GroupObj, 0), (Other, 0)];
        for (var i = 0; i < entries.Length; i++)
        {
            var e = value[(4 + 8 * i)..];
            BinaryPrimitives.WriteUInt16LittleEndian(e, entries[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], entries[i].Perm);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], UndefinedId);
        }

        CheckIo(Setxattr(path, AccessXattr, value, (nuint)value.Length, 0), "setxattr system.posix_acl_access", path);
    }
}

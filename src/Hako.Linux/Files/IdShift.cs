using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Linux.Files;

/// <summary>
/// Shifts every owner in a tree into an unprivileged range (uid u becomes base+u), the way a
/// shared template is prepared once for <c>lxc.idmap = u 0 base range</c>.
/// </summary>
public static class IdShift
{
    private const int SetIdBits = 0xC00; // S_ISUID | S_ISGID (octal 6000)

    /// <summary>
    /// lchowns every entry of <paramref name="entries"/> (listed by <see cref="FileTree"/>) by
    /// <paramref name="offset"/>. Fails before changing anything when an id does not fit the range.
    /// </summary>
    public static void Shift(string root, IReadOnlyList<FileEntry> entries, uint offset, uint range,
        IProgress<int>? percent = null, CancellationToken ct = default)
    {
        var outside = entries.Where(e => e.Uid >= range || e.Gid >= range).ToList();
        if (outside.Count > 0)
        {
            var sample = string.Join(", ", outside.Take(5).Select(e => $"/{e.RelativePath} ({e.Uid}:{e.Gid})"));
            throw HakoException.Invalid(
                $"{outside.Count} file(s) are owned by ids outside 0-{range - 1}, which the container's id map cannot show: {sample}; " +
                "fix their ownership in the source (was it already shifted?)");
        }

        var last = -1;
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var path = FileTree.FullPath(root, e);
            UnixFile.Lchown(path, e.Uid + offset, e.Gid + offset);

            // chown clears setuid/setgid on non-directories even for root (Linux >= 2.2.13); put them back.
            if (!e.IsSymlink && (e.Mode & SetIdBits) != 0)
            {
                UnixFile.Chmod(path, e.Mode);
            }

            var p = (int)((i + 1) * 100L / entries.Count);
            if (p != last && (p % 2 == 0 || p == 100))
            {
                ct.ThrowIfCancellationRequested();
                percent?.Report(p);
                last = p;
            }
        }
    }
}

using System.Globalization;
using Hako.Linux.Processes;

namespace Hako.Runtime.Migration;

/// <summary>
/// One entry of a private area as a migration pass sees it. Two scans of the same path are "unchanged" when
/// type, size, inode, mtime and ctime all match: every write, truncate, chmod, chown, xattr change or rename
/// onto the path moves ctime, and the kernel keeps nanoseconds, so a file written after a scan always differs.
/// </summary>
/// <param name="Path">Relative to the scanned root; "." for the root itself.</param>
/// <param name="Type">find's %y: f, d, l, c, b, p, s.</param>
public sealed record TreeEntry(string Path, char Type, long Size, ulong Inode, string MTime, string CTime)
{
    public bool SameAs(TreeEntry other) =>
        Type == other.Type && Size == other.Size && Inode == other.Inode && MTime == other.MTime && CTime == other.CTime;
}

/// <summary>Lists a tree with one <c>find -printf</c> (lstat of every entry, symlinks never followed).</summary>
public static class TreeScan
{
    // NUL after the stat fields and after the path: names with spaces or newlines survive.
    private const string Format = "%y %s %i %T@ %C@\\0%P\\0";

    public static async Task<IReadOnlyList<TreeEntry>> ScanAsync(string root, CancellationToken ct = default) =>
        Parse(await ProcessRunner.CheckAsync("find", [root, "-printf", Format], ct: ct));

    /// <summary>Parses find's output: "f 12 4711 1764165600.1234567890 1764165600.1234567890\0etc/hostname\0".</summary>
    internal static List<TreeEntry> Parse(string output)
    {
        var fields = output.Split('\0');
        var entries = new List<TreeEntry>(fields.Length / 2);
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            var stat = fields[i].Split(' ');
            if (stat.Length != 5)
            {
                throw new FormatException($"Unexpected find output '{fields[i]}' for '{fields[i + 1]}'");
            }

            entries.Add(new TreeEntry(
                Path: fields[i + 1].Length == 0 ? "." : fields[i + 1],
                Type: stat[0][0],
                Size: long.Parse(stat[1], CultureInfo.InvariantCulture),
                Inode: ulong.Parse(stat[2], CultureInfo.InvariantCulture),
                MTime: stat[3],
                CTime: stat[4]));
        }

        return entries;
    }
}

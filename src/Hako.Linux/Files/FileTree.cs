using Hako.Linux.Processes;

namespace Hako.Linux.Files;

/// <summary>One entry of a directory tree as lstat sees it (symlinks are never followed).</summary>
/// <param name="RelativePath">Path below the root, '' for the root itself.</param>
/// <param name="Type">find's %y: f file, d directory, l symlink, b/c devices, p fifo, s socket.</param>
/// <param name="Mode">Permission bits including setuid, setgid and sticky (e.g. octal 4755).</param>
/// <param name="Blocks">Allocated 512-byte blocks (st_blocks).</param>
/// <param name="LinkTarget">The symlink's target, or null.</param>
public sealed record FileEntry(string RelativePath, char Type, int Mode, uint Uid, uint Gid,
    long Size, long Blocks, ulong Device, ulong Inode, string? LinkTarget)
{
    public bool IsSymlink => Type == 'l';
    public bool IsFile => Type == 'f';
}

/// <summary>
/// Lists a tree with one <c>find -printf</c>: .NET has no lstat that returns owners, and find
/// gives owner, mode, blocks, inode and link target in one walk without following symlinks.
/// </summary>
public static class FileTree
{
    // Three NUL-terminated fields per entry, so names with spaces or newlines survive.
    private const string Format = "%y %m %U %G %s %b %D %i\\0%P\\0%l\\0";

    public static async Task<IReadOnlyList<FileEntry>> ListAsync(string root, CancellationToken ct = default)
    {
        var output = await ProcessRunner.CheckAsync("find", [root, "-printf", Format], ct: ct);
        return Parse(output);
    }

    internal static List<FileEntry> Parse(string output)
    {
        var fields = output.Split('\0');
        var entries = new List<FileEntry>(fields.Length / 3);
        // The output ends with a NUL, so Split yields one empty trailing field.
        for (var i = 0; i + 2 < fields.Length; i += 3)
        {
            var stat = fields[i].Split(' ');
            if (stat.Length != 8)
            {
                throw new FormatException($"Unexpected find output '{fields[i]}' for '{fields[i + 1]}'");
            }

            entries.Add(new FileEntry(
                RelativePath: fields[i + 1],
                Type: stat[0][0],
                Mode: Convert.ToInt32(stat[1], 8),
                Uid: uint.Parse(stat[2]),
                Gid: uint.Parse(stat[3]),
                Size: long.Parse(stat[4]),
                Blocks: long.Parse(stat[5]),
                Device: ulong.Parse(stat[6]),
                Inode: ulong.Parse(stat[7]),
                LinkTarget: stat[0][0] == 'l' ? fields[i + 2] : null));
        }

        return entries;
    }

    /// <summary>The absolute path of an entry listed under <paramref name="root"/>.</summary>
    public static string FullPath(string root, FileEntry e) =>
        e.RelativePath.Length == 0 ? root : Path.Join(root, e.RelativePath);
}

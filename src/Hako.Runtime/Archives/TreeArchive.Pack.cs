using System.Formats.Tar;
using System.Globalization;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Files;

namespace Hako.Runtime.Archives;

/// <summary>What was packed: every entry with the type and inode it had when read, and what was skipped.</summary>
/// <param name="Packed">Relative path → (find's type letter, inode) as read, for the entries in the archive.</param>
/// <param name="Skipped">Paths of a live pass that vanished or now pass through a symlink: the next scan sees them again.</param>
public sealed record PackResult(IReadOnlyDictionary<string, (char Type, ulong Inode)> Packed, IReadOnlyList<string> Skipped, long FileBytes);

/// <summary>
/// Hako's own tar (PAX) writer and reader for trees a tenant controls: migration passes, template transfer and
/// import, later backups. Every entry is opened beneath a <see cref="RootedDirectory"/> (openat2 with
/// RESOLVE_NO_SYMLINKS), so a symlink swapped into a path is never followed on either end, unlike GNU tar, which
/// follows symlinks in the intermediate components of the names it is given. Entries carry numeric owners, all mode
/// bits, nanosecond mtimes, device numbers (overlay whiteouts are character devices 0:0), hard links within one
/// archive, and every xattr byte-exact as base64 in Hako's own PAX keys (trusted.overlay.opaque and friends,
/// security.capability). File data is streamed; nothing holds a whole file.
/// </summary>
public static partial class TreeArchive
{
    /// <summary>PAX key prefix of an xattr: "HAKO.xattr.trusted.overlay.opaque=eQ==" (value base64).</summary>
    internal const string XattrKey = "HAKO.xattr.";

    /// <summary>PAX key of the exact mtime, "seconds.nanoseconds" (the BCL's DateTimeOffset keeps 100 ns).</summary>
    internal const string MTimeKey = "HAKO.mtime";

    /// <summary>
    /// Writes <paramref name="paths"/> (relative to the root, parents before children, "." ignored) to
    /// <paramref name="output"/>, each entry alone (a directory's children are only what the list holds).
    /// <paramref name="live"/>: the tree is being written while read (a pass before the freeze): an entry that
    /// vanished or now lies under a symlink is skipped and reported. Otherwise that is an error (Conflict).
    /// </summary>
    public static async Task<PackResult> PackAsync(RootedDirectory root, IEnumerable<string> paths, Stream output, bool live,
        CancellationToken ct = default)
    {
        var packed = new Dictionary<string, (char, ulong)>(StringComparer.Ordinal);
        var skipped = new List<string>();
        var links = new Dictionary<(ulong Dev, ulong Ino), string>();
        long fileBytes = 0;
        DirectoryHandle? parent = null;
        string? parentPath = null;
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        try
        {
            foreach (var path in paths)
            {
                ct.ThrowIfCancellationRequested();
                if (path == "." || path.Length == 0)
                {
                    continue; // the root's own metadata: each end makes the root itself
                }

                var slash = path.LastIndexOf('/');
                var dirPath = slash < 0 ? "" : path[..slash];
                var name = path[(slash + 1)..];
                try
                {
                    if (parent is null || parentPath != dirPath)
                    {
                        parent?.Dispose();
                        parent = null;
                        parent = root.OpenDirectory(dirPath);
                        parentPath = dirPath;
                    }

                    var written = await WriteEntryAsync(writer, parent, path, name, links, ct);
                    if (written is { } w)
                    {
                        packed[path] = (w.Type, w.Inode);
                        fileBytes += w.Bytes;
                    }
                }
                catch (HakoException e) when (e.Code is ErrorCode.NotFound or ErrorCode.Conflict)
                {
                    if (!live)
                    {
                        throw new HakoException(ErrorCode.Conflict,
                            $"'{path}' below {root.Path} changed while nothing should write to it ({e.Message}); try again", e);
                    }

                    skipped.Add(path);
                }
            }
        }
        finally
        {
            parent?.Dispose();
        }

        return new PackResult(packed, skipped, fileBytes);
    }

    /// <summary>Writes the whole tree below the root (parents first), e.g. a template directory.</summary>
    public static Task<PackResult> PackTreeAsync(RootedDirectory root, Stream output, CancellationToken ct = default) =>
        PackAsync(root, Walk(root), output, live: false, ct);

    /// <summary>Every path below the root, parents before children, names sorted; never enters a symlink.</summary>
    public static IEnumerable<string> Walk(RootedDirectory root)
    {
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            List<(string Path, bool IsDir)> children;
            using (var handle = root.OpenDirectory(dir))
            {
                children = handle.ListNames().Order(StringComparer.Ordinal)
                    .Select(n => (dir.Length == 0 ? n : dir + "/" + n, handle.Stat(n) is { IsDirectory: true }))
                    .ToList();
            }

            foreach (var c in children)
            {
                yield return c.Path;
            }

            for (var i = children.Count - 1; i >= 0; i--)
            {
                if (children[i].IsDir)
                {
                    pending.Push(children[i].Path);
                }
            }
        }
    }

    private static async Task<(char Type, ulong Inode, long Bytes)?> WriteEntryAsync(TarWriter writer, DirectoryHandle parent, string path, string name,
        Dictionary<(ulong, ulong), string> links, CancellationToken ct)
    {
        var st = parent.Stat(name) ?? throw HakoException.NotFound($"'{path}' vanished");
        FileStream? data = null;
        string? linkName = null;
        TarEntryType type;
        try
        {
            switch (st.Type)
            {
                case EntryStat.Directory:
                    type = TarEntryType.Directory;
                    break;
                case EntryStat.Symlink:
                    type = TarEntryType.SymbolicLink;
                    linkName = parent.ReadLink(name);
                    break;
                case EntryStat.Regular when st.Nlink > 1 && links.TryGetValue((st.Device, st.Inode), out var first):
                    type = TarEntryType.HardLink;
                    linkName = first;
                    break;
                case EntryStat.Regular:
                    type = TarEntryType.RegularFile;
                    var handle = parent.OpenFileForRead(name, out st); // the stat of what was opened, not of the name before
                    data = new FileStream(handle, FileAccess.Read, bufferSize: 0);
                    if (st.Nlink > 1)
                    {
                        links[(st.Device, st.Inode)] = path;
                    }

                    break;
                case EntryStat.CharDevice:
                    type = TarEntryType.CharacterDevice;
                    break;
                case EntryStat.BlockDevice:
                    type = TarEntryType.BlockDevice;
                    break;
                case EntryStat.Fifo:
                    type = TarEntryType.Fifo;
                    break;
                default:
                    return null; // sockets: recreated by whoever listens, as GNU tar does
            }

            var extra = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [MTimeKey] = string.Create(CultureInfo.InvariantCulture, $"{st.MTimeSeconds}.{st.MTimeNanoseconds:D9}"),
            };
            foreach (var (key, value) in parent.GetXattrs(name))
            {
                if (!key.Contains('=') && !key.Contains('\n'))
                {
                    extra[XattrKey + key] = Convert.ToBase64String(value);
                }
            }

            var entry = new PaxTarEntry(type, path, extra)
            {
                Uid = (int)st.Uid,
                Gid = (int)st.Gid,
                Mode = (UnixFileMode)st.Permissions,
                ModificationTime = DateTimeOffset.FromUnixTimeSeconds(st.MTimeSeconds),
            };
            if (linkName is not null)
            {
                entry.LinkName = linkName;
            }

            if (type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
            {
                entry.DeviceMajor = (int)st.RdevMajor;
                entry.DeviceMinor = (int)st.RdevMinor;
            }

            if (data is not null)
            {
                entry.DataStream = new FixedLengthStream(data, st.Size);
            }

            writer.WriteEntry(entry); // synchronous: file reads and the pipe are faster without a hop per 80 KB chunk
            return (st.TypeLetter, st.Inode, data is null ? 0 : st.Size);
        }
        finally
        {
            if (data is not null)
            {
                await data.DisposeAsync();
            }
        }
    }
}

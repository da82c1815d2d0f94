using System.Security.Cryptography;
using System.Text;
using Hako.Linux.Files;

namespace Hako.Runtime.Templates;

internal sealed record TreeStats(string ContentHash, long SizeBytes, long Files);

/// <summary>
/// Content hash and size of a rootfs, computed once when a template is made. Ownership and
/// timestamps are left out so that the same content always gives the same hash; the metadata that reaches
/// the LXC config (init, halt signal, uid base) is in, so a template.json changed on the way changes the hash.
/// </summary>
internal static class TreeHash
{
    /// <param name="metadata">The template's fields that reach the LXC config (<see cref="Template.HashedFields"/>), hashed after the tree.</param>
    public static TreeStats Compute(string root, IReadOnlyList<FileEntry> entries, string metadata,
        IProgress<int>? percent = null, CancellationToken ct = default)
    {
        var sorted = entries.OrderBy(e => e.RelativePath, StringComparer.Ordinal).ToList();
        var totalBytes = Math.Max(1, sorted.Where(e => e.IsFile).Sum(e => e.Size));
        long doneBytes = 0;
        var last = -1;
        var buffer = new byte[1 << 20];

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var e in sorted)
        {
            // "<type> <octal mode> <path>\0", then "<size>\0<bytes>" for files or "<target>\0" for symlinks:
            // the size prefix keeps the framing unambiguous.
            hash.AppendData(Encoding.UTF8.GetBytes($"{e.Type} {Convert.ToString(e.Mode, 8)} {e.RelativePath}\0"));
            if (e.IsSymlink)
            {
                hash.AppendData(Encoding.UTF8.GetBytes($"{e.LinkTarget}\0"));
            }
            else if (e.IsFile)
            {
                hash.AppendData(Encoding.UTF8.GetBytes($"{e.Size}\0"));
                using var f = new FileStream(FileTree.FullPath(root, e), FileMode.Open, FileAccess.Read,
                    FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
                int n;
                while ((n = f.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    doneBytes += n;
                }

                var p = (int)Math.Min(100, doneBytes * 100 / totalBytes);
                if (p != last)
                {
                    ct.ThrowIfCancellationRequested();
                    percent?.Report(p);
                    last = p;
                }
            }
        }

        hash.AppendData(Encoding.UTF8.GetBytes($"metadata\0{metadata}"));
        var size = entries.DistinctBy(e => (e.Device, e.Inode)).Sum(e => e.Blocks * 512);
        var files = entries.Count(e => e.RelativePath.Length > 0);
        return new TreeStats("sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()), size, files);
    }
}

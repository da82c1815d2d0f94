namespace Hako.Runtime.Migration;

/// <summary>What one pass sends: entries to (re)send in scan order (parents first) and paths to delete first.</summary>
/// <param name="Bytes">Estimated bytes on the wire: file sizes plus one tar header per entry.</param>
public sealed record SyncPlan(IReadOnlyList<string> Send, IReadOnlyList<string> Delete, long Bytes)
{
    public bool IsEmpty => Send.Count == 0 && Delete.Count == 0;
}

/// <summary>The difference between what the target already has (the last scan that was sent) and the tree now.</summary>
public static class TreeDiff
{
    /// <summary>A tar header block; PAX records for xattrs add more, so this is a floor.</summary>
    public const long HeaderBytes = 512;

    /// <param name="sent">The scan the target holds, or null when it holds nothing (the first pass sends everything).</param>
    public static SyncPlan Compute(IReadOnlyDictionary<string, TreeEntry>? sent, IReadOnlyList<TreeEntry> now)
    {
        var send = new List<string>();
        var delete = new List<string>();
        long bytes = 0;
        var present = new HashSet<string>(now.Count, StringComparer.Ordinal);
        foreach (var e in now)
        {
            present.Add(e.Path);
            var before = sent?.GetValueOrDefault(e.Path);
            if (before is not null && before.SameAs(e))
            {
                continue;
            }

            if (before is not null && before.Type != e.Type)
            {
                delete.Add(e.Path); // a file became a directory (or the reverse): tar cannot extract over it
            }

            send.Add(e.Path);
            bytes += HeaderBytes + (e.Type == 'f' ? e.Size : 0);
        }

        if (sent is not null)
        {
            foreach (var path in sent.Keys.Where(p => !present.Contains(p)).Order(StringComparer.Ordinal))
            {
                // A directory's removal takes its children with it: skip those already covered.
                if (!delete.Any(d => path.StartsWith(d + "/", StringComparison.Ordinal)))
                {
                    delete.Add(path);
                }
            }
        }

        return new SyncPlan(send, delete, bytes);
    }

    /// <summary>
    /// What the target holds after a live pass: the scan, except entries the pass skipped or found changed when it
    /// read them (another type or inode than scanned, e.g. a directory swapped for a symlink), together with
    /// everything below them: the next pass sends those again instead of trusting a scan the target never got.
    /// </summary>
    public static Dictionary<string, TreeEntry> Sent(IReadOnlyList<TreeEntry> scan, SyncPlan plan, Archives.PackResult? packed)
    {
        var sent = scan.ToDictionary(e => e.Path, StringComparer.Ordinal);
        if (packed is null)
        {
            return sent;
        }

        var forget = new List<string>(packed.Skipped);
        foreach (var path in plan.Send)
        {
            if (path != "." && sent.TryGetValue(path, out var e) && packed.Packed.TryGetValue(path, out var p) && (p.Type != e.Type || p.Inode != e.Inode))
            {
                forget.Add(path);
            }
        }

        foreach (var path in forget)
        {
            sent.Remove(path);
            var prefix = path + "/";
            foreach (var below in sent.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                sent.Remove(below);
            }
        }

        return sent;
    }
}

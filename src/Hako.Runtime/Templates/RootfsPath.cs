namespace Hako.Runtime.Templates;

/// <summary>
/// Looks paths up inside a rootfs the way the container will see them: symlinks are followed
/// relative to the rootfs (an absolute target like /lib/systemd/systemd means rootfs/lib/...),
/// never into the host.
/// </summary>
internal static class RootfsPath
{
    private const int MaxSymlinks = 40; // like the kernel's MAXSYMLINKS

    /// <summary>The host path that <paramref name="path"/> resolves to inside <paramref name="root"/>, or null when it does not exist.</summary>
    public static string? Resolve(string root, string path)
    {
        // Components still to walk, next one last.
        var pending = new Stack<string>(Split(path).Reverse());
        var resolved = new List<string>();
        var hops = 0;
        while (pending.Count > 0)
        {
            var c = pending.Pop();
            if (c == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = Path.Join(root, string.Join('/', resolved), c);
            var target = new FileInfo(candidate).LinkTarget;
            if (target is not null)
            {
                if (++hops > MaxSymlinks)
                {
                    return null;
                }

                if (target.StartsWith('/'))
                {
                    resolved.Clear();
                }

                foreach (var t in Split(target).Reverse())
                {
                    pending.Push(t);
                }

                continue;
            }

            if (Directory.Exists(candidate))
            {
                resolved.Add(c);
            }
            else if (File.Exists(candidate) && pending.Count == 0)
            {
                resolved.Add(c);
            }
            else
            {
                return null;
            }
        }

        return Path.Join(root, string.Join('/', resolved));
    }

    /// <summary>True when <paramref name="path"/> exists inside the rootfs (following symlinks inside it).</summary>
    public static bool Exists(string root, string path) => Resolve(root, path) is not null;

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(c => c != ".");
}

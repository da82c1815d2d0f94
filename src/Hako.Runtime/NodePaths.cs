namespace Hako.Runtime;

/// <summary>
/// Where a hakod instance keeps things. Everything lives under its data dir, so several instances
/// with different data dirs never share an LXC path, a mount point or an image file.
/// </summary>
public sealed class NodePaths(string dataDir)
{
    public string DataDir { get; } = Path.GetFullPath(dataDir);

    public string Database => Path.Combine(DataDir, "hako.db");

    public string Templates => Path.Combine(DataDir, "templates");

    /// <summary>The LXC path (<c>lxc-start -P</c>): one directory per container with its config and rootfs mount point.</summary>
    public string Lxc => Path.Combine(DataDir, "lxc");

    /// <summary>Private areas: <c>NAME.img</c> sparse ext4 images and their mount points <c>NAME/</c>.</summary>
    public string Private => Path.Combine(DataDir, "private");

    public string ContainerDir(string name) => Path.Combine(Lxc, name);

    public string ConfigFile(string name) => Path.Combine(Lxc, name, "config");

    public string RootfsMount(string name) => Path.Combine(Lxc, name, "rootfs");

    public string PrivateImage(string name) => Path.Combine(Private, name + ".img");

    public string PrivateMount(string name) => Path.Combine(Private, name);

    public string Upper(string name) => Path.Combine(PrivateMount(name), "upper");

    public string Work(string name) => Path.Combine(PrivateMount(name), "work");

    public string TemplateRootfs(string template) => Path.Combine(Templates, template, "rootfs");

    /// <summary>Makes the data dir and its top directories (0700 when new; <see cref="Secure"/> sets the final modes).</summary>
    public void EnsureCreated()
    {
        foreach (var d in new[] { DataDir, Templates, Lxc, Private })
        {
            if (!Directory.Exists(d))
            {
                Directory.CreateDirectory(d, PrivateDir);
            }
        }

        CheckAncestorsSearchable();
    }

    /// <summary>Owner-only directory mode (0700).</summary>
    public const UnixFileMode PrivateDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Owner-only file mode (0600).</summary>
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Nothing under the data dir is readable by another host account: directories 0700 and files 0600, owned
    /// by root. The only exception is search (x, never read) on the way to each container's rootfs for that
    /// container's root uid — the data dir, <c>lxc/</c> and <c>lxc/NAME/</c> — as a POSIX ACL entry per uid,
    /// because LXC enters the rootfs from inside the container's user namespace. Runs at every start, so a
    /// data dir made by an older hakod (0711 dir, 0644 db and images) is fixed. Container trees (template
    /// rootfs, private areas' contents, mounted rootfs) are the containers' own and are not touched.
    /// </summary>
    /// <param name="containers">Every container and the host uid of its root (null: privileged, root needs no grant).</param>
    public void Secure(IReadOnlyCollection<(string Name, int? RootUid)> containers)
    {
        var uids = containers.Where(c => c.RootUid is not null).Select(c => c.RootUid!.Value).Distinct().ToList();
        var byName = containers.ToDictionary(c => c.Name, c => c.RootUid, StringComparer.Ordinal);
        SecureDir(DataDir, uids);
        SecureFiles(DataDir, skip: []);
        foreach (var dir in Directory.EnumerateDirectories(DataDir))
        {
            if (dir != Lxc)
            {
                SecureDir(dir, []); // templates, private and anything else hakod keeps here
            }
        }

        SecureDir(Lxc, uids);
        foreach (var dir in Directory.EnumerateDirectories(Lxc))
        {
            var uid = byName.GetValueOrDefault(Path.GetFileName(dir));
            SecureDir(dir, uid is { } u ? [u] : []);
            SecureFiles(dir, skip: ["rootfs"]);
        }

        foreach (var dir in Directory.EnumerateDirectories(Templates))
        {
            // templates/NAME holds template.json and the rootfs (the containers' lower layer, left as built).
            if (!IsSymlink(dir))
            {
                SecureDir(dir, []);
                SecureFiles(dir, skip: ["rootfs", "rootfs-privileged"]);
            }
        }

        SecureFiles(Private, skip: []); // NAME.img: the customers' raw disks
        foreach (var dir in Directory.EnumerateDirectories(Private))
        {
            // NAME/ is the image's mount point: 0700 on the ext4 root (or the plain dir of an unlimited area).
            SecureDir(dir, []);
        }
    }

    /// <summary>Search permission for a new container's root on the way to its rootfs (create, migration, start).</summary>
    public void GrantRootfsPath(string name, int? rootUid)
    {
        var dir = ContainerDir(name);
        if (rootUid is { } uid)
        {
            foreach (var d in new[] { DataDir, Lxc })
            {
                var granted = Linux.Files.PosixAcl.ReadUserEntries(d).Select(e => e.Uid).ToList();
                if (!granted.Contains(uid))
                {
                    Linux.Files.PosixAcl.SetTraverseOnly(d, [.. granted, uid]);
                }
            }
        }

        SecureDir(dir, rootUid is { } u ? [u] : []);
    }

    private static void SecureDir(string dir, IReadOnlyList<int> traverseUids)
    {
        if (IsSymlink(dir))
        {
            return;
        }

        Linux.Files.UnixFile.Lchown(dir, 0, 0);
        Linux.Files.PosixAcl.SetTraverseOnly(dir, traverseUids);
    }

    /// <summary>Every file directly in <paramref name="dir"/> (not below): root's, 0600. Symlinks are left alone.</summary>
    private static void SecureFiles(string dir, IReadOnlyCollection<string> skip)
    {
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            if (skip.Contains(entry.Name) || entry.LinkTarget is not null || entry is DirectoryInfo)
            {
                continue;
            }

            Linux.Files.UnixFile.Lchown(entry.FullName, 0, 0);
            Linux.Files.UnixFile.Chmod(entry.FullName, (int)PrivateFile);
        }
    }

    private static bool IsSymlink(string path) => new FileInfo(path).LinkTarget is not null;

    /// <summary>
    /// An unprivileged container's init runs as host uid 100000 and must walk the path to its rootfs:
    /// a 0700 parent (mktemp -d makes those) fails every start with an obscure LXC sync error, so say it here.
    /// </summary>
    private void CheckAncestorsSearchable()
    {
        for (var dir = new DirectoryInfo(DataDir).Parent; dir is not null; dir = dir.Parent)
        {
            if ((dir.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                throw new Core.Errors.HakoException(Contracts.ErrorCode.InvalidArgument,
                    $"{dir.FullName} (a parent of the data dir) is not searchable by others (mode {Convert.ToString((int)dir.UnixFileMode, 8)}); " +
                    $"unprivileged containers' root (host uid 100000) must pass through it to reach their rootfs. Run: chmod o+x {dir.FullName}, or pick another --data-dir");
            }
        }
    }
}

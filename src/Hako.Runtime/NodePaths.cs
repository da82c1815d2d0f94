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

    public void EnsureCreated()
    {
        foreach (var d in new[] { DataDir, Templates, Lxc, Private })
        {
            Directory.CreateDirectory(d);
        }

        File.SetUnixFileMode(DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        CheckAncestorsSearchable();
    }

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

namespace Hako.Runtime.Lxc;

/// <summary>
/// Drives LXC 5 through its tools (<c>lxc-start -P</c>, <c>lxc-stop</c>, <c>lxc-attach</c>, <c>lxc-info</c>)
/// with one generated config file per container under this node's own LXC path.
/// Split by concern: config generation, lifecycle, attach.
/// </summary>
public sealed partial class LxcDriver(NodePaths paths)
{
    /// <summary>The environment of a command run inside: a clean PATH, not the caller's.</summary>
    public static readonly string[] AttachEnvironment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TERM=xterm"];

    public string LxcPath => paths.Lxc;

    private string LogFile(string name) => Path.Combine(paths.ContainerDir(name), "lxc.log");
}

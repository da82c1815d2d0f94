namespace Hako.Linux.Cgroups;

/// <summary>Picks the cgroup driver that matches the host.</summary>
public static class CgroupDriverFactory
{
    public const string DefaultRoot = "/sys/fs/cgroup";

    /// <summary>
    /// v2 when &lt;root&gt;/cgroup.controllers exists (root is a cgroup2 mount), v1 when
    /// &lt;root&gt;/memory/memory.limit_in_bytes exists, otherwise a driver that refuses every use
    /// with ErrorCode.Unsupported. A hybrid host (v1 controllers plus an empty cgroup2 at
    /// &lt;root&gt;/unified, as on the build machines) is v1: the v2 mount has no controllers.
    /// </summary>
    public static ICgroupDriver Detect(string root = DefaultRoot)
    {
        if (File.Exists(Path.Combine(root, "cgroup.controllers")))
        {
            return new CgroupV2Driver(root);
        }

        if (File.Exists(Path.Combine(root, "memory", "memory.limit_in_bytes")))
        {
            return new CgroupV1Driver(root);
        }

        return new DisabledCgroupDriver(root);
    }
}

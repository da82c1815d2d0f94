namespace Hako.Linux.Cgroups.Io;

/// <summary>Picks the I/O controller that matches the host, with the same rules as <see cref="CgroupDriverFactory"/>.</summary>
public static class IoControllerFactory
{
    /// <summary>
    /// v2 when &lt;root&gt;/cgroup.controllers exists and lists "io"; v1 when
    /// &lt;root&gt;/blkio/blkio.throttle.write_bps_device exists (a hybrid host with an empty
    /// cgroup2 at &lt;root&gt;/unified, as on the build machines, is v1); otherwise a controller that
    /// refuses throttles with ErrorCode.Unsupported.
    /// </summary>
    public static IIoController Detect(string root = CgroupDriverFactory.DefaultRoot)
    {
        var controllers = Path.Combine(root, "cgroup.controllers");
        if (File.Exists(controllers))
        {
            return File.ReadAllText(controllers).Split(' ', '\n').Contains("io")
                ? new IoV2Controller(root)
                : new DisabledIoController(root);
        }

        return File.Exists(Path.Combine(root, "blkio", "blkio.throttle.write_bps_device"))
            ? new BlkioV1Controller(root)
            : new DisabledIoController(root);
    }
}

using Hako.Linux.Processes;

namespace Hako.Linux.Mounts;

/// <summary>mount(8)/umount(8) wrappers: the standard tools do loop setup and autoclear for us.</summary>
public static class MountTool
{
    /// <summary>
    /// A container's private area: nodev and nosuid, since nothing runs from this mount directly (the container
    /// sees its files through the overlay, whose own flags count for exec and device opens), so a device node or
    /// setuid file in the area is inert on the host side.
    /// </summary>
    public static Task MountLoopAsync(string image, string target, CancellationToken ct = default) =>
        ProcessRunner.CheckAsync("mount", ["-o", "loop,noatime,nodev,nosuid", image, target], ct: ct);

    /// <summary>
    /// A container's root: nodev (an unprivileged container cannot use real device nodes, and LXC's autodev mounts
    /// its own /dev), but setuid stays: su and sudo inside the container need it, and they act in its user namespace.
    /// </summary>
    public static Task MountOverlayAsync(string lower, string upper, string work, string target, CancellationToken ct = default) =>
        ProcessRunner.CheckAsync("mount",
            ["-t", "overlay", "overlay", "-o", $"nodev,lowerdir={lower},upperdir={upper},workdir={work}", target], ct: ct);

    /// <summary>Unmounts if mounted; a lazy detach is the last resort so a busy mount never blocks destroy.</summary>
    public static async Task UnmountAsync(string target, CancellationToken ct = default)
    {
        if (!IsMounted(target))
        {
            return;
        }

        var r = await ProcessRunner.RunAsync("umount", [target], ct: ct);
        if (!r.Ok && IsMounted(target))
        {
            await ProcessRunner.CheckAsync("umount", ["-l", target], ct: ct);
        }
    }

    public static bool IsMounted(string target)
    {
        var full = Path.GetFullPath(target).TrimEnd('/');
        return MountInfo.Read().Any(m => m.MountPoint == full);
    }
}

using Hako.Linux.Processes;

namespace Hako.Linux.Mounts;

/// <summary>mount(8)/umount(8) wrappers: the standard tools do loop setup and autoclear for us.</summary>
public static class MountTool
{
    public static Task MountLoopAsync(string image, string target, CancellationToken ct = default) =>
        ProcessRunner.CheckAsync("mount", ["-o", "loop,noatime", image, target], ct: ct);

    public static Task MountOverlayAsync(string lower, string upper, string work, string target, CancellationToken ct = default) =>
        ProcessRunner.CheckAsync("mount",
            ["-t", "overlay", "overlay", "-o", $"lowerdir={lower},upperdir={upper},workdir={work}", target], ct: ct);

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

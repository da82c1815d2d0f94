using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Files;
using Hako.Linux.Interop;
using Hako.Linux.Mounts;
using Hako.Linux.Processes;

namespace Hako.Runtime.Storage;

/// <summary>
/// A container's private area: the overlay's upper and work dirs. With a quota it lives in a sparse
/// ext4 image sized to the quota and loop-mounted (a hard limit for bytes and inodes on any host
/// filesystem, like ploop); without one it is a plain directory. The container's root is an overlay
/// of the shared template (lower) and this area (upper).
/// </summary>
public sealed class PrivateArea(NodePaths paths)
{
    /// <summary>Creates and mounts the area and the container's root overlay. The caller owns undo.</summary>
    public async Task CreateAsync(string name, long? diskBytes, int rootUid, CancellationToken ct = default)
    {
        var mount = paths.PrivateMount(name);
        Directory.CreateDirectory(mount);
        if (diskBytes is { } bytes)
        {
            var image = paths.PrivateImage(name);
            await using (var f = new FileStream(image, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = NodePaths.PrivateFile,
            }))
            {
                f.SetLength(bytes); // sparse: blocks are allocated only when the container writes
            }

            // -m 0: the quota is the customer's to use, no root reserve. Lazy init keeps mkfs at a few ms.
            await ProcessRunner.CheckAsync("mkfs.ext4",
                ["-q", "-F", "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard", image], ct: ct);
            await MountTool.MountLoopAsync(image, mount, ct);
        }

        File.SetUnixFileMode(mount, NodePaths.PrivateDir); // mkfs makes the root 0755; only root works in here
        var upper = paths.Upper(name);
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(paths.Work(name));
        // The overlay's root takes its owner from the upper dir: it must be the container's root.
        UnixFile.Lchown(upper, (uint)rootUid, (uint)rootUid);
        File.SetUnixFileMode(upper, (UnixFileMode)0b111_101_101);
    }

    /// <summary>Mounts the private area (if it has an image) and the root overlay; idempotent.</summary>
    public async Task MountAsync(string name, string templateRootfs, CancellationToken ct = default)
    {
        var image = paths.PrivateImage(name);
        var mount = paths.PrivateMount(name);
        if (File.Exists(image) && !MountTool.IsMounted(mount))
        {
            Directory.CreateDirectory(mount);
            await MountTool.MountLoopAsync(image, mount, ct);
        }

        var rootfs = paths.RootfsMount(name);
        Directory.CreateDirectory(rootfs);
        if (!MountTool.IsMounted(rootfs))
        {
            await MountTool.MountOverlayAsync(templateRootfs, paths.Upper(name), paths.Work(name), rootfs, ct);
        }
    }

    public async Task UnmountAsync(string name, CancellationToken ct = default)
    {
        await MountTool.UnmountAsync(paths.RootfsMount(name), ct);
        // The loop device was set up by mount(8) with autoclear, so unmounting frees it.
        await MountTool.UnmountAsync(paths.PrivateMount(name), ct);
    }

    /// <summary>Unmounts and deletes everything the area owns. Safe to call on a half-made area.</summary>
    public async Task DestroyAsync(string name, CancellationToken ct = default)
    {
        await UnmountAsync(name, ct);
        var mount = paths.PrivateMount(name);
        if (Directory.Exists(mount))
        {
            Directory.Delete(mount, recursive: true);
        }

        File.Delete(paths.PrivateImage(name));
    }

    /// <summary>
    /// Grows the image. Online (container running): enlarge the file, tell the loop device, resize2fs the
    /// mounted fs — the kernel's ext4 online resize needs CAP_SYS_RESOURCE. Offline (stopped): unmount,
    /// e2fsck, resize2fs the image, remount. <paramref name="templateRootfs"/> is needed to remount the root.
    /// </summary>
    public async Task GrowAsync(string name, long newBytes, bool running, string templateRootfs, CancellationToken ct = default)
    {
        var image = paths.PrivateImage(name);
        if (!File.Exists(image))
        {
            throw new HakoException(ErrorCode.Conflict,
                $"Container {name} has an unlimited disk (a plain directory); a quota can only be set at create time");
        }

        var current = new FileInfo(image).Length;
        if (newBytes < current)
        {
            throw new HakoException(ErrorCode.InvalidArgument,
                $"Disk quota can only grow ({Core.Units.Size.Format(current)} now, {Core.Units.Size.Format(newBytes)} asked); shrinking is not supported");
        }

        if (newBytes == current)
        {
            return;
        }

        if (!running)
        {
            await UnmountAsync(name, ct);
            // A busy mount is only detached lazily: the file system stays live on its loop device until the
            // last user lets go. e2fsck and resize2fs must not touch it before then.
            for (var i = 0; i < 100 && FindLoopDevice(image) is not null; i++)
            {
                await Task.Delay(100, ct);
            }

            if (FindLoopDevice(image) is { } busy)
            {
                await MountAsync(name, templateRootfs, ct);
                throw new HakoException(ErrorCode.Busy,
                    $"The private area of {name} is still in use on {busy} after the container stopped; try again in a moment");
            }

            SetLength(image, newBytes);
            // e2fsck -p exits 1 when it fixed something (e.g. replayed the journal): the file system is fine then.
            var fsck = await ProcessRunner.RunAsync("e2fsck", ["-f", "-p", image], ct: ct);
            if (fsck.ExitCode is not (0 or 1))
            {
                throw new HakoException(ErrorCode.Internal, $"e2fsck -f -p {image} failed (exit {fsck.ExitCode}): {fsck.Stderr.Trim()} {fsck.Stdout.Trim()}");
            }

            await ProcessRunner.CheckAsync("resize2fs", [image], ct: ct);
            await MountAsync(name, templateRootfs, ct);
            return;
        }

        var loop = FindLoopDevice(image) ?? throw new HakoException(ErrorCode.Internal, $"The private area of {name} is not mounted");
        SetLength(image, newBytes);
        await ProcessRunner.CheckAsync("losetup", ["-c", loop], ct: ct);
        var r = await ProcessRunner.RunAsync("resize2fs", [loop], ct: ct);
        if (!r.Ok)
        {
            // Put the file and the loop device back as they were, so nothing changed.
            SetLength(image, current);
            await ProcessRunner.RunAsync("losetup", ["-c", loop], ct: ct);
            var why = r.Stderr.Contains("Permission denied", StringComparison.Ordinal)
                ? "the kernel refused ext4 online resize: hakod lacks CAP_SYS_RESOURCE on this host (a sandbox that drops it)"
                : r.Stderr.Trim();
            throw new HakoException(ErrorCode.Unsupported,
                $"Could not grow the disk of running container {name} online: {why}. Stop it (hako stop {name}) and run the same hako set again to grow it offline");
        }
    }

    private static void SetLength(string image, long bytes)
    {
        using var f = new FileStream(image, FileMode.Open, FileAccess.Write);
        f.SetLength(bytes);
    }

    public Statvfs.FsUsage? Usage(string name)
    {
        var mount = paths.PrivateMount(name);
        if (!File.Exists(paths.PrivateImage(name)) || !Directory.Exists(mount))
        {
            return null;
        }

        // Two statvfs calls instead of parsing /proc/self/mountinfo: `hako list` does this for every container.
        // An unmounted mount point reports the filesystem of the private dir itself.
        var usage = Statvfs.Get(mount);
        return usage.FsId != Statvfs.Get(paths.Private).FsId ? usage : null;
    }

    /// <summary>The loop device backing an image, from /sys/block/loop*/loop/backing_file.</summary>
    public static string? FindLoopDevice(string image)
    {
        var full = Path.GetFullPath(image);
        foreach (var dir in Directory.EnumerateDirectories("/sys/block", "loop*"))
        {
            var backing = Path.Combine(dir, "loop", "backing_file");
            if (File.Exists(backing) && File.ReadAllText(backing).Trim() == full)
            {
                return "/dev/" + Path.GetFileName(dir);
            }
        }

        return null;
    }
}

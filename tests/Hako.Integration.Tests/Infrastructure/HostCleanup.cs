using Hako.Linux.Mounts;
using Hako.Linux.Processes;

namespace Hako.Integration.Tests.Infrastructure;

/// <summary>Removes everything a test node may have left on the host: containers, mounts, loop devices, bridge, cgroups, files.</summary>
public static class HostCleanup
{
    /// <param name="bridge">The node's own bridge, or null when it shares another node's (left to that node).</param>
    public static async Task SweepAsync(string dataDir, string? bridge, string cgroupParent)
    {
        var lxc = Path.Combine(dataDir, "lxc");
        if (Directory.Exists(lxc))
        {
            foreach (var d in Directory.EnumerateDirectories(lxc))
            {
                await ProcessRunner.RunAsync("lxc-stop", ["-P", lxc, "-n", Path.GetFileName(d), "-k"]);
            }
        }

        foreach (var m in MountInfo.Read().Where(m => m.MountPoint.StartsWith(dataDir + "/", StringComparison.Ordinal)).Reverse())
        {
            await ProcessRunner.RunAsync("umount", ["-l", m.MountPoint]);
        }

        foreach (var loop in LoopDevicesUnder(dataDir))
        {
            await ProcessRunner.RunAsync("losetup", ["-d", loop]);
        }

        if (bridge is not null)
        {
            await ProcessRunner.RunAsync("ip", ["link", "del", bridge]);
        }

        // The node's anti-spoofing table (named like its cgroup subtree; hakod leaves it when it stops).
        if (File.Exists("/usr/sbin/nft") && !cgroupParent.Contains('.', StringComparison.Ordinal))
        {
            await ProcessRunner.RunAsync("nft", ["-f", "-"], Hako.Linux.Network.NftFilter.DeleteTable(cgroupParent));
        }

        foreach (var controller in Directory.Exists("/sys/fs/cgroup") ? Directory.EnumerateDirectories("/sys/fs/cgroup") : [])
        {
            var dir = Path.Combine(controller, cgroupParent);
            if (Directory.Exists(dir))
            {
                foreach (var child in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Reverse())
                {
                    try { Directory.Delete(child); } catch (IOException) { }
                }

                try { Directory.Delete(dir); } catch (IOException) { }
            }
        }

        if (Directory.Exists(dataDir))
        {
            if (MountInfo.Read().Any(m => m.MountPoint == dataDir))
            {
                // The data dir is a filesystem the test mounted: empty it, its owner unmounts it.
                foreach (var entry in Directory.EnumerateFileSystemEntries(dataDir))
                {
                    if (Directory.Exists(entry) && new DirectoryInfo(entry).LinkTarget is null)
                    {
                        Directory.Delete(entry, true);
                    }
                    else
                    {
                        File.Delete(entry);
                    }
                }
            }
            else
            {
                Directory.Delete(dataDir, true);
            }
        }
    }

    public static IEnumerable<string> LoopDevicesUnder(string dir)
    {
        foreach (var d in Directory.EnumerateDirectories("/sys/block", "loop*"))
        {
            var backing = Path.Combine(d, "loop", "backing_file");
            if (File.Exists(backing) && File.ReadAllText(backing).Trim().StartsWith(dir + "/", StringComparison.Ordinal))
            {
                yield return "/dev/" + Path.GetFileName(d);
            }
        }
    }
}

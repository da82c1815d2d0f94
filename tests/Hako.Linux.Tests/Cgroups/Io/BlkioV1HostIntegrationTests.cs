using System.Diagnostics;
using Hako.Contracts;
using Hako.Linux.Cgroups;
using Hako.Linux.Cgroups.Io;
using Hako.Linux.Mounts;
using Hako.Linux.Processes;
using Xunit.Abstractions;

namespace Hako.Linux.Tests.Cgroups.Io;

/// <summary>
/// Drives the real kernel the way a container's private area is set up: a sparse ext4 image
/// loop-mounted, a scratch blkio group throttled on that loop device, and a direct-I/O dd inside
/// the group. Needs root on a cgroup v1 host with blkio; skipped otherwise.
/// </summary>
public sealed class BlkioV1HostIntegrationTests(ITestOutputHelper output)
{
    private const string Root = CgroupDriverFactory.DefaultRoot;
    private const long MiB = 1024 * 1024;

    [SkippableFact]
    public async Task Apply_WriteBpsOnLoopDevice_ThrottlesDirectIoInTheGroupAndCountsIt()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root to loop-mount an image and create cgroups under /sys/fs/cgroup");
        var io = IoControllerFactory.Detect(Root);
        Skip.IfNot(io.Version == "v1", $"host I/O controller is {io.Version}, this test needs cgroup v1 blkio");

        var dir = Directory.CreateTempSubdirectory("hako-iotest-");
        var image = Path.Combine(dir.FullName, "private.img");
        var mnt = Path.Combine(dir.FullName, "mnt");
        var parent = $"hako-iotest-{Guid.NewGuid():N}"[..20];
        var group = $"{parent}/ct";
        var groupDir = Path.Combine(Root, "blkio", group);
        try
        {
            Directory.CreateDirectory(mnt);
            await using (var f = File.Create(image))
            {
                f.SetLength(256 * MiB);
            }

            await ProcessRunner.CheckAsync("mkfs.ext4", ["-q", "-F", image]);
            await MountTool.MountLoopAsync(image, mnt);
            var device = BlockDevices.LoopDeviceOf(image);
            Assert.NotNull(device);
            Directory.CreateDirectory(groupDir);

            io.Apply(group, new ResourceLimits { IoLimitBytesPerSecond = 5 * MiB }, device);
            Assert.Equal($"{device} {5 * MiB}", File.ReadAllText(Path.Combine(groupDir, "blkio.throttle.write_bps_device")).Trim());
            var before = io.ReadStats(group)?.Device(device)?.WriteBytes ?? 0;

            // The shell joins the group and execs dd, so dd's I/O is charged to it from the first byte.
            var clock = Stopwatch.StartNew();
            var dd = await ProcessRunner.RunAsync("sh",
                ["-c", "echo $$ > \"$1/cgroup.procs\" && shift && exec \"$@\"", "sh", groupDir,
                 "dd", "if=/dev/zero", $"of={mnt}/f", "bs=1M", "count=20", "oflag=direct"]);
            clock.Stop();
            Assert.True(dd.Ok, $"dd failed: {dd.Stderr}");

            var stats = io.ReadStats(group);
            var written = (stats?.Device(device)?.WriteBytes ?? 0) - before;
            output.WriteLine($"loop device {device} ({BlockDevices.Scheduler(device)} scheduler): 20 MiB direct at 5 MiB/s took " +
                $"{clock.Elapsed.TotalSeconds:F2} s; group counted {written} bytes written; dd: {dd.Stderr.Trim().Split('\n')[^1]}");
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"20 MiB at 5 MiB/s took only {clock.Elapsed.TotalSeconds:F2} s");
            Assert.True(written >= 20 * MiB, $"the group was charged {written} bytes on {device}, expected ≥ 20 MiB");
            Assert.NotNull(stats);
            Assert.True(stats.WriteOps >= 20);

            // Unlimited again: "<dev> 0" removes the rule, and the kernel then lists no line.
            io.Apply(group, new ResourceLimits(), device);
            Assert.Equal("", File.ReadAllText(Path.Combine(groupDir, "blkio.throttle.write_bps_device")).Trim());
        }
        finally
        {
            // umount of a `mount -o loop` mount also detaches its loop device (autoclear).
            await MountTool.UnmountAsync(mnt);
            foreach (var d in new[] { groupDir, Path.Combine(Root, "blkio", parent) })
            {
                RemoveCgroup(d);
            }

            dir.Delete(recursive: true);
        }
    }

    /// <summary>rmdir; a cgroup whose last task just exited can be busy for a moment.</summary>
    private static void RemoveCgroup(string path)
    {
        for (var attempt = 0; Directory.Exists(path); attempt++)
        {
            try
            {
                Directory.Delete(path);
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(20);
            }
        }
    }
}

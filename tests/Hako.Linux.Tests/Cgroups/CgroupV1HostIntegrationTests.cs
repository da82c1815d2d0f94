using System.Diagnostics;
using System.Globalization;
using Hako.Contracts;
using Hako.Linux.Cgroups;
using Xunit.Abstractions;

namespace Hako.Linux.Tests.Cgroups;

/// <summary>
/// Drives the real kernel: creates a scratch cgroup under each v1 controller, applies limits,
/// reads them back and removes the cgroup. Needs root on a cgroup v1 host; skipped otherwise.
/// </summary>
public sealed class CgroupV1HostIntegrationTests(ITestOutputHelper output)
{
    private const string Root = CgroupDriverFactory.DefaultRoot;
    private const long MiB = 1024 * 1024;
    private static readonly string[] Controllers = ["memory", "cpu", "cpuacct", "cpuset", "pids"];

    [SkippableFact]
    public void Apply_OnRealV1Cgroup_SetsLimitsInAnyOrderAndReadsThemBack()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root to create cgroups under /sys/fs/cgroup");
        var driver = CgroupDriverFactory.Detect(Root);
        Skip.IfNot(driver.Version == "v1", $"host cgroups are {driver.Version}, this test needs v1");
        Skip.IfNot(Controllers.All(c => Directory.Exists(Path.Combine(Root, c))),
            $"needs the v1 controllers {string.Join(", ", Controllers)} mounted under {Root}");

        var parent = $"hako-cgtest-{Guid.NewGuid():N}"[..20];
        var group = $"{parent}/ct";
        Process? sleeper = null;
        try
        {
            foreach (var c in Controllers)
            {
                Directory.CreateDirectory(Path.Combine(Root, c, group));
            }

            // A new v1 cpuset starts with empty cpus and mems and a child's must be a subset of its
            // parent's, so give the parent everything first (LXC does the same for its groups).
            foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
            {
                var all = File.ReadAllText(Path.Combine(Root, "cpuset", file)).Trim();
                File.WriteAllText(Path.Combine(Root, "cpuset", parent, file), all);
                File.WriteAllText(Path.Combine(Root, "cpuset", group, file), all);
            }

            var limits = new ResourceLimits
            {
                MemoryBytes = 64 * MiB,
                SwapBytes = 32 * MiB,
                CpuLimitPercent = 50,
                CpuUnits = 500,
                Processes = 50,
            };
            driver.Apply(group, limits, "0");
            Assert.Equal(64 * MiB, ReadLong("memory", group, "memory.limit_in_bytes"));
            if (driver.SwapLimitSupported)
            {
                Assert.Equal(96 * MiB, ReadLong("memory", group, "memory.memsw.limit_in_bytes"));
            }

            Assert.Equal(512, ReadLong("cpu", group, "cpu.shares"));
            Assert.Equal(50_000, ReadLong("cpu", group, "cpu.cfs_quota_us"));
            Assert.Equal("0", Read("cpuset", group, "cpuset.cpus"));
            Assert.Equal(50, ReadLong("pids", group, "pids.max"));
            var stats = driver.ReadStats(group);
            Assert.Equal(64 * MiB, stats.MemoryLimitBytes);
            Assert.Equal(50, stats.PidsMax);
            Assert.Equal(0, stats.PidsCurrent);

            // Lowering memory (memory first) then raising it above the old memsw (memsw first):
            // the kernel refuses either in the wrong order with EINVAL.
            driver.Apply(group, limits with { MemoryBytes = 32 * MiB, SwapBytes = 0 }, null);
            Assert.Equal(32 * MiB, driver.ReadStats(group).MemoryLimitBytes);
            driver.Apply(group, limits with { MemoryBytes = 128 * MiB, SwapBytes = 64 * MiB }, null);
            Assert.Equal(128 * MiB, driver.ReadStats(group).MemoryLimitBytes);
            if (driver.SwapLimitSupported)
            {
                Assert.Equal(192 * MiB, ReadLong("memory", group, "memory.memsw.limit_in_bytes"));
            }

            driver.Apply(group, new ResourceLimits(), null);
            stats = driver.ReadStats(group);
            Assert.Null(stats.MemoryLimitBytes);
            Assert.Null(stats.PidsMax);
            Assert.Equal("-1", Read("cpu", group, "cpu.cfs_quota_us"));
            Assert.Equal("1024", Read("cpu", group, "cpu.shares"));

            // A process in a child group (as systemd inside a container would place it) counts.
            Assert.False(driver.IsPopulated(group));
            Directory.CreateDirectory(Path.Combine(Root, "pids", group, "inner"));
            sleeper = Process.Start("sleep", "60");
            File.WriteAllText(Path.Combine(Root, "pids", group, "inner", "cgroup.procs"),
                sleeper.Id.ToString(CultureInfo.InvariantCulture));
            Assert.True(driver.IsPopulated(group));
            Assert.Equal(1, driver.ReadStats(group).PidsCurrent);
            output.WriteLine($"cgroup {group}: stats after a process joined: {driver.ReadStats(group) with { MemoryStat = null }}");
        }
        finally
        {
            if (sleeper is not null)
            {
                sleeper.Kill();
                sleeper.WaitForExit();
                sleeper.Dispose();
            }

            foreach (var c in Controllers)
            {
                foreach (var dir in new[] { $"{group}/inner", group, parent })
                {
                    RemoveCgroup(Path.Combine(Root, c, dir));
                }
            }
        }
    }

    private static string Read(string controller, string group, string file) =>
        File.ReadAllText(Path.Combine(Root, controller, group, file)).Trim();

    private static long ReadLong(string controller, string group, string file) =>
        long.Parse(Read(controller, group, file), CultureInfo.InvariantCulture);

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

using Hako.Contracts;
using Hako.Linux.Cgroups;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Cgroups;

/// <summary>Against Fixtures/cgroup-v1, real files copied from this kernel (see its SOURCES.md).</summary>
public sealed class CgroupV1DriverTests
{
    private const long MiB = 1024 * 1024;
    private const string Group = "hako-node1/web1";

    private static readonly ResourceLimits Plan = new()
    {
        MemoryBytes = 512 * MiB,
        SwapBytes = 256 * MiB,
        CpuLimitPercent = 50,
        CpuUnits = 500,
        Processes = 100,
    };

    [Fact]
    public void LxcConfigLines_WithEveryLimit_WritesMemoryBeforeMemsw()
    {
        var driver = new CgroupV1Driver(FixtureTree.PathOf("cgroup-v1"));
        Assert.Equal(
            [
                "lxc.cgroup.memory.limit_in_bytes = 536870912",
                "lxc.cgroup.memory.memsw.limit_in_bytes = 805306368",
                "lxc.cgroup.cpu.shares = 512",
                "lxc.cgroup.cpu.cfs_period_us = 100000",
                "lxc.cgroup.cpu.cfs_quota_us = 50000",
                "lxc.cgroup.cpuset.cpus = 0-1",
                "lxc.cgroup.pids.max = 100",
            ],
            driver.LxcConfigLines(Plan, "0-1"));
    }

    [Fact]
    public void LxcConfigLines_WhenUnlimited_OnlySetsCpuShares() =>
        Assert.Equal(["lxc.cgroup.cpu.shares = 1024"],
            new CgroupV1Driver(FixtureTree.PathOf("cgroup-v1")).LxcConfigLines(new ResourceLimits(), null));

    [Fact]
    public void LxcConfigLines_WithNoSwap_SetsMemswToMemory() =>
        Assert.Contains("lxc.cgroup.memory.memsw.limit_in_bytes = 536870912",
            new CgroupV1Driver(FixtureTree.PathOf("cgroup-v1")).LxcConfigLines(Plan with { SwapBytes = 0 }, null));

    [Fact]
    public void LxcConfigLines_WithoutSwapAccounting_LeavesMemswOut()
    {
        using var tree = FixtureTree.Copy("cgroup-v1");
        File.Delete(Path.Combine(tree.Root, "memory/memory.memsw.limit_in_bytes"));
        var driver = new CgroupV1Driver(tree.Root);
        Assert.False(driver.SwapLimitSupported);
        Assert.DoesNotContain(driver.LxcConfigLines(Plan, null), l => l.Contains("memsw", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_WritesEveryKnob()
    {
        using var tree = FixtureTree.Copy("cgroup-v1");
        new CgroupV1Driver(tree.Root).Apply(Group, Plan, "1");
        Assert.Equal("536870912", tree.Read("memory/hako-node1/web1/memory.limit_in_bytes"));
        Assert.Equal("805306368", tree.Read("memory/hako-node1/web1/memory.memsw.limit_in_bytes"));
        Assert.Equal("512", tree.Read("cpu/hako-node1/web1/cpu.shares"));
        Assert.Equal("100000", tree.Read("cpu/hako-node1/web1/cpu.cfs_period_us"));
        Assert.Equal("50000", tree.Read("cpu/hako-node1/web1/cpu.cfs_quota_us"));
        Assert.Equal("1", tree.Read("cpuset/hako-node1/web1/cpuset.cpus"));
        Assert.Equal("100", tree.Read("pids/hako-node1/web1/pids.max"));
    }

    [Fact]
    public void Apply_Unlimited_WritesEachFilesSpellingOfUnlimited()
    {
        using var tree = FixtureTree.Copy("cgroup-v1");
        new CgroupV1Driver(tree.Root).Apply(Group, new ResourceLimits(), cpuset: null);
        Assert.Equal("-1", tree.Read("memory/hako-node1/web1/memory.limit_in_bytes"));
        Assert.Equal("-1", tree.Read("memory/hako-node1/web1/memory.memsw.limit_in_bytes"));
        Assert.Equal("-1", tree.Read("cpu/hako-node1/web1/cpu.cfs_quota_us"));
        Assert.Equal("max", tree.Read("pids/hako-node1/web1/pids.max"));
        Assert.Equal("0\n", tree.Read("cpuset/hako-node1/web1/cpuset.cpus")); // null cpuset: untouched
    }

    [Fact]
    public void Apply_WhenRaisingMemoryAboveCurrentMemsw_WritesMemswFirst()
    {
        // The fixture group has memory 32M and memsw 48M.
        var order = ApplyAndRecordMemoryWrites(Plan with { MemoryBytes = 64 * MiB, SwapBytes = 32 * MiB });
        Assert.Equal(["memory.memsw.limit_in_bytes=100663296", "memory.limit_in_bytes=67108864"], order);
    }

    [Fact]
    public void Apply_WhenLoweringMemory_WritesMemoryFirst()
    {
        var order = ApplyAndRecordMemoryWrites(Plan with { MemoryBytes = 16 * MiB, SwapBytes = 0 });
        Assert.Equal(["memory.limit_in_bytes=16777216", "memory.memsw.limit_in_bytes=16777216"], order);
    }

    [Fact]
    public void Apply_WhenLiftingMemoryLimit_WritesMemswFirst()
    {
        var order = ApplyAndRecordMemoryWrites(new ResourceLimits());
        Assert.Equal(["memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=-1"], order);
    }

    [Fact]
    public void ReadStats_ParsesRealKernelFiles()
    {
        var stats = new CgroupV1Driver(FixtureTree.PathOf("cgroup-v1")).ReadStats(Group);
        Assert.Equal(9162752, stats.MemoryUsageBytes);
        Assert.Equal(33554432, stats.MemoryMaxUsageBytes);
        Assert.Equal(32 * MiB, stats.MemoryLimitBytes);
        Assert.Equal(0, stats.SwapUsageBytes); // memsw.usage 9162752 - usage 9162752: no swap device here
        Assert.Equal(70, stats.MemoryFailCount);
        Assert.Equal(1, stats.OomKillCount);
        Assert.Equal(1, stats.PidsCurrent);
        Assert.Equal(100, stats.PidsMax);
        Assert.Equal(1, stats.PidsMaxEvents);
        Assert.Equal(492691840, stats.CpuUsageNanoseconds);
        Assert.Equal(8, stats.CpuThrottledPeriods);
        Assert.NotNull(stats.MemoryStat);
        Assert.Equal(33554432, stats.MemoryStat["hierarchical_memory_limit"]);
        Assert.True(stats.MemoryStat.ContainsKey("total_rss"));
    }

    [Fact]
    public void ReadUsage_ParsesRealKernelFiles()
    {
        var usage = new CgroupV1Driver(FixtureTree.PathOf("cgroup-v1")).ReadUsage(Group);
        Assert.Equal(492691840, usage.CpuUsageNanoseconds);
        Assert.Equal(9162752 - 8482816, usage.WorkingSetBytes); // usage_in_bytes - total_inactive_file
        Assert.Equal(8486912, usage.PageCacheBytes); // total_cache
        Assert.Equal(0, usage.SwapBytes); // total_swap
        Assert.Equal(1, usage.Processes);
        Assert.Equal(70 + 1, usage.LimitHits); // memory.failcnt 70 + pids.events max 1
        Assert.Equal(1, usage.OomKills);
    }

    [Fact]
    public void ReadUsage_OfMissingGroup_IsAllNull() =>
        Assert.Equal(new CgroupUsage(), new CgroupV1Driver(FixtureTree.PathOf("cgroup-v1")).ReadUsage("hako-node1/gone"));

    [Fact]
    public void ReadEventCounters_MatchTheFullRead()
    {
        var driver = new CgroupV1Driver(FixtureTree.PathOf("cgroup-v1"));
        var full = driver.ReadStats(Group);
        var events = driver.ReadEventCounters(Group);
        Assert.Equal(full.MemoryFailCount, events.MemoryFailCount);
        Assert.Equal(full.OomKillCount, events.OomKillCount);
        Assert.Equal(full.PidsMaxEvents, events.PidsMaxEvents);
        Assert.True(events.OomKillCount > 0);
        Assert.Null(events.MemoryStat);
    }

    [Fact]
    public void ReadStats_OfIdleGroup_ReportsUnlimitedAsNull()
    {
        var stats = new CgroupV1Driver(FixtureTree.PathOf("cgroup-v1")).ReadStats("hako-node1/idle");
        Assert.Null(stats.MemoryLimitBytes); // 9223372036854771712
        Assert.Null(stats.PidsMax); // "max"
        Assert.Equal(0, stats.MemoryUsageBytes);
        Assert.Equal(0, stats.OomKillCount);
    }

    [Fact]
    public void ReadStats_OfMissingGroup_IsAllNull()
    {
        var stats = new CgroupV1Driver(FixtureTree.PathOf("cgroup-v1")).ReadStats("hako-node1/gone");
        Assert.Equal(new CgroupStats(), stats);
    }

    [Fact]
    public void IsPopulated_ReadsCgroupProcs()
    {
        var driver = new CgroupV1Driver(FixtureTree.PathOf("cgroup-v1"));
        Assert.True(driver.IsPopulated(Group));
        Assert.False(driver.IsPopulated("hako-node1/idle"));
        Assert.False(driver.IsPopulated("hako-node1/gone"));
    }

    [Fact]
    public void IsPopulated_WhenProcessesLiveInAChildGroup_IsTrue()
    {
        using var tree = FixtureTree.Copy("cgroup-v1");
        Directory.CreateDirectory(Path.Combine(tree.Root, "pids/hako-node1/idle/init.scope"));
        tree.Write("pids/hako-node1/idle/init.scope/cgroup.procs", "4242\n");
        Assert.True(new CgroupV1Driver(tree.Root).IsPopulated("hako-node1/idle"));
    }

    private static List<string> ApplyAndRecordMemoryWrites(ResourceLimits limits)
    {
        using var tree = FixtureTree.Copy("cgroup-v1");
        var fs = new CgroupFs(tree.Root, CgroupVersion.V1);
        var writes = new List<string>();
        fs.Written = (file, value) =>
        {
            if (file.StartsWith("memory/", StringComparison.Ordinal))
            {
                writes.Add($"{Path.GetFileName(file)}={value}");
            }
        };
        new CgroupV1Driver(fs).Apply(Group, limits, cpuset: null);
        return writes;
    }
}

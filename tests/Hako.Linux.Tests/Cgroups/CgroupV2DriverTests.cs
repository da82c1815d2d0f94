using Hako.Contracts;
using Hako.Linux.Cgroups;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Cgroups;

/// <summary>Against Fixtures/cgroup-v2, kernel formats from cgroup-v2.rst (see its SOURCES.md).</summary>
public sealed class CgroupV2DriverTests
{
    private const long MiB = 1024 * 1024;
    private const string Group = "hako-node1/web1";

    private static readonly ResourceLimits Plan = new()
    {
        MemoryBytes = 512 * MiB,
        SwapBytes = 256 * MiB,
        CpuLimitPercent = 150,
        CpuUnits = 2000,
        Processes = 100,
    };

    [Fact]
    public void LxcConfigLines_WithEveryLimit()
    {
        var driver = new CgroupV2Driver(FixtureTree.PathOf("cgroup-v2"));
        Assert.True(driver.SwapLimitSupported);
        Assert.Equal(
            [
                "lxc.cgroup2.memory.max = 536870912",
                "lxc.cgroup2.memory.swap.max = 268435456",
                "lxc.cgroup2.cpu.weight = 200",
                "lxc.cgroup2.cpu.max = 150000 100000",
                "lxc.cgroup2.cpuset.cpus = 0-1",
                "lxc.cgroup2.pids.max = 100",
            ],
            driver.LxcConfigLines(Plan, "0-1"));
    }

    [Fact]
    public void LxcConfigLines_WhenUnlimited_OnlySetsCpuWeight() =>
        Assert.Equal(["lxc.cgroup2.cpu.weight = 100"],
            new CgroupV2Driver(FixtureTree.PathOf("cgroup-v2")).LxcConfigLines(new ResourceLimits(), null));

    [Fact]
    public void LxcConfigLines_WithNoSwap_SetsSwapMaxToZero() =>
        Assert.Contains("lxc.cgroup2.memory.swap.max = 0",
            new CgroupV2Driver(FixtureTree.PathOf("cgroup-v2")).LxcConfigLines(Plan with { SwapBytes = 0 }, null));

    [Fact]
    public void SwapLimitSupported_WhenGroupsHaveMemoryButNoSwapFiles_IsFalse()
    {
        using var tree = FixtureTree.Copy("cgroup-v2");
        File.Delete(Path.Combine(tree.Root, "hako-node1/memory.swap.max"));
        var driver = new CgroupV2Driver(tree.Root);
        Assert.False(driver.SwapLimitSupported);
        Assert.DoesNotContain(driver.LxcConfigLines(Plan, null), l => l.Contains("swap", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_WritesEveryKnob()
    {
        using var tree = FixtureTree.Copy("cgroup-v2");
        new CgroupV2Driver(tree.Root).Apply(Group, Plan, "1");
        Assert.Equal("536870912", tree.Read("hako-node1/web1/memory.max"));
        Assert.Equal("268435456", tree.Read("hako-node1/web1/memory.swap.max"));
        Assert.Equal("200", tree.Read("hako-node1/web1/cpu.weight"));
        Assert.Equal("150000 100000", tree.Read("hako-node1/web1/cpu.max"));
        Assert.Equal("1", tree.Read("hako-node1/web1/cpuset.cpus"));
        Assert.Equal("100", tree.Read("hako-node1/web1/pids.max"));
    }

    [Fact]
    public void Apply_Unlimited_WritesMax()
    {
        using var tree = FixtureTree.Copy("cgroup-v2");
        new CgroupV2Driver(tree.Root).Apply(Group, new ResourceLimits(), cpuset: null);
        Assert.Equal("max", tree.Read("hako-node1/web1/memory.max"));
        Assert.Equal("max", tree.Read("hako-node1/web1/memory.swap.max"));
        Assert.Equal("100", tree.Read("hako-node1/web1/cpu.weight"));
        Assert.Equal("max 100000", tree.Read("hako-node1/web1/cpu.max"));
        Assert.Equal("max", tree.Read("hako-node1/web1/pids.max"));
        Assert.Equal("0\n", tree.Read("hako-node1/web1/cpuset.cpus"));
    }

    [Fact]
    public void Apply_WithoutSwapFile_SkipsSwap()
    {
        using var tree = FixtureTree.Copy("cgroup-v2");
        File.Delete(Path.Combine(tree.Root, "hako-node1/web1/memory.swap.max"));
        new CgroupV2Driver(tree.Root).Apply(Group, Plan, null);
        Assert.False(File.Exists(Path.Combine(tree.Root, "hako-node1/web1/memory.swap.max")));
    }

    [Fact]
    public void ReadStats_ParsesKernelFormats()
    {
        var stats = new CgroupV2Driver(FixtureTree.PathOf("cgroup-v2")).ReadStats(Group);
        Assert.Equal(58720256, stats.MemoryUsageBytes);
        Assert.Equal(67104768, stats.MemoryMaxUsageBytes);
        Assert.Equal(64 * MiB, stats.MemoryLimitBytes);
        Assert.Equal(4 * MiB, stats.SwapUsageBytes);
        Assert.Equal(5, stats.MemoryFailCount); // memory.events "max 5"
        Assert.Equal(1, stats.OomKillCount); // memory.events "oom_kill 1"
        Assert.Equal(2, stats.PidsCurrent);
        Assert.Equal(100, stats.PidsMax);
        Assert.Equal(3, stats.PidsMaxEvents);
        Assert.Equal(492_691_000, stats.CpuUsageNanoseconds);
        Assert.Equal(8, stats.CpuThrottledPeriods);
        Assert.NotNull(stats.MemoryStat);
        Assert.Equal(41943040, stats.MemoryStat["anon"]);
        Assert.Equal(183221, stats.MemoryStat["pgfault"]);
    }

    [Fact]
    public void ReadUsage_ParsesKernelFormats()
    {
        var usage = new CgroupV2Driver(FixtureTree.PathOf("cgroup-v2")).ReadUsage(Group);
        Assert.Equal(492_691_000, usage.CpuUsageNanoseconds);
        Assert.Equal(58720256 - 8388608, usage.WorkingSetBytes); // memory.current - inactive_file
        Assert.Equal(12582912, usage.PageCacheBytes); // memory.stat file
        Assert.Equal(4 * MiB, usage.SwapBytes);
        Assert.Equal(2, usage.Processes);
        Assert.Equal(5 + 3, usage.LimitHits); // memory.events max 5 + pids.events max 3
        Assert.Equal(1, usage.OomKills);
    }

    [Fact]
    public void ReadStats_OfIdleGroup_ReportsUnlimitedAsNull()
    {
        var stats = new CgroupV2Driver(FixtureTree.PathOf("cgroup-v2")).ReadStats("hako-node1/idle");
        Assert.Null(stats.MemoryLimitBytes);
        Assert.Null(stats.PidsMax);
        Assert.Equal(0, stats.CpuUsageNanoseconds);
        Assert.Null(stats.MemoryStat); // the fixture idle group has no memory.stat
    }

    [Fact]
    public void ReadStats_OfMissingGroup_IsAllNull() =>
        Assert.Equal(new CgroupStats(), new CgroupV2Driver(FixtureTree.PathOf("cgroup-v2")).ReadStats("hako-node1/gone"));

    [Fact]
    public void IsPopulated_ReadsCgroupEvents()
    {
        var driver = new CgroupV2Driver(FixtureTree.PathOf("cgroup-v2"));
        Assert.True(driver.IsPopulated(Group));
        Assert.False(driver.IsPopulated("hako-node1/idle"));
        Assert.False(driver.IsPopulated("hako-node1/gone"));
    }

    [Fact]
    public void ReadEventCounters_MatchTheFullRead()
    {
        var driver = new CgroupV2Driver(FixtureTree.PathOf("cgroup-v2"));
        var full = driver.ReadStats(Group);
        var events = driver.ReadEventCounters(Group);
        Assert.Equal(full.MemoryFailCount, events.MemoryFailCount);
        Assert.Equal(full.OomKillCount, events.OomKillCount);
        Assert.Equal(full.PidsMaxEvents, events.PidsMaxEvents);
    }
}

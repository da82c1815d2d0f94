using System.Globalization;
using Hako.Contracts;
using Hako.Core.Resources;
using Hako.Linux.Beancounters;

namespace Hako.Linux.Cgroups;

/// <summary>
/// cgroup v2: one unified hierarchy at &lt;root&gt;; a group's files are &lt;root&gt;/&lt;group&gt;/*.
/// Controllers appear in a group only when its parent lists them in cgroup.subtree_control
/// (LXC arranges that for the groups it creates).
/// </summary>
internal sealed class CgroupV2Driver : ICgroupDriver
{
    private readonly CgroupFs _fs;

    public CgroupV2Driver(string root)
        : this(new CgroupFs(root, CgroupVersion.V2))
    {
    }

    internal CgroupV2Driver(CgroupFs fs)
    {
        _fs = fs;
        SwapLimitSupported = DetectSwapLimit(fs.Root);
    }

    public string Version => "v2";

    public bool SwapLimitSupported { get; }

    public IReadOnlyList<string> LxcConfigLines(ResourceLimits limits, string? cpuset)
    {
        var lines = new List<string>();
        if (limits.MemoryBytes is { } memory)
        {
            lines.Add($"lxc.cgroup2.memory.max = {memory}");
        }

        // v2 limits swap on its own (not memory+swap as v1 does), so it needs no ordering.
        if (SwapLimitSupported && limits.SwapBytes is { } swap)
        {
            lines.Add($"lxc.cgroup2.memory.swap.max = {swap}");
        }

        lines.Add($"lxc.cgroup2.cpu.weight = {CgroupMapping.CpuWeight(limits.CpuUnits)}");
        if (CgroupMapping.CfsQuotaUs(limits) is { } quota)
        {
            lines.Add($"lxc.cgroup2.cpu.max = {CpuMax(quota)}");
        }

        if (cpuset is not null)
        {
            lines.Add($"lxc.cgroup2.cpuset.cpus = {cpuset}");
        }

        if (limits.Processes is { } processes)
        {
            lines.Add($"lxc.cgroup2.pids.max = {processes}");
        }

        return lines;
    }

    public void Apply(string group, ResourceLimits limits, string? cpuset)
    {
        CgroupMapping.ValidateGroup(group);
        _fs.WriteLimit(File(group, "memory.max"), limits.MemoryBytes);
        var swapMax = File(group, "memory.swap.max");
        if (_fs.Exists(swapMax))
        {
            _fs.WriteLimit(swapMax, limits.SwapBytes);
        }

        _fs.Write(File(group, "cpu.weight"), CgroupMapping.CpuWeight(limits.CpuUnits).ToString(CultureInfo.InvariantCulture));
        _fs.Write(File(group, "cpu.max"), CpuMax(CgroupMapping.CfsQuotaUs(limits)));
        if (cpuset is not null)
        {
            _fs.Write(File(group, "cpuset.cpus"), cpuset);
        }

        _fs.WriteLimit(File(group, "pids.max"), limits.Processes);
    }

    public void Apply(string group, BeancounterSet set)
    {
        CgroupMapping.ValidateGroup(group);
        foreach (var (file, value) in BeancounterKernelMap.CgroupValues(set, Version))
        {
            _fs.Write(File(group, file), value ?? "0"); // memory.low: 0 = no protection
        }
    }

    public CgroupStats ReadStats(string group)
    {
        CgroupMapping.ValidateGroup(group);
        _fs.TryReadLimit(File(group, "memory.max"), out var memoryLimit);
        _fs.TryReadLimit(File(group, "pids.max"), out var pidsMax);
        // "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0"; hierarchical, so processes in
        // child groups count too (memory.events.local would not).
        var memoryEvents = _fs.ReadKeyValues(File(group, "memory.events"));
        // "max 1"
        var pidsEvents = _fs.ReadKeyValues(File(group, "pids.events"));
        // "usage_usec 186002\nuser_usec 186002\nsystem_usec 0\n..." (+ nr_throttled with the cpu controller)
        var cpuStat = _fs.ReadKeyValues(File(group, "cpu.stat"));
        var memoryStat = _fs.ReadKeyValues(File(group, "memory.stat"));
        return new CgroupStats
        {
            MemoryUsageBytes = _fs.ReadLong(File(group, "memory.current")),
            MemoryMaxUsageBytes = _fs.ReadLong(File(group, "memory.peak")),
            MemoryLimitBytes = memoryLimit,
            SwapUsageBytes = _fs.ReadLong(File(group, "memory.swap.current")),
            MemoryFailCount = CgroupFs.Value(memoryEvents, "max"),
            OomKillCount = CgroupFs.Value(memoryEvents, "oom_kill"),
            PidsCurrent = _fs.ReadLong(File(group, "pids.current")),
            PidsMax = pidsMax,
            PidsMaxEvents = CgroupFs.Value(pidsEvents, "max"),
            CpuUsageNanoseconds = CgroupFs.Value(cpuStat, "usage_usec") * 1000,
            CpuThrottledPeriods = CgroupFs.Value(cpuStat, "nr_throttled"),
            MemoryStat = memoryStat,
            KmemUsageBytes = CgroupFs.Value(memoryStat, "kernel"),
            TcpBufferUsageBytes = CgroupFs.Value(memoryStat, "sock"),
            SwapMaxUsageBytes = _fs.ReadLong(File(group, "memory.swap.peak")),
            // "high 0\nmax 0\nfail 0"
            SwapFailCount = CgroupFs.Value(_fs.ReadKeyValues(File(group, "memory.swap.events")), "max"),
        };
    }

    public CgroupStats ReadEventCounters(string group)
    {
        CgroupMapping.ValidateGroup(group);
        var memoryEvents = _fs.ReadKeyValues(File(group, "memory.events"));
        return new CgroupStats
        {
            MemoryFailCount = CgroupFs.Value(memoryEvents, "max"),
            OomKillCount = CgroupFs.Value(memoryEvents, "oom_kill"),
            PidsMaxEvents = CgroupFs.Value(_fs.ReadKeyValues(File(group, "pids.events")), "max"),
        };
    }

    public CgroupUsage ReadUsage(string group)
    {
        CgroupMapping.ValidateGroup(group);
        // "anon 4096\nfile 1327104\n...\ninactive_file 1175552\n..." (hierarchical)
        var stat = _fs.ReadKeyValues(File(group, "memory.stat"));
        // "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0"
        var memoryEvents = _fs.ReadKeyValues(File(group, "memory.events"));
        return new CgroupUsage
        {
            CpuUsageNanoseconds = CgroupFs.Value(_fs.ReadKeyValues(File(group, "cpu.stat")), "usage_usec") * 1000,
            WorkingSetBytes = CgroupUsage.WorkingSet(_fs.ReadLong(File(group, "memory.current")), CgroupFs.Value(stat, "inactive_file")),
            PageCacheBytes = CgroupFs.Value(stat, "file"),
            SwapBytes = _fs.ReadLong(File(group, "memory.swap.current")),
            Processes = _fs.ReadLong(File(group, "pids.current")),
            LimitHits = CgroupUsage.Sum(
                CgroupFs.Value(memoryEvents, "max"), CgroupFs.Value(_fs.ReadKeyValues(File(group, "pids.events")), "max")),
            OomKills = CgroupFs.Value(memoryEvents, "oom_kill"),
        };
    }

    public bool IsPopulated(string group)
    {
        CgroupMapping.ValidateGroup(group);
        // "populated 1\nfrozen 0": populated counts the whole subtree.
        return CgroupFs.Value(_fs.ReadKeyValues(File(group, "cgroup.events")), "populated") == 1;
    }

    public IReadOnlyList<int> Processes(string group)
    {
        CgroupMapping.ValidateGroup(group);
        return CgroupFs.ParsePids(_fs.ReadString(File(group, "cgroup.procs")));
    }

    public IReadOnlyList<int> ProcessesRecursive(string group)
    {
        CgroupMapping.ValidateGroup(group);
        return _fs.ProcsRecursive(group);
    }

    // cgroup.events reads "populated 1\nfrozen 1" once every task below the group is frozen.
    public Task FreezeAsync(string group, TimeSpan timeout, CancellationToken ct = default)
    {
        CgroupMapping.ValidateGroup(group);
        return _fs.FreezeAsync(File(group, "cgroup.freeze"), "1",
            () => CgroupFs.Value(_fs.ReadKeyValues(File(group, "cgroup.events")), "frozen") == 1, () => Thaw(group), group, timeout, ct);
    }

    public void Thaw(string group)
    {
        CgroupMapping.ValidateGroup(group);
        if (_fs.Exists(File(group, "cgroup.freeze")))
        {
            _fs.Write(File(group, "cgroup.freeze"), "0");
        }
    }

    public bool IsFrozen(string group)
    {
        CgroupMapping.ValidateGroup(group);
        var freeze = File(group, "cgroup.freeze");
        return _fs.Exists(freeze) && _fs.ReadString(freeze) == "1";
    }

    public void RemoveIfEmpty(string group)
    {
        if (!IsPopulated(group))
        {
            _fs.RemoveTree(group);
        }
    }

    /// <summary>cpu.max is "$MAX $PERIOD", e.g. "50000 100000", or "max 100000" for no cap.</summary>
    private string CpuMax(long? quotaUs) =>
        $"{_fs.FormatLimit(quotaUs, "cpu.max")} {CgroupMapping.CfsPeriodUs.ToString(CultureInfo.InvariantCulture)}";

    private static string File(string group, string file) => Path.Combine(group, file);

    /// <summary>
    /// memory.swap.* exist in non-root groups only (CFTYPE_NOT_ON_ROOT), so look at the root's
    /// children: swap accounting is on if one has memory.swap.max, off if one has memory.max
    /// without it. With no evidence assume on, the kernel default since 5.8.
    /// </summary>
    private static bool DetectSwapLimit(string root)
    {
        try
        {
            var sawMemory = false;
            foreach (var child in Directory.EnumerateDirectories(root))
            {
                if (System.IO.File.Exists(Path.Combine(child, "memory.swap.max")))
                {
                    return true;
                }

                sawMemory |= System.IO.File.Exists(Path.Combine(child, "memory.max"));
            }

            return !sawMemory;
        }
        catch (IOException)
        {
            return true;
        }
    }
}

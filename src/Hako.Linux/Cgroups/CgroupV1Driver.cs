using System.Globalization;
using Hako.Contracts;
using Hako.Core.Resources;
using Hako.Linux.Beancounters;

namespace Hako.Linux.Cgroups;

/// <summary>
/// cgroup v1: one hierarchy per controller, mounted at &lt;root&gt;/memory, &lt;root&gt;/cpu, ...
/// (this is how the build hosts are set up; Debian with systemd would co-mount cpu,cpuacct, which
/// also works because both names are then links to the same directory).
/// </summary>
internal sealed class CgroupV1Driver : ICgroupDriver
{
    private readonly CgroupFs _fs;

    public CgroupV1Driver(string root)
        : this(new CgroupFs(root, CgroupVersion.V1))
    {
    }

    internal CgroupV1Driver(CgroupFs fs)
    {
        _fs = fs;
        // The root memory cgroup has memory.memsw.* only when swap accounting is on
        // (CONFIG_MEMCG_SWAP and no swapaccount=0 on the kernel command line).
        SwapLimitSupported = _fs.Exists("memory/memory.memsw.limit_in_bytes");
    }

    public string Version => "v1";

    public bool SwapLimitSupported { get; }

    public IReadOnlyList<string> LxcConfigLines(ResourceLimits limits, string? cpuset)
    {
        var lines = new List<string>();
        if (limits.MemoryBytes is { } memory)
        {
            // LXC writes the lines in this order into a fresh (unlimited) cgroup, so memory must come
            // before memsw: memsw below the current memory limit is refused.
            lines.Add($"lxc.cgroup.memory.limit_in_bytes = {memory}");
            if (SwapLimitSupported && CgroupMapping.MemswBytes(limits) is { } memsw)
            {
                lines.Add($"lxc.cgroup.memory.memsw.limit_in_bytes = {memsw}");
            }
        }

        lines.Add($"lxc.cgroup.cpu.shares = {CgroupMapping.CpuShares(limits.CpuUnits)}");
        if (CgroupMapping.CfsQuotaUs(limits) is { } quota)
        {
            lines.Add($"lxc.cgroup.cpu.cfs_period_us = {CgroupMapping.CfsPeriodUs}");
            lines.Add($"lxc.cgroup.cpu.cfs_quota_us = {quota}");
        }

        if (cpuset is not null)
        {
            lines.Add($"lxc.cgroup.cpuset.cpus = {cpuset}");
        }

        if (limits.Processes is { } processes)
        {
            lines.Add($"lxc.cgroup.pids.max = {processes}");
        }

        return lines;
    }

    public void Apply(string group, ResourceLimits limits, string? cpuset)
    {
        CgroupMapping.ValidateGroup(group);
        var memoryLimit = File("memory", group, "memory.limit_in_bytes");
        if (SwapLimitSupported)
        {
            var memswLimit = File("memory", group, "memory.memsw.limit_in_bytes");
            _fs.TryReadLimit(memswLimit, out var currentMemsw);
            var newMemsw = CgroupMapping.MemswBytes(limits);
            if (CgroupMapping.WriteMemswFirst(limits.MemoryBytes, currentMemsw))
            {
                _fs.WriteLimit(memswLimit, newMemsw);
                _fs.WriteLimit(memoryLimit, limits.MemoryBytes);
            }
            else
            {
                _fs.WriteLimit(memoryLimit, limits.MemoryBytes);
                _fs.WriteLimit(memswLimit, newMemsw);
            }
        }
        else
        {
            _fs.WriteLimit(memoryLimit, limits.MemoryBytes);
        }

        _fs.Write(File("cpu", group, "cpu.shares"), Text(CgroupMapping.CpuShares(limits.CpuUnits)));
        _fs.Write(File("cpu", group, "cpu.cfs_period_us"), Text(CgroupMapping.CfsPeriodUs));
        _fs.WriteLimit(File("cpu", group, "cpu.cfs_quota_us"), CgroupMapping.CfsQuotaUs(limits));
        if (cpuset is not null)
        {
            _fs.Write(File("cpuset", group, "cpuset.cpus"), cpuset);
        }

        _fs.WriteLimit(File("pids", group, "pids.max"), limits.Processes);
    }

    public void Apply(string group, BeancounterSet set)
    {
        CgroupMapping.ValidateGroup(group);
        foreach (var (file, value) in BeancounterKernelMap.CgroupValues(set, Version))
        {
            // Kernel 6.18 logs "kmem.tcp.limit_in_bytes is deprecated" once, but still enforces it.
            _fs.Write(File("memory", group, file), value ?? "-1");
        }
    }

    public CgroupStats ReadStats(string group)
    {
        CgroupMapping.ValidateGroup(group);
        var usage = _fs.ReadLong(File("memory", group, "memory.usage_in_bytes"));
        var memswUsage = _fs.ReadLong(File("memory", group, "memory.memsw.usage_in_bytes"));
        _fs.TryReadLimit(File("memory", group, "memory.limit_in_bytes"), out var memoryLimit);
        _fs.TryReadLimit(File("pids", group, "pids.max"), out var pidsMax);
        // "oom_kill_disable 0\nunder_oom 0\noom_kill 1" (oom_kill since 4.13)
        var oomControl = _fs.ReadKeyValues(File("memory", group, "memory.oom_control"));
        // "max 1": forks refused because pids.max was reached
        var pidsEvents = _fs.ReadKeyValues(File("pids", group, "pids.events"));
        // "nr_periods 13\nnr_throttled 8\nthrottled_time 191938294\n..."
        var cpuStat = _fs.ReadKeyValues(File("cpu", group, "cpu.stat"));
        return new CgroupStats
        {
            MemoryUsageBytes = usage,
            MemoryMaxUsageBytes = _fs.ReadLong(File("memory", group, "memory.max_usage_in_bytes")),
            MemoryLimitBytes = memoryLimit,
            // memsw counts memory + swap; the kernel has no swap-only file on v1.
            SwapUsageBytes = usage is { } u && memswUsage is { } m ? Math.Max(m - u, 0) : null,
            MemoryFailCount = _fs.ReadLong(File("memory", group, "memory.failcnt")),
            OomKillCount = CgroupFs.Value(oomControl, "oom_kill"),
            PidsCurrent = _fs.ReadLong(File("pids", group, "pids.current")),
            PidsMax = pidsMax,
            PidsMaxEvents = CgroupFs.Value(pidsEvents, "max"),
            // "492691840": total CPU time in ns of all tasks in the group and below
            CpuUsageNanoseconds = _fs.ReadLong(File("cpuacct", group, "cpuacct.usage")),
            CpuThrottledPeriods = CgroupFs.Value(cpuStat, "nr_throttled"),
            MemoryStat = _fs.ReadKeyValues(File("memory", group, "memory.stat")),
            KmemUsageBytes = _fs.ReadLong(File("memory", group, "memory.kmem.usage_in_bytes")),
            KmemMaxUsageBytes = _fs.ReadLong(File("memory", group, "memory.kmem.max_usage_in_bytes")),
            TcpBufferUsageBytes = _fs.ReadLong(File("memory", group, "memory.kmem.tcp.usage_in_bytes")),
            TcpBufferMaxUsageBytes = _fs.ReadLong(File("memory", group, "memory.kmem.tcp.max_usage_in_bytes")),
            SwapFailCount = _fs.ReadLong(File("memory", group, "memory.memsw.failcnt")),
        };
    }

    public CgroupStats ReadEventCounters(string group)
    {
        CgroupMapping.ValidateGroup(group);
        return new CgroupStats
        {
            MemoryFailCount = _fs.ReadLong(File("memory", group, "memory.failcnt")),
            // "oom_kill_disable 0\nunder_oom 0\noom_kill 1"
            OomKillCount = CgroupFs.Value(_fs.ReadKeyValues(File("memory", group, "memory.oom_control")), "oom_kill"),
            PidsMaxEvents = CgroupFs.Value(_fs.ReadKeyValues(File("pids", group, "pids.events")), "max"),
        };
    }

    public CgroupUsage ReadUsage(string group)
    {
        CgroupMapping.ValidateGroup(group);
        // "cache 1327104\nrss 417792\n...\ntotal_cache 1327104\ntotal_rss 417792\ntotal_swap 0\n
        // total_inactive_file 1175552\n..."; the total_ lines include child groups.
        var stat = _fs.ReadKeyValues(File("memory", group, "memory.stat"));
        return new CgroupUsage
        {
            CpuUsageNanoseconds = _fs.ReadLong(File("cpuacct", group, "cpuacct.usage")),
            WorkingSetBytes = CgroupUsage.WorkingSet(
                _fs.ReadLong(File("memory", group, "memory.usage_in_bytes")), CgroupFs.Value(stat, "total_inactive_file")),
            PageCacheBytes = CgroupFs.Value(stat, "total_cache"),
            SwapBytes = CgroupFs.Value(stat, "total_swap"),
            Processes = _fs.ReadLong(File("pids", group, "pids.current")),
            LimitHits = CgroupUsage.Sum(
                _fs.ReadLong(File("memory", group, "memory.failcnt")),
                CgroupFs.Value(_fs.ReadKeyValues(File("pids", group, "pids.events")), "max")),
            // "oom_kill_disable 0\nunder_oom 0\noom_kill 1"
            OomKills = CgroupFs.Value(_fs.ReadKeyValues(File("memory", group, "memory.oom_control")), "oom_kill"),
        };
    }

    public bool IsPopulated(string group)
    {
        CgroupMapping.ValidateGroup(group);
        // v1 has no "populated" flag and cgroup.procs lists only the group's own members, so a
        // container whose init moved its processes into child groups (systemd does) is found by
        // walking down; the walk stops at the first non-empty cgroup.procs.
        var controller = _fs.DirectoryExists("pids") ? "pids" : "memory";
        return HasProcesses(Path.Combine(controller, group));
    }

    public IReadOnlyList<int> Processes(string group)
    {
        CgroupMapping.ValidateGroup(group);
        var controller = _fs.DirectoryExists("pids") ? "pids" : "memory";
        return CgroupFs.ParsePids(_fs.ReadString(Path.Combine(controller, group, "cgroup.procs")));
    }

    public IReadOnlyList<int> ProcessesRecursive(string group)
    {
        CgroupMapping.ValidateGroup(group);
        return _fs.ProcsRecursive(Path.Combine(_fs.DirectoryExists("pids") ? "pids" : "memory", group));
    }

    // freezer.state reads "FREEZING" while tasks are still on their way into the refrigerator, "FROZEN" once all are.
    public Task FreezeAsync(string group, TimeSpan timeout, CancellationToken ct = default)
    {
        CgroupMapping.ValidateGroup(group);
        var state = File("freezer", group, "freezer.state");
        return _fs.FreezeAsync(state, "FROZEN", () => _fs.ReadString(state) == "FROZEN", () => Thaw(group), group, timeout, ct);
    }

    public void Thaw(string group)
    {
        CgroupMapping.ValidateGroup(group);
        var state = File("freezer", group, "freezer.state");
        if (_fs.Exists(state))
        {
            _fs.Write(state, "THAWED");
        }
    }

    public bool IsFrozen(string group)
    {
        CgroupMapping.ValidateGroup(group);
        var state = File("freezer", group, "freezer.state");
        return _fs.Exists(state) && _fs.ReadString(state) is "FROZEN" or "FREEZING";
    }

    public void RemoveIfEmpty(string group)
    {
        if (IsPopulated(group))
        {
            return;
        }

        foreach (var controller in Directory.EnumerateDirectories(_fs.Root))
        {
            _fs.RemoveTree(Path.Combine(Path.GetFileName(controller), group));
        }
    }

    private bool HasProcesses(string dir)
    {
        var procs = _fs.ReadString(Path.Combine(dir, "cgroup.procs"));
        if (procs is null)
        {
            return false;
        }

        if (!string.IsNullOrWhiteSpace(procs))
        {
            return true;
        }

        try
        {
            return Directory.EnumerateDirectories(_fs.PathOf(dir))
                .Any(child => HasProcesses(Path.Combine(dir, Path.GetFileName(child))));
        }
        catch (DirectoryNotFoundException)
        {
            return false; // removed while we looked: the container just stopped
        }
    }

    private static string File(string controller, string group, string file) => Path.Combine(controller, group, file);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

using Hako.Contracts;
using Hako.Core.Resources;

namespace Hako.Linux.Cgroups;

/// <summary>
/// Resource control of containers through the host's cgroups. A group is a path relative to the
/// hierarchy, e.g. <c>hako-node1/web1</c> (what hakod sets as <c>lxc.cgroup.dir</c>): on v1 that is
/// <c>&lt;root&gt;/&lt;controller&gt;/hako-node1/web1</c>, on v2 <c>&lt;root&gt;/hako-node1/web1</c>.
/// Pick the implementation with <see cref="CgroupDriverFactory.Detect"/>.
/// </summary>
public interface ICgroupDriver
{
    /// <summary>"v1", "v2", or "none" when the host has no usable cgroups.</summary>
    string Version { get; }

    /// <summary>Whether a swap limit can be set (v1: memory.memsw.* exist, i.e. swap accounting is on).</summary>
    bool SwapLimitSupported { get; }

    /// <summary>
    /// The cgroup lines of a container's LXC config. Only limits that differ from a new cgroup's
    /// defaults are written (unlimited memory, swap, CPU cap and processes produce no line).
    /// <paramref name="cpuset"/> is a kernel CPU list such as "0-1,3", or null for all CPUs.
    /// </summary>
    IReadOnlyList<string> LxcConfigLines(ResourceLimits limits, string? cpuset);

    /// <summary>
    /// Changes the limits of a running container's cgroup. Every knob is written, unlimited ones
    /// included, so raising a limit back to unlimited works. A null <paramref name="cpuset"/>
    /// leaves cpuset.cpus as it is.
    /// </summary>
    void Apply(string group, ResourceLimits limits, string? cpuset);

    /// <summary>
    /// Changes the beancounters of a running container that live in its cgroup (v1: TCP buffer limit and soft
    /// limit; v2: memory.low), every one written so that returning to unlimited works. numproc, physpages and
    /// swappages belong to the <see cref="ResourceLimits"/> overload. rlimits (numfile, lockedpages, numsiginfo)
    /// and numpty cannot change for running processes: they apply at the next start.
    /// </summary>
    void Apply(string group, BeancounterSet set);

    /// <summary>Usage, limits and limit hits of a group; each field is null when the host does not provide it.</summary>
    CgroupStats ReadStats(string group);

    /// <summary>True when some process lives in the group or below it. Reads files only; never spawns a process.</summary>
    bool IsPopulated(string group);

    /// <summary>
    /// Only the counters of limit hits (memory failcnt, OOM kills, pids.max refusals): the few small files hakod
    /// polls every couple of seconds, where <see cref="ReadStats"/> reads a dozen more.
    /// </summary>
    CgroupStats ReadEventCounters(string group);

    /// <summary>
    /// What the usage sampler records every interval, from the fewest files that give it: CPU time,
    /// memory, page cache, swap, processes and the limit-hit counters.
    /// </summary>
    CgroupUsage ReadUsage(string group);

    /// <summary>
    /// Removes a group and its children if no process is in them (stale groups left after a stop,
    /// which LXC refuses to reuse); a populated group is left alone. Missing groups are fine.
    /// </summary>
    void RemoveIfEmpty(string group);

    /// <summary>The pids in the group itself (its cgroup.procs), without spawning anything; empty when it does not exist.</summary>
    IReadOnlyList<int> Processes(string group);

    /// <summary>The pids in the group and every group below it (a container's init may make child groups).</summary>
    IReadOnlyList<int> ProcessesRecursive(string group);

    /// <summary>
    /// Freezes every process of the group and below (v1 freezer.state FROZEN / v2 cgroup.freeze 1) and waits
    /// until the kernel reports the whole group frozen; throws Busy after <paramref name="timeout"/> (thawed again).
    /// </summary>
    Task FreezeAsync(string group, TimeSpan timeout, CancellationToken ct = default);

    /// <summary>Lets a frozen group run again; a group that is gone or not frozen is fine.</summary>
    void Thaw(string group);

    /// <summary>Whether the group was asked to freeze (v1 freezer.state FROZEN or FREEZING / v2 cgroup.freeze 1); false when it does not exist.</summary>
    bool IsFrozen(string group);
}

/// <summary>What the kernel reports for a cgroup. Null means the file is missing on this host or the group does not exist.</summary>
public sealed record CgroupStats
{
    /// <summary>v1 memory.usage_in_bytes / v2 memory.current.</summary>
    public long? MemoryUsageBytes { get; init; }

    /// <summary>v1 memory.max_usage_in_bytes / v2 memory.peak (kernel 5.19+).</summary>
    public long? MemoryMaxUsageBytes { get; init; }

    /// <summary>v1 memory.limit_in_bytes / v2 memory.max; null when unlimited.</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>v1 memory.memsw.usage_in_bytes minus memory.usage_in_bytes / v2 memory.swap.current.</summary>
    public long? SwapUsageBytes { get; init; }

    /// <summary>How often usage hit the memory limit: v1 memory.failcnt / v2 memory.events "max".</summary>
    public long? MemoryFailCount { get; init; }

    /// <summary>Processes killed by the OOM killer: v1 memory.oom_control "oom_kill" / v2 memory.events "oom_kill".</summary>
    public long? OomKillCount { get; init; }

    /// <summary>pids.current.</summary>
    public long? PidsCurrent { get; init; }

    /// <summary>pids.max; null when unlimited.</summary>
    public long? PidsMax { get; init; }

    /// <summary>Forks refused at pids.max: pids.events "max".</summary>
    public long? PidsMaxEvents { get; init; }

    /// <summary>CPU time used: v1 cpuacct.usage / v2 cpu.stat usage_usec × 1000.</summary>
    public long? CpuUsageNanoseconds { get; init; }

    /// <summary>Periods in which the CPU cap throttled the group: cpu.stat "nr_throttled" (both versions).</summary>
    public long? CpuThrottledPeriods { get; init; }

    /// <summary>Kernel memory: v1 memory.kmem.usage_in_bytes / v2 memory.stat "kernel".</summary>
    public long? KmemUsageBytes { get; init; }

    /// <summary>v1 memory.kmem.max_usage_in_bytes; v2 keeps no peak.</summary>
    public long? KmemMaxUsageBytes { get; init; }

    /// <summary>
    /// TCP buffer memory: v1 memory.kmem.tcp.usage_in_bytes (0 until memory.kmem.tcp.limit_in_bytes has been
    /// written once) / v2 memory.stat "sock".
    /// </summary>
    public long? TcpBufferUsageBytes { get; init; }

    /// <summary>v1 memory.kmem.tcp.max_usage_in_bytes; v2 keeps no peak.</summary>
    public long? TcpBufferMaxUsageBytes { get; init; }

    /// <summary>v2 memory.swap.peak (6.5+); v1 has only the memory+swap peak.</summary>
    public long? SwapMaxUsageBytes { get; init; }

    /// <summary>How often memory+swap hit its limit: v1 memory.memsw.failcnt / v2 memory.swap.events "max".</summary>
    public long? SwapFailCount { get; init; }

    /// <summary>memory.stat as the kernel lists it (v1 and v2 use different keys).</summary>
    public IReadOnlyDictionary<string, long>? MemoryStat { get; init; }
}

/// <summary>A group's usage for the sampler; null where the host does not provide it.</summary>
public sealed record CgroupUsage
{
    /// <summary>v1 cpuacct.usage / v2 cpu.stat usage_usec × 1000.</summary>
    public long? CpuUsageNanoseconds { get; init; }

    /// <summary>
    /// Memory in use without the page cache the kernel can drop: usage minus inactive file pages
    /// (the "working set" of cAdvisor and docker stats). v1 memory.usage_in_bytes − total_inactive_file,
    /// v2 memory.current − inactive_file.
    /// </summary>
    public long? WorkingSetBytes { get; init; }

    /// <summary>Page cache charged to the group: v1 memory.stat total_cache / v2 file.</summary>
    public long? PageCacheBytes { get; init; }

    /// <summary>v1 memory.stat total_swap (with swap accounting) / v2 memory.swap.current.</summary>
    public long? SwapBytes { get; init; }

    /// <summary>pids.current.</summary>
    public long? Processes { get; init; }

    /// <summary>Allocations refused at a limit: memory failcnt (v2 memory.events max) + pids.max refusals.</summary>
    public long? LimitHits { get; init; }

    /// <summary>v1 memory.oom_control oom_kill / v2 memory.events oom_kill.</summary>
    public long? OomKills { get; init; }

    internal static long? Sum(long? a, long? b) => a is null && b is null ? null : (a ?? 0) + (b ?? 0);

    internal static long? WorkingSet(long? usage, long? inactiveFile) =>
        usage is { } u ? Math.Max(u - (inactiveFile ?? 0), 0) : null;
}

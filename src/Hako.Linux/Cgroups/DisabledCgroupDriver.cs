using Hako.Contracts;
using Hako.Core.Resources;
using Hako.Core.Errors;

namespace Hako.Linux.Cgroups;

/// <summary>The host has neither a cgroup v2 hierarchy nor a v1 memory controller under the root: every use fails clearly.</summary>
internal sealed class DisabledCgroupDriver(string root) : ICgroupDriver
{
    public string Version => "none";

    public bool SwapLimitSupported => false;

    public IReadOnlyList<string> LxcConfigLines(ResourceLimits limits, string? cpuset) => throw Unsupported();

    public void Apply(string group, ResourceLimits limits, string? cpuset) => throw Unsupported();

    public void Apply(string group, BeancounterSet set) => throw Unsupported();

    public CgroupStats ReadStats(string group) => throw Unsupported();

    public bool IsPopulated(string group) => throw Unsupported();

    public CgroupStats ReadEventCounters(string group) => throw Unsupported();

    public CgroupUsage ReadUsage(string group) => throw Unsupported();

    public void RemoveIfEmpty(string group) => throw Unsupported();

    public IReadOnlyList<int> Processes(string group) => throw Unsupported();

    public IReadOnlyList<int> ProcessesRecursive(string group) => throw Unsupported();

    public Task FreezeAsync(string group, TimeSpan timeout, CancellationToken ct = default) => throw Unsupported();

    public void Thaw(string group) => throw Unsupported();

    public bool IsFrozen(string group) => false;

    private HakoException Unsupported() => new(ErrorCode.Unsupported,
        $"No usable cgroups under {root}: found neither {root}/cgroup.controllers (v2) nor " +
        $"{root}/memory/memory.limit_in_bytes (v1). Mount cgroup2 at {root}, or the v1 controllers " +
        $"(memory, cpu, cpuacct, cpuset, pids) under it, to run containers with resource limits.");
}

using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Linux.Cgroups;

/// <summary>Hako's resource numbers to cgroup values; the same for both versions where they agree.</summary>
internal static class CgroupMapping
{
    /// <summary>CFS period, µs. 100 ms is the kernel default on both versions.</summary>
    public const long CfsPeriodUs = 100_000;

    /// <summary>
    /// vzctl cpuunits (default 1000) → v1 cpu.shares (default 1024): units × 1024 / 1000, kept in
    /// the kernel's range 2..262144.
    /// </summary>
    public static long CpuShares(int cpuUnits) => Math.Clamp(cpuUnits * 1024L / 1000, 2, 262_144);

    /// <summary>
    /// vzctl cpuunits → v2 cpu.weight (default 100): units / 10, rounded, kept in the kernel's
    /// range 1..10000. Monotone, and 1000 (vzctl's default) maps to 100 (the kernel's default).
    /// </summary>
    public static long CpuWeight(int cpuUnits) => Math.Clamp((cpuUnits + 5L) / 10, 1, 10_000);

    /// <summary>
    /// CFS quota in µs per <see cref="CfsPeriodUs"/>, null for no cap. The cap is cpulimit percent
    /// of one CPU; a CPU count caps it too, at count × 100 % (as vzctl --cpus does). The kernel's
    /// minimum quota is 1000 µs.
    /// </summary>
    public static long? CfsQuotaUs(ResourceLimits limits)
    {
        long? percent = limits.CpuLimitPercent;
        if (limits.Cpus is { } cpus)
        {
            percent = Math.Min(percent ?? long.MaxValue, cpus * 100L);
        }

        return percent is { } p ? Math.Max(p * CfsPeriodUs / 100, 1000) : null;
    }

    /// <summary>
    /// v1 memory+swap limit (memory.memsw.limit_in_bytes), null for unlimited. memsw can never be
    /// below memory, so with unlimited memory it is unlimited too.
    /// </summary>
    public static long? MemswBytes(ResourceLimits limits)
    {
        if (limits.MemoryBytes is not { } memory || limits.SwapBytes is not { } swap)
        {
            return null;
        }

        return long.MaxValue - memory < swap
            ? throw HakoException.Invalid($"Memory {memory} plus swap {swap} bytes overflows; use 'unlimited' instead")
            : memory + swap;
    }

    /// <summary>
    /// v1 keeps memory.limit_in_bytes ≤ memory.memsw.limit_in_bytes at every moment and refuses
    /// (EINVAL) a write that would break it, unlimited counting as the largest value. Writing the new
    /// memory limit first is safe when it does not exceed the current memsw limit; otherwise the new
    /// memsw limit (≥ new memory > current memsw ≥ current memory) is safe to write first.
    /// </summary>
    public static bool WriteMemswFirst(long? newMemory, long? currentMemsw) =>
        (newMemory ?? long.MaxValue) > (currentMemsw ?? long.MaxValue);

    public static void ValidateGroup(string group)
    {
        if (string.IsNullOrWhiteSpace(group) || group.StartsWith('/') ||
            group.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw HakoException.Invalid($"cgroup '{group}' must be a relative path such as hako-node1/web1");
        }
    }
}

using System.Globalization;
using Hako.Contracts;
using Hako.Core.Resources;

namespace Hako.Daemon.Resources;

/// <summary>Conversions between the wire's request shapes, PlanFlags (what is stored) and effective limits.</summary>
public static class PlanCodec
{
    private static string? I(int? v) => v?.ToString(CultureInfo.InvariantCulture);

    private static string? L(long? v) => v?.ToString(CultureInfo.InvariantCulture);

    public static PlanFlags FromRequest(string? memory, string? swap, int? cpus, string? cpuLimit, int? cpuUnits, int? processes,
        string? disk, ResourceSettings? r) => new()
    {
        Memory = memory,
        Swap = swap,
        Cpus = I(cpus),
        CpuLimit = cpuLimit,
        CpuUnits = I(cpuUnits),
        // 0 processes means unlimited, as vzctl reads it.
        Processes = processes == 0 ? "unlimited" : I(processes),
        Disk = disk,
        Mode = r?.Mode,
        Kind = r?.Kind,
        GuaranteeMemory = r?.GuaranteeMemory,
        GuaranteeCpus = r?.GuaranteeCpus,
        GuaranteeDisk = r?.GuaranteeDisk,
        IoPrio = r?.IoPrio,
        IoLimit = r?.IoLimit,
        IopsLimit = r?.IopsLimit,
        Beancounters = r?.Beancounters,
    };

    /// <summary>Later flags win; beancounters merge per parameter.</summary>
    public static PlanFlags Merge(PlanFlags a, PlanFlags b) => new()
    {
        Description = b.Description ?? a.Description,
        Kind = b.Kind ?? a.Kind,
        Mode = b.Mode ?? a.Mode,
        Memory = b.Memory ?? a.Memory,
        Swap = b.Swap ?? a.Swap,
        Cpus = b.Cpus ?? a.Cpus,
        CpuLimit = b.CpuLimit ?? a.CpuLimit,
        CpuUnits = b.CpuUnits ?? a.CpuUnits,
        Processes = b.Processes ?? a.Processes,
        Disk = b.Disk ?? a.Disk,
        IoPrio = b.IoPrio ?? a.IoPrio,
        IoLimit = b.IoLimit ?? a.IoLimit,
        IopsLimit = b.IopsLimit ?? a.IopsLimit,
        GuaranteeMemory = b.GuaranteeMemory ?? a.GuaranteeMemory,
        GuaranteeCpus = b.GuaranteeCpus ?? a.GuaranteeCpus,
        GuaranteeDisk = b.GuaranteeDisk ?? a.GuaranteeDisk,
        Beancounters = (a.Beancounters, b.Beancounters) switch
        {
            (null, var y) => y,
            (var x, null) => x,
            var (x, y) => x.Concat(y).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value),
        },
    };

    /// <summary>Every setting of a plan as flags, so a derived plan (e.g. from vzsplit) can be stored like any other.</summary>
    public static PlanFlags ToFlags(Plan p) => new()
    {
        Description = p.Description,
        Kind = p.Kind == PlanKind.Guaranteed ? "guaranteed" : "best-effort",
        Mode = p.Mode == MemoryMode.Ubc ? "ubc" : "slm",
        Memory = L(p.Limits.MemoryBytes) ?? "unlimited",
        Swap = L(p.Limits.SwapBytes) ?? "unlimited",
        Cpus = I(p.Limits.Cpus),
        CpuLimit = I(p.Limits.CpuLimitPercent),
        CpuUnits = I(p.Limits.CpuUnits),
        Processes = I(p.Limits.Processes) ?? "unlimited",
        Disk = L(p.Limits.DiskBytes) ?? "unlimited",
        IoPrio = I(p.Limits.IoPrio),
        IoLimit = L(p.Limits.IoLimitBytesPerSecond),
        IopsLimit = L(p.Limits.IopsLimit),
        GuaranteeMemory = L(p.Guarantees.MemoryBytes),
        GuaranteeCpus = p.Guarantees.Cpus.ToString(CultureInfo.InvariantCulture),
        GuaranteeDisk = L(p.Guarantees.DiskBytes),
        Beancounters = p.Mode == MemoryMode.Ubc ? p.EffectiveBeancounters().ToVzctl() : null,
    };

    /// <summary>
    /// Applies flags to a plan. A limit lowered below the plan's guarantee takes the guarantee down with it
    /// (a plan cannot reserve more than it allows), unless the guarantee itself was given explicitly.
    /// </summary>
    public static Plan Apply(Plan basePlan, PlanFlags flags)
    {
        var p = basePlan.Apply(flags);
        var g = p.Guarantees;
        var l = p.Limits;
        return p with
        {
            Guarantees = g with
            {
                MemoryBytes = flags.GuaranteeMemory is null && l.MemoryBytes < g.MemoryBytes ? l.MemoryBytes.Value : g.MemoryBytes,
                Cpus = flags.GuaranteeCpus is null && l.EffectiveCpus < g.Cpus ? l.EffectiveCpus.Value : g.Cpus,
                DiskBytes = flags.GuaranteeDisk is null && l.DiskBytes < g.DiskBytes ? l.DiskBytes.Value : g.DiskBytes,
            },
        };
    }

    public static ResourceLimits Limits(Plan p, string? cpuMask) => p.ToResourceLimits() with
    {
        IoPrio = p.Limits.IoPrio,
        IoLimitBytesPerSecond = p.Limits.IoLimitBytesPerSecond,
        IopsLimit = p.Limits.IopsLimit,
        CpuMask = cpuMask,
    };
}

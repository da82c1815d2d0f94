using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Units;

namespace Hako.Core.Resources;

/// <summary>
/// <c>hako plan split N</c>, like vzsplit: a plan that gives N equal containers this node's resources.
/// Memory + swap per container = (RAM + swap − reserve) / N, as vzsplit's tot_pve (it keeps 50M, SYSRSRV, for the
/// host; Hako takes the operator's reserve): RAM (RAM − reserve) / N, swap swap / N, each rounded down to a page.
/// CPU (cpus − reserve) / N as a cpulimit in whole percent, disk (disk − reserve) / N rounded down to a MiB,
/// processes max(30, 16000 / N) (vzsplit's MINPROC and its 2 × 8000 pid budget). The result is a guaranteed plan
/// (an equal split reserves everything) in ubc mode, its beancounters derived by <see cref="UbcDerivation"/> so
/// that it passes <see cref="UbcValidator"/>.
/// </summary>
public static class PlanSplit
{
    /// <summary>Below this per container, a split is refused (vzsplit refuses below about 5M).</summary>
    public const long MinMemoryBytes = 16L << 20;

    private const long Mib = 1L << 20;

    /// <exception cref="HakoException">InvalidArgument for bad input; InsufficientResources when N containers do not fit, saying how many do.</exception>
    public static Plan Split(long ramBytes, long swapBytes, int cpus, long diskBytes, ResourceAmounts hostReserve, int count, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(hostReserve);
        name ??= $"split-{count}";
        var errors = new List<string>();
        if (Plan.CheckName(name) is { } nameError)
        {
            errors.Add(nameError);
        }

        if (count < 1)
        {
            errors.Add($"Split count {count} must be at least 1; use e.g. hako plan split 10");
        }

        if (ramBytes <= 0 || swapBytes < 0 || cpus < 1 || diskBytes < 0)
        {
            errors.Add($"Node resources must be positive (RAM {Size.Format(ramBytes)}, swap {Size.Format(swapBytes)}, {cpus} CPUs, disk {Size.Format(diskBytes)})");
        }

        if (errors.Count > 0)
        {
            throw new HakoException(ErrorCode.InvalidArgument, string.Join("; ", errors), errors);
        }

        var usableRam = ramBytes - hostReserve.MemoryBytes;
        var usableCpus = cpus - hostReserve.Cpus;
        var usableDisk = Math.Max(0, diskBytes - hostReserve.DiskBytes);
        var memory = usableRam / count / UbcParameters.PageSize * UbcParameters.PageSize;
        var cpuPercent = (int)Math.Floor(usableCpus * 100 / count + 1e-9);

        var shortages = new List<string>();
        if (memory < MinMemoryBytes)
        {
            var fit = Math.Max(0, usableRam / MinMemoryBytes);
            shortages.Add($"memory: RAM {Size.Format(ramBytes)} − reserve {Size.Format(hostReserve.MemoryBytes)} gives {Size.Format(Math.Max(0, memory))} per container; at most {fit} containers of {Size.Format(MinMemoryBytes)} fit");
        }

        if (cpuPercent < 1)
        {
            var fit = Math.Max(0, (int)Math.Floor(usableCpus * 100 + 1e-9));
            shortages.Add($"cpu: {cpus} CPUs − reserve {hostReserve.Cpus:0.##} gives less than 1% of a CPU per container; at most {fit} containers fit");
        }

        if (shortages.Count > 0)
        {
            throw new HakoException(ErrorCode.InsufficientResources,
                $"This node cannot be split {count} ways: {string.Join("; ", shortages)}", shortages);
        }

        var swap = swapBytes / count / UbcParameters.PageSize * UbcParameters.PageSize;
        var disk = usableDisk / count / Mib * Mib;
        var processes = Math.Max(30, 16000 / count);
        var cpuShare = cpuPercent / 100.0;

        var plan = new Plan
        {
            Name = name,
            Description = $"vzsplit-style share of this node for {count} containers: {Size.Format(memory)} RAM + {Size.Format(swap)} swap, {cpuPercent}% CPU, {Size.Format(disk)} disk",
            Kind = PlanKind.Guaranteed,
            Mode = MemoryMode.Ubc,
            Guarantees = new() { MemoryBytes = memory, Cpus = cpuShare, DiskBytes = disk },
            Limits = new()
            {
                Cpus = Math.Max(1, (int)Math.Ceiling(cpuShare - 1e-9)),
                CpuLimitPercent = cpuPercent,
                CpuUnits = Plan.DefaultCpuUnits,
                DiskBytes = disk,
            },
            Beancounters = UbcDerivation.FromSlm(memory, swap, processes, guaranteedMemoryBytes: memory),
        };
        return plan.SyncFromBeancounters();
    }
}

using Hako.Contracts;
using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Core.Resources;
using Hako.Daemon.Resources;

namespace Hako.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>The container's effective plan: its plan (or the defaults) with its explicit settings applied.</summary>
    public Plan Effective(ContainerRecord r)
    {
        var basePlan = plans.TryResolve(r.PlanName ?? PlanCatalog.DefaultName) ?? PlanCatalog.Default;
        return PlanCodec.Apply(basePlan, r.Overrides);
    }

    /// <summary>
    /// Applies the overrides to the plan and checks the result: the plan's own rules (vzcfgvalidate in ubc mode,
    /// guarantees within limits) and what this node can do. Errors and warnings are added to the lists;
    /// null when the settings could not even be parsed.
    /// </summary>
    private (Plan Plan, ResourceLimits Limits)? Resolve(List<string> errors, List<string> warnings, string? planName,
        PlanFlags overrides, string? cpuMask)
    {
        var basePlan = plans.TryResolve(planName ?? PlanCatalog.DefaultName);
        if (basePlan is null)
        {
            errors.Add($"Plan '{planName}' does not exist; see hako plan list");
            return null;
        }

        Plan effective;
        try
        {
            effective = PlanCodec.Apply(basePlan, overrides);
        }
        catch (HakoException e)
        {
            errors.AddRange(e.Errors ?? [e.Message]);
            return null;
        }

        var (planErrors, planWarnings) = effective.Check();
        errors.AddRange(planErrors);
        warnings.AddRange(planWarnings);
        var limits = PlanCodec.Limits(effective, cpuMask);
        var cpus = Environment.ProcessorCount;
        if (limits.Cpus > cpus)
        {
            errors.Add($"--cpus {limits.Cpus} is out of range; this node has {cpus} CPUs");
        }

        if (limits.CpuLimitPercent > 100 * cpus)
        {
            errors.Add($"--cpulimit {limits.CpuLimitPercent}% is more than this node's {cpus} CPUs ({100 * cpus}%)");
        }

        if (limits.MemoryBytes is < 16L << 20)
        {
            errors.Add($"Memory {Core.Units.Size.Format(limits.MemoryBytes)} is too small; a container needs at least 16M");
        }

        if (limits.DiskBytes is < 16L << 20)
        {
            errors.Add($"Disk quota {Core.Units.Size.Format(limits.DiskBytes)} is too small; use at least 16M");
        }

        if (limits.DiskBytes is null && (limits.IoLimitBytesPerSecond is not null || limits.IopsLimit is not null))
        {
            errors.Add("--iolimit and --iopslimit act on the container's private-area device; give it a disk quota (--disk SIZE) instead of 'unlimited'");
        }

        if (cpuMask is not null && CheckCpuMask(cpuMask, cpus) is { } maskError)
        {
            errors.Add(maskError);
        }

        return (effective, limits);
    }

    /// <summary>"0", "0-1", "0,2-3": CPUs this node has.</summary>
    private static string? CheckCpuMask(string mask, int cpus)
    {
        foreach (var part in mask.Split(','))
        {
            var range = part.Split('-');
            if (range.Length is < 1 or > 2 || !range.All(x => int.TryParse(x, out var c) && c >= 0 && c < cpus))
            {
                return $"--cpumask '{mask}' is not a list of this node's CPUs (0-{cpus - 1}); use e.g. 0 or 0-1";
            }
        }

        return null;
    }

    /// <summary>Admission: guarantees never oversold; best-effort limits up to the operator's overcommit ratio.</summary>
    private void Admit(IReadOnlyList<ContainerRecord> existing, string name, Plan candidate)
    {
        var decision = Admission.Check(plans.Node(), existing.Select(c => Effective(c).ToCommitment(c.Name)), candidate.ToCommitment(name));
        decision.ThrowIfRefused(name);
    }
}

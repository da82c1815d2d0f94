using Hako.Contracts;
using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Core.Resources;
using Hako.Daemon.Resources;

namespace Hako.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>The container's effective plan: its plan (or the defaults) with its explicit settings applied.</summary>
    public Plan Effective(ContainerRecord r) => plans.Effective(r);

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
            // ASCII digits only: int.TryParse alone takes " 1" and "1\n", which would reach the LXC config.
            if (range.Length is < 1 or > 2 || !range.All(x => x.Length is > 0 and <= 4 && x.All(char.IsAsciiDigit) && int.TryParse(x, out var c) && c < cpus))
            {
                return $"--cpumask '{mask}' is not a list of this node's CPUs (0-{cpus - 1}); use e.g. 0 or 0-1";
            }
        }

        return null;
    }

    /// <summary>
    /// Admission. Guarantees are never oversold, and disk quotas stay within their overcommit ratio. Best-effort
    /// memory (and CPU, when an --overcommit-cpu ratio is set) is held to ε by the capacity planner once the node
    /// has --capacity-min-history of usage history; before that, by the overcommit ratios. <paramref name="exists"/>:
    /// the container is already in the state (start, set), so the planner judges it as if it were new.
    /// </summary>
    private void Admit(IReadOnlyList<ContainerRecord> existing, string name, string? planName, Plan candidate, bool exists)
    {
        var node = plans.Node();
        var exclude = exists ? name : null;
        var prepared = candidate.Kind == PlanKind.BestEffort ? capacity.Current(exclude) : null;
        var (statistical, detail) = prepared is not null ? capacity.AdmissionMode(prepared) : (false, "");
        if (statistical)
        {
            // The planner replaces the limit ratios for the resources it knows; guarantees and disk still count.
            node = node with { Ratios = node.Ratios with { Memory = double.PositiveInfinity, Cpu = double.PositiveInfinity } };
        }

        var resolve = plans.Resolver();
        var decision = Admission.Check(node, existing.Select(c => PlanCatalog.Effective(c, resolve).ToCommitment(c.Name)), candidate.ToCommitment(name));
        decision.ThrowIfRefused(name, candidate.Kind == PlanKind.BestEffort && !statistical ? detail : null);
        if (statistical)
        {
            capacity.Admit(prepared!, name, planName, candidate);
        }
    }
}

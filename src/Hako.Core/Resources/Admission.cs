using System.Globalization;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Units;

namespace Hako.Core.Resources;

/// <summary>The resources admission counts.</summary>
public enum AdmissionResource
{
    Memory,
    Cpu,
    Disk,
}

/// <summary>Finite amounts of memory (bytes), CPU (CPUs, fractional) and disk (bytes): capacities, reserves, guarantees.</summary>
public sealed record ResourceAmounts(long MemoryBytes, double Cpus, long DiskBytes)
{
    public static ResourceAmounts Zero { get; } = new(0, 0, 0);

    public double this[AdmissionResource resource] => resource switch
    {
        AdmissionResource.Memory => MemoryBytes,
        AdmissionResource.Cpu => Cpus,
        _ => DiskBytes,
    };
}

/// <summary>Limits as admission sees them; null = unlimited, which counts as the whole node (all it could take).</summary>
public sealed record ResourceCeilings(long? MemoryBytes, double? Cpus, long? DiskBytes)
{
    public static ResourceCeilings None { get; } = new(null, null, null);

    public double? this[AdmissionResource resource] => resource switch
    {
        AdmissionResource.Memory => MemoryBytes,
        AdmissionResource.Cpu => Cpus,
        _ => DiskBytes,
    };
}

/// <summary>How far the sum of limits may exceed capacity − reserve, per resource (1 = not at all, 2 = twice).</summary>
public sealed record OvercommitRatios(double Memory, double Cpu, double Disk)
{
    public static OvercommitRatios None { get; } = new(1, 1, 1);

    public double this[AdmissionResource resource] => resource switch
    {
        AdmissionResource.Memory => Memory,
        AdmissionResource.Cpu => Cpu,
        _ => Disk,
    };
}

/// <summary>A node as admission sees it: what it has, what the host keeps for itself, and the operator's ratios.</summary>
public sealed record NodeCapacity(ResourceAmounts Capacity, ResourceAmounts HostReserve, OvercommitRatios Ratios)
{
    /// <summary>Capacity − reserve, never below zero: what containers may be guaranteed.</summary>
    public double Usable(AdmissionResource r) => Math.Max(0, Capacity[r] - HostReserve[r]);
}

/// <summary>One container's (or candidate's) claim on the node: its guarantees and its limits.</summary>
public sealed record Commitment(string Name, PlanKind Kind, ResourceAmounts Guarantees, ResourceCeilings Limits);

/// <param name="Pool"><c>guarantees</c> or <c>limits</c>: which sum the candidate did not fit in.</param>
/// <param name="Asked">What the candidate asks of that pool.</param>
/// <param name="Left">What the pool has left before the candidate (never negative).</param>
/// <param name="Total">The pool's size: capacity − reserve for guarantees, ratio × that for limits.</param>
public sealed record AdmissionRefusal(AdmissionResource Resource, string Pool, double Asked, double Left, double Total, string Message)
{
    public override string ToString() => Message;
}

public sealed record AdmissionDecision(IReadOnlyList<AdmissionRefusal> Refusals)
{
    public bool Accepted => Refusals.Count == 0;

    /// <param name="note">Appended to the message in parentheses (e.g. why the ratios decided and not the capacity planner).</param>
    /// <exception cref="HakoException">InsufficientResources, listing every refused resource.</exception>
    public void ThrowIfRefused(string candidate, string? note = null)
    {
        if (!Accepted)
        {
            throw new HakoException(ErrorCode.InsufficientResources,
                $"'{candidate}' does not fit on this node: {string.Join("; ", Refusals.Select(r => r.Message))}" +
                (string.IsNullOrEmpty(note) ? "" : $" ({note})"),
                Refusals.Select(r => r.Message).ToList());
        }
    }
}

/// <summary>
/// Admission on create, set and start, as pure arithmetic. Every candidate's guarantees must fit:
/// Σ guarantees + asked ≤ capacity − reserve (guarantees are never oversold). A best-effort candidate's limits
/// must also fit: Σ limits + asked ≤ ratio × (capacity − reserve). A guaranteed candidate's limits equal its
/// guarantees, so the first check covers it. The limit sum counts every existing container, guaranteed or not;
/// an unlimited limit counts as capacity − reserve, what such a container could take. On <c>set</c>, leave the
/// container being changed out of <c>existing</c>.
/// </summary>
public static class Admission
{
    public static AdmissionDecision Check(NodeCapacity node, IEnumerable<Commitment> existing, Commitment candidate)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(candidate);
        var others = existing.ToList();
        var refusals = new List<AdmissionRefusal>();
        foreach (var r in Enum.GetValues<AdmissionResource>())
        {
            var usable = node.Usable(r);
            var asked = candidate.Guarantees[r];
            var committed = others.Sum(c => c.Guarantees[r]);
            if (asked > 0 && committed + asked > usable + Epsilon(r))
            {
                refusals.Add(Refuse(r, "guarantees", asked, usable - committed, usable, ""));
            }

            if (candidate.Kind != PlanKind.BestEffort)
            {
                continue;
            }

            var ratio = node.Ratios[r];
            var pool = ratio * usable;
            var askedLimit = candidate.Limits[r] ?? usable;
            var committedLimits = others.Sum(c => c.Limits[r] ?? usable);
            if (askedLimit > 0 && committedLimits + askedLimit > pool + Epsilon(r))
            {
                var of = ratio == 1 ? "" : $" = {ratio.ToString("0.##", CultureInfo.InvariantCulture)}× {Format(r, usable)}";
                refusals.Add(Refuse(r, "limits", askedLimit, pool - committedLimits, pool, of));
            }
        }

        return new AdmissionDecision(refusals);
    }

    private static AdmissionRefusal Refuse(AdmissionResource r, string pool, double asked, double left, double total, string totalDetail)
    {
        left = Math.Max(0, left);
        var name = r.ToString().ToLowerInvariant();
        var fits = left <= Epsilon(r)
            ? $"no container with a {name} {(pool == "guarantees" ? "guarantee" : "limit")} fits until some are removed or the node grows"
            : $"a container of at most {Format(r, left)} fits";
        var message = $"{name}: asked {Format(r, asked)}, {Format(r, left)} left of {Format(r, total)}{totalDetail} ({pool}); {fits}";
        return new AdmissionRefusal(r, pool, asked, left, total, message);
    }

    // Below a page of memory or disk, or a hundredth of a CPU, rounding decides, not capacity.
    private static double Epsilon(AdmissionResource r) => r == AdmissionResource.Cpu ? 0.005 : 0.5;

    private static string Format(AdmissionResource r, double value) => r == AdmissionResource.Cpu
        ? value.ToString("0.##", CultureInfo.InvariantCulture) + (Math.Abs(value - 1) < 1e-9 ? " CPU" : " CPUs")
        : Size.Format((long)value);
}

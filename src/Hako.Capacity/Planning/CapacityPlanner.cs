using System.Globalization;
using Hako.Capacity.Rules;

namespace Hako.Capacity.Planning;

/// <summary>
/// The planner's questions, as pure functions of a prepared snapshot: how full is the node,
/// how many more containers of a plan fit at ε, and may this container come in.
/// </summary>
/// <remarks>
/// Best-effort plans are judged by the policy's rule at ε; guaranteed plans by the strict sum of
/// guarantees. Both kinds also need the sum of guarantees to stay within capacity.
/// </remarks>
public static class CapacityPlanner
{
    /// <summary>Per resource: capacity, commitments, peak, prediction, risk, headroom.</summary>
    public static CapacityReport Report(NodeModel node, CapacityPolicy? policy = null, PlanSpec? plan = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        policy ??= CapacityPolicy.Default;
        var headroom = plan is null ? null : Headroom(node, plan, policy);
        var rows = new List<ResourceReport>();
        foreach (var r in ResourceVector.All)
        {
            var h = node.History(r);
            var eps = policy.Epsilon[r];
            var prediction = policy.Rule.Evaluate(h, eps);
            rows.Add(new ResourceReport(r, h.Capacity, h.LimitSum, h.GuaranteeSum, h.CombinedPeak(),
                prediction.Demand, prediction.OverloadProbability, prediction.Headroom, eps, policy.Rule.Name,
                headroom?.Resources.First(x => x.Resource == r)));
        }
        return new CapacityReport(node.Snapshot.Containers.Count, node.Snapshot.BucketCount, rows, headroom);
    }

    /// <summary>How many more containers of <paramref name="plan"/> fit at the policy's ε.</summary>
    public static HeadroomResult Headroom(NodeModel node, PlanSpec plan, CapacityPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(plan);
        policy ??= CapacityPolicy.Default;
        var rows = new List<ResourceHeadroom>();
        foreach (var r in ResourceVector.All)
        {
            rows.Add(ResourceHeadroomFor(node, plan, policy, r));
        }
        // Unchecked resources are reported but never limit the answer (all unchecked: the smallest anyway).
        var limiting = rows.Where(x => policy.IsChecked(x.Resource)).MinBy(x => x.More) ?? rows.MinBy(x => x.More)!;
        return new HeadroomResult(plan.Name, limiting.More, limiting.Resource, rows);
    }

    /// <summary>
    /// Accept or refuse <paramref name="candidate"/>. Nothing is recorded: the caller commits
    /// the container only on acceptance, so a refusal leaves nothing behind.
    /// </summary>
    public static AdmissionDecision Admit(NodeModel node, AdmissionCandidate candidate, CapacityPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(candidate);
        policy ??= CapacityPolicy.Default;
        var plan = candidate.Plan;
        var verdicts = new List<ResourceVerdict>();
        foreach (var r in ResourceVector.All)
        {
            var h = node.History(r);
            var eps = policy.Epsilon[r];
            CapacityRule.CheckEpsilon(eps);
            var guaranteesFit = h.GuaranteeSum + plan.Guarantee[r] <= h.Capacity;
            if (!plan.BestEffort)
            {
                var with = h.GuaranteeSum + plan.Guarantee[r];
                var more = guaranteesFit ? GuaranteedHeadroom(h, plan, r, policy) : 0;
                verdicts.Add(new ResourceVerdict(r, guaranteesFit, eps, h.Capacity, with, null,
                    h.Capacity - h.GuaranteeSum, more, DemandSource.Guarantee, "sum-of-guarantees"));
                continue;
            }
            var group = node.Group(plan, r);
            var withOne = node.WithNew(group, r, 1);
            var demandWith = policy.Rule.PredictDemand(withOne, eps);
            var fits = guaranteesFit && (demandWith <= h.Capacity || !policy.IsChecked(r));
            var moreOfPlan = fits ? ResourceHeadroomFor(node, plan, policy, r).More : 0;
            verdicts.Add(new ResourceVerdict(r, fits, eps, h.Capacity, demandWith,
                policy.Rule.OverloadProbability(withOne, h.Capacity),
                h.Capacity - policy.Rule.PredictDemand(h, eps), moreOfPlan, group.Source, policy.Rule.Name));
        }
        var accepted = verdicts.TrueForAll(v => v.Fits);
        return new AdmissionDecision(accepted, candidate.Name, plan.Name, verdicts, Describe(accepted, candidate, verdicts, node, policy));
    }

    private static ResourceHeadroom ResourceHeadroomFor(NodeModel node, PlanSpec plan, CapacityPolicy policy, CapacityResource r)
    {
        var h = node.History(r);
        var eps = policy.Epsilon[r];
        CapacityRule.CheckEpsilon(eps);
        if (!plan.BestEffort)
        {
            var more = GuaranteedHeadroom(h, plan, r, policy);
            return new ResourceHeadroom(r, eps, h.Capacity, more, DemandSource.Guarantee, 0,
                h.GuaranteeSum, h.GuaranteeSum + more * plan.Guarantee[r], "sum-of-guarantees");
        }

        var group = node.Group(plan, r);
        var demandNow = policy.Rule.PredictDemand(h, eps);
        var search = new NodeModel.NewContainers(node, group, r);
        var m = search.Members;
        bool Fits(int rounds, int rest, out double demand)
        {
            var with = search.History(rounds, rest);
            demand = policy.Rule.PredictDemand(with, eps);
            return demand <= h.Capacity && with.GuaranteeSum <= h.Capacity;
        }

        // k = q·m + r new containers. Demand grows with k, so: gallop then bisect on whole
        // rounds q (r = 0), then bisect r with q fixed; each step is one pass over the series.
        var lastFitDemand = demandNow;
        var fit = 0;
        if (Fits(0, 0, out _))
        {
            var roundsCap = policy.MaxHeadroom / m + 1;
            int goodQ = 0, badQ = -1;
            for (var q = 1; ; q = Math.Min(q * 2, roundsCap))
            {
                if (Fits(q, 0, out var d))
                {
                    goodQ = q;
                    lastFitDemand = d;
                    if (q == roundsCap)
                    {
                        break;
                    }
                }
                else
                {
                    badQ = q;
                    break;
                }
            }
            if (badQ < 0)
            {
                fit = policy.MaxHeadroom; // at least roundsCap·m > MaxHeadroom fit
            }
            else
            {
                while (badQ - goodQ > 1)
                {
                    var mid = goodQ + (badQ - goodQ) / 2;
                    if (Fits(mid, 0, out var d))
                    {
                        goodQ = mid;
                        lastFitDemand = d;
                    }
                    else
                    {
                        badQ = mid;
                    }
                }
                // goodQ + 1 rounds do not fit: the answer is goodQ·m + r with 0 ≤ r < m.
                int goodR = 0, badR = m;
                while (badR - goodR > 1)
                {
                    var mid = goodR + (badR - goodR) / 2;
                    if (Fits(goodQ, mid, out var d))
                    {
                        goodR = mid;
                        lastFitDemand = d;
                    }
                    else
                    {
                        badR = mid;
                    }
                }
                fit = Math.Min(policy.MaxHeadroom, goodQ * m + goodR);
            }
        }
        var good = fit;
        var sample = group.Source == DemandSource.PlanHistory ? group.Members.Count : 0;
        return new ResourceHeadroom(r, eps, h.Capacity, good, group.Source, sample, demandNow, lastFitDemand, policy.Rule.Name);
    }

    private static int GuaranteedHeadroom(ResourceHistory h, PlanSpec plan, CapacityResource r, CapacityPolicy policy)
    {
        var free = h.Capacity - h.GuaranteeSum;
        if (free < 0)
        {
            return 0;
        }
        var g = plan.Guarantee[r];
        return g <= 0 ? policy.MaxHeadroom : (int)Math.Min(policy.MaxHeadroom, Math.Floor(free / g));
    }

    private static string Describe(bool accepted, AdmissionCandidate candidate, List<ResourceVerdict> verdicts, NodeModel node, CapacityPolicy policy)
    {
        if (accepted)
        {
            return $"Admitted '{candidate.Name}' (plan '{candidate.Plan.Name}').";
        }
        var parts = new List<string>();
        foreach (var v in verdicts.Where(v => !v.Fits))
        {
            var probability = v.OverloadProbability is { } p ? $", predicted overload probability {Percent(p)}" : "";
            var basis = v.Source switch
            {
                DemandSource.PlanHistory => "new container modelled on this plan's existing containers",
                DemandSource.PlanLimit => "no history for this plan here: new container assumed to use its full limit",
                _ => "guaranteed plan: strict sum of guarantees",
            };
            parts.Add($"{Name(v.Resource)}: demand at ε={Percent(v.Epsilon)} would be {Amount(v.Resource, v.DemandWith)} " +
                $"> capacity {Amount(v.Resource, v.Capacity)}{probability} ({v.Rule}; {basis}); " +
                $"{Amount(v.Resource, Math.Max(0, v.RemainingAtEpsilon))} remains at ε");
        }
        var alternatives = new List<string>();
        foreach (var other in node.Snapshot.Plans)
        {
            if (other.Name == candidate.Plan.Name)
            {
                continue;
            }
            var more = Headroom(node, other, policy).More;
            if (more > 0)
            {
                alternatives.Add($"{more} of plan '{other.Name}'");
            }
        }
        var fit = alternatives.Count > 0 ? " What fits instead: " + string.Join(", ", alternatives) + "." : " No plan on sale fits.";
        return $"Refused '{candidate.Name}' (plan '{candidate.Plan.Name}'): {string.Join("; ", parts)}.{fit} " +
            "Choose a smaller plan, another node, or a larger ε.";
    }

    /// <summary>"CPU" or "memory", as messages name them.</summary>
    public static string Name(CapacityResource r) => r == CapacityResource.Cpu ? "CPU" : "memory";

    /// <summary>A probability as messages show it: 1%, 0.1%, 0.0123%.</summary>
    public static string Percent(double p) => (p * 100).ToString(p < 0.001 ? "0.####" : "0.##", CultureInfo.InvariantCulture) + "%";

    /// <summary>An amount as messages show it: cores, or GiB for memory in bytes.</summary>
    public static string Amount(CapacityResource r, double value) => r == CapacityResource.Cpu
        ? value.ToString("0.##", CultureInfo.InvariantCulture) + " cores"
        : (value / (1024.0 * 1024 * 1024)).ToString("0.##", CultureInfo.InvariantCulture) + " GiB";
}

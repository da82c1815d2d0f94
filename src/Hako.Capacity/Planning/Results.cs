namespace Hako.Capacity.Planning;

/// <summary>How many more containers of a plan fit on a node for one resource.</summary>
/// <param name="More">Containers of the plan that still fit (capped at the policy's MaxHeadroom).</param>
/// <param name="Source">How the new containers' demand was modelled.</param>
/// <param name="SampleContainers">Existing containers of the plan whose history was replayed (0 for limit/guarantee).</param>
/// <param name="DemandNow">Predicted (1 − ε) demand of the node as it is (sum of guarantees for guaranteed plans).</param>
/// <param name="DemandAfter">The same with <paramref name="More"/> containers added.</param>
public sealed record ResourceHeadroom(
    CapacityResource Resource,
    double Epsilon,
    double Capacity,
    int More,
    DemandSource Source,
    int SampleContainers,
    double DemandNow,
    double DemandAfter,
    string Rule);

/// <summary>How many more containers of a plan fit: the smallest over the resources.</summary>
public sealed record HeadroomResult(string Plan, int More, CapacityResource LimitingResource, IReadOnlyList<ResourceHeadroom> Resources);

/// <summary>One resource's part of an admission decision.</summary>
/// <param name="DemandWith">Predicted (1 − ε) demand with the candidate (or Σ guarantees for a guaranteed plan).</param>
/// <param name="OverloadProbability">The rule's P(overload) with the candidate; null if the rule has no probability model.</param>
/// <param name="RemainingAtEpsilon">Capacity minus the predicted demand without the candidate: the largest extra (1 − ε) demand that fits.</param>
/// <param name="MoreOfPlan">Containers of the candidate's plan that fit now (0 when this resource refuses).</param>
public sealed record ResourceVerdict(
    CapacityResource Resource,
    bool Fits,
    double Epsilon,
    double Capacity,
    double DemandWith,
    double? OverloadProbability,
    double RemainingAtEpsilon,
    int MoreOfPlan,
    DemandSource Source,
    string Rule);

/// <summary>Accept or refuse one new container; a refusal says why and what would fit.</summary>
public sealed record AdmissionDecision(
    bool Accepted,
    string Container,
    string Plan,
    IReadOnlyList<ResourceVerdict> Resources,
    string Message)
{
    /// <summary>The first resource that refused, if any.</summary>
    public ResourceVerdict? Refusing => Resources.FirstOrDefault(r => !r.Fits);
}

/// <summary>A container asking to be placed on the node.</summary>
public sealed record AdmissionCandidate(string Name, PlanSpec Plan);

/// <summary>One line of `hako capacity`: a resource of the node now.</summary>
/// <param name="Committed">Σ limits.</param>
/// <param name="Guaranteed">Σ guarantees.</param>
/// <param name="ObservedPeak">Largest combined demand in the history.</param>
/// <param name="PredictedDemand">The rule's (1 − ε) demand.</param>
/// <param name="OverloadProbability">The rule's P(demand &gt; capacity); null if it has no model.</param>
/// <param name="Headroom">Capacity − predicted demand.</param>
/// <param name="MoreOfPlan">Containers of the asked plan that fit, when a plan was asked.</param>
public sealed record ResourceReport(
    CapacityResource Resource,
    double Capacity,
    double Committed,
    double Guaranteed,
    double ObservedPeak,
    double PredictedDemand,
    double? OverloadProbability,
    double Headroom,
    double Epsilon,
    string Rule,
    ResourceHeadroom? MoreOfPlan);

public sealed record CapacityReport(int Containers, int Buckets, IReadOnlyList<ResourceReport> Resources, HeadroomResult? Plan);

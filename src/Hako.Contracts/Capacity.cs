namespace Hako.Contracts;

/// <summary>
/// GET /v1/capacity: per resource, how full the node is and how likely it is to run out at ε,
/// from the recorded usage of its containers (docs/capacity.md).
/// </summary>
public sealed record CapacityInfo
{
    public required DateTimeOffset Time { get; init; }
    /// <summary>Target overload probability: the share of 5-minute buckets whose demand may exceed capacity.</summary>
    public required double Epsilon { get; init; }
    /// <summary>The planner's rule, e.g. max(combined-gaussian,peak).</summary>
    public required string Rule { get; init; }
    public required int Containers { get; init; }
    /// <summary>5-minute buckets of history the prediction is made from, and the time they cover.</summary>
    public required int Buckets { get; init; }
    public required double HistoryHours { get; init; }
    /// <summary>Start of the first bucket, when there is any history.</summary>
    public DateTimeOffset? HistoryFrom { get; init; }
    /// <summary>How best-effort creates are admitted now: "statistical" (the rule at ε) or "ratio" (overcommit ratios: too little history).</summary>
    public required string Admission { get; init; }
    /// <summary>Why, in a sentence (e.g. "6.0 h of usage history; the planner needs 1d").</summary>
    public required string AdmissionDetail { get; init; }
    public required IReadOnlyList<CapacityResourceInfo> Resources { get; init; }
    /// <summary>"K more containers of plan P", when a plan was asked.</summary>
    public CapacityPlanHeadroom? Plan { get; init; }
    /// <summary>Containers whose series were filled in, and how (own history with gaps, plan history, limit).</summary>
    public IReadOnlyList<CapacityContainerHistory> History { get; init; } = [];
}

/// <summary>One resource of <see cref="CapacityInfo"/>. CPU in cores, memory in bytes.</summary>
public sealed record CapacityResourceInfo
{
    /// <summary>"cpu" or "memory".</summary>
    public required string Resource { get; init; }
    /// <summary>"cores" or "B".</summary>
    public required string Unit { get; init; }
    /// <summary>What containers may use: the node's CPUs or RAM minus the host reserve.</summary>
    public required double Capacity { get; init; }
    /// <summary>Σ guarantees.</summary>
    public required double Guaranteed { get; init; }
    /// <summary>Σ limits (an unlimited container counts as the whole capacity).</summary>
    public required double Committed { get; init; }
    /// <summary>The largest combined demand in the history.</summary>
    public required double ObservedPeak { get; init; }
    /// <summary>The rule's (1 − ε) demand.</summary>
    public required double Predicted { get; init; }
    /// <summary>The rule's P(demand &gt; capacity) now; absent when the rule has no probability model.</summary>
    public double? OverloadProbability { get; init; }
    /// <summary>Capacity − predicted demand.</summary>
    public required double Headroom { get; init; }
    /// <summary>Whether admission holds this resource to ε (CPU only when an --overcommit-cpu ratio is set).</summary>
    public required bool Checked { get; init; }
    /// <summary>Containers of the asked plan that fit on this resource.</summary>
    public int? MoreOfPlan { get; init; }
}

/// <summary>How many more containers of a plan fit at ε, and how their demand was modelled.</summary>
public sealed record CapacityPlanHeadroom
{
    public required string Plan { get; init; }
    public required int More { get; init; }
    /// <summary>The resource that limits <see cref="More"/>.</summary>
    public required string LimitingResource { get; init; }
    /// <summary>"plan-history" (the plan's existing containers replayed), "plan-limit" (nothing known: each uses its limit) or "guarantee" (guaranteed plan).</summary>
    public required string Source { get; init; }
    /// <summary>Existing containers of the plan whose history was replayed.</summary>
    public required int SampleContainers { get; init; }
    /// <summary>The source in words.</summary>
    public required string SourceDetail { get; init; }
}

/// <summary>A container whose series is not all its own record.</summary>
/// <param name="Source">"own" (gaps carried over), "own-backfilled" (its peak before its first record), "plan-history" or "limit".</param>
public sealed record CapacityContainerHistory(string Name, string Source, int Recorded, int Filled, string? CopiedFrom);

/// <summary>`hako capacity backtest --json`: one row per resource, node size, ε and rule.</summary>
public sealed record CapacityBacktestInfo
{
    public required string Trace { get; init; }
    public required string Format { get; init; }
    public required int Tenants { get; init; }
    public required int Buckets { get; init; }
    public required int TrainBuckets { get; init; }
    public required int TestBuckets { get; init; }
    public required int Sets { get; init; }
    public required ulong Seed { get; init; }
    public required IReadOnlyList<CapacityBacktestRow> Rows { get; init; }
}

/// <param name="MeanOverload">Mean over nodes of the share of test buckets whose demand exceeded the prediction.</param>
/// <param name="NodesAboveEpsilon">Share of nodes whose overload exceeded ε.</param>
/// <param name="Capacity">Mean of predicted capacity / Σ provisioned (static allocation = 1).</param>
public sealed record CapacityBacktestRow(
    string Resource, int PerNode, double Epsilon, string Rule, double MeanOverload, double MaxOverload, double NodesAboveEpsilon, double Capacity);

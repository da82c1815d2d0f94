using Hako.Capacity.Rules;

namespace Hako.Capacity.Planning;

/// <summary>How much risk the operator accepts and which rule measures it.</summary>
public sealed record CapacityPolicy
{
    /// <summary>Target overload probability per resource (fraction of 5-minute buckets).</summary>
    public ResourceVector Epsilon { get; init; } = ResourceVector.Uniform(0.01);

    /// <summary>Rule for best-effort plans; guaranteed plans always use the sum of guarantees.</summary>
    public CapacityRule Rule { get; init; } = CapacityRules.Default;

    /// <summary>Headroom searches stop here (a plan with tiny limits could otherwise fit "millions").</summary>
    public int MaxHeadroom { get; init; } = 10_000;

    /// <summary>
    /// Resources that admission and headroom hold to ε. Others are still reported (demand,
    /// probability) but never refuse and never limit "K more": hakod leaves CPU out unless the
    /// operator sets a CPU overcommit ratio, because CPU is shared by weight and an overloaded CPU
    /// slows containers down instead of killing them.
    /// </summary>
    public IReadOnlyList<CapacityResource> Checked { get; init; } = ResourceVector.All;

    public bool IsChecked(CapacityResource resource) => Checked.Contains(resource);

    public static CapacityPolicy Default { get; } = new();
}

namespace Hako.Capacity.Planning;

/// <summary>
/// A snapshot prepared for planning: the combined series per resource is summed once and
/// per-container statistics are shared between the node and its plan groups. Build one per
/// snapshot and reuse it for reports, headroom and every admission decision against it.
/// </summary>
public sealed class NodeModel
{
    private readonly Dictionary<CapacityResource, ResourceHistory> _histories = [];
    private readonly Dictionary<CapacityResource, SeriesStats[]> _stats = [];
    private readonly Dictionary<(string Plan, CapacityResource Resource), PlanGroup> _groups = [];
    private readonly Lock _gate = new();

    private NodeModel(NodeSnapshot snapshot)
    {
        Snapshot = snapshot;
        foreach (var r in ResourceVector.All)
        {
            var stats = new SeriesStats[snapshot.Containers.Count];
            for (var i = 0; i < stats.Length; i++)
            {
                var c = snapshot.Containers[i];
                stats[i] = new SeriesStats(c.Series(r), c.Limit[r], c.Guarantee[r]);
            }
            _stats[r] = stats;
            _histories[r] = ResourceHistory.FromStats(r, snapshot.Capacity[r], stats, snapshot.BucketCount);
        }
    }

    public NodeSnapshot Snapshot { get; }

    /// <summary>Validates the snapshot (every problem at once) and precomputes the sums.</summary>
    public static NodeModel Prepare(NodeSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        snapshot.EnsureValid();
        return new NodeModel(snapshot);
    }

    public ResourceHistory History(CapacityResource resource) => _histories[resource];

    /// <summary>
    /// How new containers of <paramref name="plan"/> are modelled for one resource: the existing
    /// containers of that plan (largest mean first) when there are any, else a container that
    /// always uses the plan's limit.
    /// </summary>
    internal PlanGroup Group(PlanSpec plan, CapacityResource resource)
    {
        lock (_gate)
        {
            if (_groups.TryGetValue((plan.Name, resource), out var group))
            {
                return group;
            }
            var stats = _stats[resource];
            var members = new List<SeriesStats>();
            for (var i = 0; i < stats.Length; i++)
            {
                if (string.Equals(Snapshot.Containers[i].Plan, plan.Name, StringComparison.Ordinal))
                {
                    // The plan's limit and guarantee, not the member's: new containers are sold
                    // at today's plan even if old ones were resized.
                    members.Add(new SeriesStats(stats[i].Series, plan.Limit[resource], plan.Guarantee[resource]));
                }
            }
            DemandSource source;
            if (members.Count > 0)
            {
                source = DemandSource.PlanHistory;
                members.Sort((a, b) => b.Moments().Mean.CompareTo(a.Moments().Mean));
            }
            else
            {
                source = DemandSource.PlanLimit;
                var constant = new double[Snapshot.BucketCount];
                Array.Fill(constant, plan.Limit[resource]);
                members.Add(new SeriesStats(constant, plan.Limit[resource], plan.Guarantee[resource]));
            }
            group = new PlanGroup(source, members, ResourceHistory.FromStats(resource, Snapshot.Capacity[resource], members, Snapshot.BucketCount));
            _groups[(plan.Name, resource)] = group;
            return group;
        }
    }

    /// <summary>
    /// The node with <paramref name="count"/> more containers modelled by the group: whole
    /// rounds of all members as replicas, then the first (count mod m) members.
    /// </summary>
    internal ResourceHistory WithNew(PlanGroup group, CapacityResource resource, int count)
    {
        var baseline = _histories[resource];
        if (count == 0)
        {
            return baseline;
        }
        var m = group.Members.Count;
        var rounds = count / m;
        var rest = count % m;
        if (rest == 0)
        {
            return baseline.Plus((group.All, rounds));
        }
        var prefix = ResourceHistory.FromStats(resource, baseline.Capacity, group.Members.GetRange(0, rest), Snapshot.BucketCount);
        return baseline.Plus((group.All, rounds), (prefix, 1));
    }

    internal sealed record PlanGroup(DemandSource Source, List<SeriesStats> Members, ResourceHistory All);
}

/// <summary>Where the planner got the demand of containers that do not exist yet.</summary>
public enum DemandSource
{
    /// <summary>Replays the recorded series of the plan's existing containers on this node.</summary>
    PlanHistory,
    /// <summary>No container of the plan has history here: assumes each uses its full limit all the time.</summary>
    PlanLimit,
    /// <summary>Guaranteed plan: only the strict sum of guarantees counts.</summary>
    Guarantee,
}

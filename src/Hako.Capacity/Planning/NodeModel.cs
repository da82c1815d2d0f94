using System.Runtime.CompilerServices;

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

    private NodeModel(NodeSnapshot snapshot, NodeModel? previous)
    {
        Snapshot = snapshot;
        // No history at all (an empty node, or containers not sampled yet): one bucket in which
        // every container uses its limit, so nothing is ever assumed to be free.
        var noHistory = snapshot.BucketCount == 0;
        Buckets = noHistory ? 1 : snapshot.BucketCount;
        foreach (var r in ResourceVector.All)
        {
            // A series the previous model had (the same array: HistoryWindow keeps unchanged series) keeps its statistics.
            var known = new Dictionary<ReadOnlyMemory<double>, SeriesStats>();
            foreach (var s in previous is { Buckets: var b } && b == Buckets && !noHistory ? previous._stats[r] : [])
            {
                known.TryAdd(s.Series, s);
            }
            var stats = new SeriesStats[snapshot.Containers.Count];
            for (var i = 0; i < stats.Length; i++)
            {
                var c = snapshot.Containers[i];
                stats[i] = noHistory ? new SeriesStats(new[] { c.Limit[r] }, c.Limit[r], c.Guarantee[r])
                    : known.TryGetValue(c.Series(r), out var same) ? same.With(c.Limit[r], c.Guarantee[r])
                    : new SeriesStats(c.Series(r), c.Limit[r], c.Guarantee[r]);
            }
            _stats[r] = stats;
            _histories[r] = ResourceHistory.FromStats(r, snapshot.Capacity[r], stats, Buckets);
        }
    }

    /// <summary>Buckets in the model: the snapshot's, or 1 when it has no history.</summary>
    internal int Buckets { get; }

    public NodeSnapshot Snapshot { get; }

    /// <summary>
    /// Validates the snapshot (every problem at once) and precomputes the sums. With
    /// <paramref name="previous"/>, series that are the same arrays as there keep their statistics
    /// (the answers are the same; only the work is saved).
    /// </summary>
    public static NodeModel Prepare(NodeSnapshot snapshot, NodeModel? previous = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        snapshot.EnsureValid();
        return new NodeModel(snapshot, previous);
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
                    members.Add(stats[i].With(plan.Limit[resource], plan.Guarantee[resource]));
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
                var constant = new double[Buckets];
                Array.Fill(constant, plan.Limit[resource]);
                members.Add(new SeriesStats(constant, plan.Limit[resource], plan.Guarantee[resource]));
            }
            group = new PlanGroup(source, members, ResourceHistory.FromStats(resource, Snapshot.Capacity[resource], members, Buckets));
            _groups[(plan.Name, resource)] = group;
            return group;
        }
    }

    /// <summary>The node with <paramref name="count"/> more containers modelled by the group.</summary>
    internal ResourceHistory WithNew(PlanGroup group, CapacityResource resource, int count) =>
        new NewContainers(this, group, resource).History(count / group.Members.Count, count % group.Members.Count);

    /// <summary>
    /// The node plus k new containers of a plan: q whole rounds of the plan's m members as
    /// replicas, then the first r members (k = q·m + r). Keeps Σ of the first r members in one
    /// buffer and moves r by adding or subtracting members, so a search over q and then r
    /// costs O(T) per step plus O(m·T) in all, instead of O(m·T) per step.
    /// </summary>
    internal sealed class NewContainers(NodeModel node, PlanGroup group, CapacityResource resource)
    {
        private readonly double[] _prefix = new double[node.Buckets];
        private readonly double[] _extra = new double[node.Buckets];
        private int _r;

        public int Members => group.Members.Count;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public ResourceHistory History(int rounds, int rest)
        {
            if (rounds == 0 && rest == 0)
            {
                return node.History(resource);
            }
            MovePrefixTo(rest);
            var all = group.All.Combined;
            for (var i = 0; i < _extra.Length; i++)
            {
                _extra[i] = rounds * all[i] + _prefix[i];
            }
            return node.History(resource).Plus(_extra, Added(rounds, rest));
        }

        private IEnumerable<(SeriesStats, int)> Added(int rounds, int rest)
        {
            for (var i = 0; i < group.Members.Count; i++)
            {
                yield return (group.Members[i], rounds + (i < rest ? 1 : 0));
            }
        }

        private void MovePrefixTo(int rest)
        {
            while (_r < rest)
            {
                ResourceHistory.AddScaled(_prefix, group.Members[_r++].Series.Span, 1);
            }
            while (_r > rest)
            {
                ResourceHistory.AddScaled(_prefix, group.Members[--_r].Series.Span, -1);
            }
            if (_r == 0)
            {
                Array.Clear(_prefix); // no drift from add-then-subtract
            }
        }
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

using System.Runtime.CompilerServices;
using Hako.Capacity.Statistics;

namespace Hako.Capacity;

/// <summary>
/// One resource of one node, prepared for the rules: the combined series (Σ of the containers'
/// demand per bucket) is summed once, and per-container statistics are computed on first use
/// and cached, so many rules, ε values and headroom steps reuse them. Immutable to callers;
/// safe to share between threads.
/// </summary>
public sealed class ResourceHistory
{
    private readonly double[] _combined;
    private readonly Member[] _members;
    private readonly Lock _gate = new();
    private (double Mean, double Variance)? _moments;
    private double? _peak;
    private readonly Dictionary<double, double> _combinedQuantiles = [];

    private ResourceHistory(CapacityResource resource, double capacity, double[] combined, Member[] members)
    {
        Resource = resource;
        Capacity = capacity;
        _combined = combined;
        _members = members;
        foreach (var m in members)
        {
            LimitSum += m.Times * m.Stats.Limit;
            GuaranteeSum += m.Times * m.Stats.Guarantee;
            ContainerCount += m.Times;
        }
    }

    public CapacityResource Resource { get; }

    /// <summary>The node's capacity for this resource.</summary>
    public double Capacity { get; }

    /// <summary>Containers counted (added replicas count once each).</summary>
    public int ContainerCount { get; }

    public int BucketCount => _combined.Length;

    /// <summary>Σ of the containers' limits.</summary>
    public double LimitSum { get; }

    /// <summary>Σ of the containers' guarantees.</summary>
    public double GuaranteeSum { get; }

    /// <summary>The node's combined demand per bucket.</summary>
    public ReadOnlySpan<double> Combined => _combined;

    /// <summary>One resource of a snapshot (validates it first).</summary>
    public static ResourceHistory FromSnapshot(NodeSnapshot snapshot, CapacityResource resource)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        snapshot.EnsureValid();
        var containers = new List<(ReadOnlyMemory<double>, double, double)>(snapshot.Containers.Count);
        foreach (var c in snapshot.Containers)
        {
            containers.Add((c.Series(resource), c.Limit[resource], c.Guarantee[resource]));
        }
        return Create(resource, snapshot.Capacity[resource], containers, snapshot.BucketCount);
    }

    /// <summary>From raw series, all of <paramref name="bucketCount"/> buckets.</summary>
    public static ResourceHistory Create(
        CapacityResource resource,
        double capacity,
        IReadOnlyList<(ReadOnlyMemory<double> Series, double Limit, double Guarantee)> containers,
        int bucketCount)
    {
        ArgumentNullException.ThrowIfNull(containers);
        var stats = new SeriesStats[containers.Count];
        for (var i = 0; i < stats.Length; i++)
        {
            var (series, limit, guarantee) = containers[i];
            if (series.Length != bucketCount)
            {
                throw new ArgumentException(
                    $"Container {i} has {series.Length} buckets; expected {bucketCount}.", nameof(containers));
            }
            stats[i] = new SeriesStats(series, limit, guarantee);
        }
        return FromStats(resource, capacity, stats, bucketCount);
    }

    internal static ResourceHistory FromStats(CapacityResource resource, double capacity, IReadOnlyList<SeriesStats> stats, int bucketCount)
    {
        var combined = new double[bucketCount];
        var members = new Member[stats.Count];
        for (var i = 0; i < stats.Count; i++)
        {
            Add(combined, stats[i].Series.Span, 1);
            members[i] = new Member(stats[i], 1);
        }
        return new ResourceHistory(resource, capacity, combined, members);
    }

    /// <summary>
    /// This node plus other groups of containers, each counted <c>Times</c> times as exact
    /// replicas (same series, fully correlated). Per-container statistics are shared, not
    /// recomputed; the combined series costs one pass per added group.
    /// </summary>
    public ResourceHistory Plus(params ReadOnlySpan<(ResourceHistory Group, int Times)> groups)
    {
        var combined = (double[])_combined.Clone();
        var members = new List<Member>(_members);
        foreach (var (group, times) in groups)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(times);
            if (times == 0)
            {
                continue;
            }
            if (group.BucketCount != BucketCount)
            {
                throw new ArgumentException($"Group has {group.BucketCount} buckets; this node has {BucketCount}.", nameof(groups));
            }
            Add(combined, group._combined, times);
            foreach (var m in group._members)
            {
                members.Add(m with { Times = m.Times * times });
            }
        }
        return new ResourceHistory(Resource, Capacity, combined, [.. members]);
    }

    /// <summary>
    /// This node plus containers whose combined series is already summed in
    /// <paramref name="extraCombined"/> (the headroom search keeps it in a reused buffer).
    /// </summary>
    internal ResourceHistory Plus(ReadOnlySpan<double> extraCombined, IEnumerable<(SeriesStats Stats, int Times)> extraMembers)
    {
        var combined = new double[_combined.Length];
        for (var i = 0; i < combined.Length; i++)
        {
            combined[i] = _combined[i] + extraCombined[i];
        }
        var members = new List<Member>(_members.Length + 64);
        members.AddRange(_members);
        foreach (var (stats, times) in extraMembers)
        {
            if (times > 0)
            {
                members.Add(new Member(stats, times));
            }
        }
        return new ResourceHistory(Resource, Capacity, combined, [.. members]);
    }

    /// <summary>Adds <paramref name="times"/> × <paramref name="series"/> into <paramref name="into"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AddScaled(Span<double> into, ReadOnlySpan<double> series, double times)
    {
        for (var i = 0; i < into.Length; i++)
        {
            into[i] += times * series[i];
        }
    }

    /// <summary>Mean and population variance of the combined series.</summary>
    public (double Mean, double Variance) CombinedMoments()
    {
        lock (_gate)
        {
            return _moments ??= Quantiles.MeanVariance(_combined);
        }
    }

    /// <summary>The largest combined demand seen.</summary>
    public double CombinedPeak()
    {
        lock (_gate)
        {
            return _peak ??= Quantiles.Max(_combined);
        }
    }

    /// <summary>Empirical (1 − ε) quantile of the combined series (see <see cref="Quantiles.UpperQuantile"/>).</summary>
    public double CombinedQuantile(double epsilon)
    {
        lock (_gate)
        {
            if (!_combinedQuantiles.TryGetValue(epsilon, out var q))
            {
                q = Quantiles.UpperQuantile(_combined, epsilon);
                _combinedQuantiles[epsilon] = q;
            }
            return q;
        }
    }

    /// <summary>Fraction of buckets whose combined demand exceeds <paramref name="capacity"/>.</summary>
    public double FractionAbove(double capacity) => Quantiles.FractionAbove(_combined, capacity);

    /// <summary>Σ of the containers' mean demands.</summary>
    public double SumOfMeans()
    {
        var sum = 0.0;
        foreach (var m in _members)
        {
            sum += m.Times * m.Stats.Moments().Mean;
        }
        return sum;
    }

    /// <summary>Σ of the containers' variances (the variance of the sum if they were independent).</summary>
    public double SumOfVariances()
    {
        var sum = 0.0;
        foreach (var m in _members)
        {
            sum += m.Times * m.Stats.Moments().Variance;
        }
        return sum;
    }

    /// <summary>Σ of the containers' own (1 − ε) quantiles.</summary>
    public double SumOfQuantiles(double epsilon)
    {
        var sum = 0.0;
        foreach (var m in _members)
        {
            sum += m.Times * m.Stats.Quantile(epsilon);
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Add(double[] into, ReadOnlySpan<double> series, int times)
    {
        var vectors = System.Numerics.Vector<double>.Count;
        var i = 0;
        var scale = new System.Numerics.Vector<double>(times);
        for (; i <= into.Length - vectors; i += vectors)
        {
            var sum = new System.Numerics.Vector<double>(into.AsSpan(i)) + scale * new System.Numerics.Vector<double>(series[i..]);
            sum.CopyTo(into.AsSpan(i));
        }
        for (; i < into.Length; i++)
        {
            into[i] += times * series[i];
        }
    }

    private readonly record struct Member(SeriesStats Stats, int Times);
}

/// <summary>
/// One container's series and commitments, with the series' statistics cached on first use. The
/// cache belongs to the series: copies with other commitments (<see cref="With"/>) share it.
/// </summary>
internal sealed class SeriesStats
{
    private readonly Statistics _statistics;

    public SeriesStats(ReadOnlyMemory<double> series, double limit, double guarantee)
        : this(series, limit, guarantee, new Statistics(series))
    {
    }

    private SeriesStats(ReadOnlyMemory<double> series, double limit, double guarantee, Statistics statistics) =>
        (Series, Limit, Guarantee, _statistics) = (series, limit, guarantee, statistics);

    public ReadOnlyMemory<double> Series { get; }
    public double Limit { get; }
    public double Guarantee { get; }

    /// <summary>The same series (and its cached statistics) with other commitments.</summary>
    public SeriesStats With(double limit, double guarantee) => new(Series, limit, guarantee, _statistics);

    public (double Mean, double Variance) Moments() => _statistics.Moments();

    public double Quantile(double epsilon) => _statistics.Quantile(epsilon);

    private sealed class Statistics(ReadOnlyMemory<double> series)
    {
        private readonly Lock _gate = new();
        private (double Mean, double Variance)? _moments;
        private readonly Dictionary<double, double> _quantiles = [];

        public (double Mean, double Variance) Moments()
        {
            lock (_gate)
            {
                return _moments ??= Quantiles.MeanVariance(series.Span);
            }
        }

        public double Quantile(double epsilon)
        {
            lock (_gate)
            {
                if (!_quantiles.TryGetValue(epsilon, out var q))
                {
                    q = Quantiles.UpperQuantile(series.Span, epsilon);
                    _quantiles[epsilon] = q;
                }
                return q;
            }
        }
    }
}

using Hako.Capacity.Rules;

namespace Hako.Capacity.Backtest;

/// <summary>What to replay: node size, train/test split, risk target, and the random nodes.</summary>
public sealed record BacktestOptions
{
    /// <summary>Tenants per simulated node (drawn without replacement).</summary>
    public required int PerNode { get; init; }

    /// <summary>Days at the start of the trace the rules are fitted on; the rest is the test.</summary>
    public required double TrainDays { get; init; }

    public required double Epsilon { get; init; }

    /// <summary>Random nodes to build.</summary>
    public int Sets { get; init; } = 100;

    public ulong Seed { get; init; } = 1;

    public IReadOnlyList<CapacityRule> Rules { get; init; } = CapacityRules.All;

    public IReadOnlyList<CapacityResource> Resources { get; init; } = ResourceVector.All;
}

/// <summary>One rule on one simulated node for one resource.</summary>
/// <param name="Predicted">Capacity the rule asked for, fitted on the training days.</param>
/// <param name="Provisioned">Σ of the tenants' provisioned sizes during training.</param>
/// <param name="OverloadRate">Fraction of test buckets whose combined demand exceeded <paramref name="Predicted"/>.</param>
public sealed record NodeOutcome(int Set, CapacityResource Resource, string Rule, double Predicted, double Provisioned, double OverloadRate)
{
    public double RelativeCapacity => Provisioned > 0 ? Predicted / Provisioned : double.NaN;
}

/// <summary>One rule for one resource over all simulated nodes.</summary>
/// <param name="MeanOverloadRate">Mean over nodes of the observed overload rate in the test period.</param>
/// <param name="ShareAboveEpsilon">Share of nodes whose observed overload rate exceeded ε.</param>
/// <param name="MeanRelativeCapacity">Mean over nodes of predicted capacity / Σ provisioned (static = 1).</param>
public sealed record RuleSummary(
    CapacityResource Resource,
    string Rule,
    double Epsilon,
    int Nodes,
    double MeanOverloadRate,
    double MaxOverloadRate,
    double ShareAboveEpsilon,
    double MeanRelativeCapacity);

public sealed record BacktestResult(
    BacktestOptions Options,
    int TrainBuckets,
    int TestBuckets,
    IReadOnlyList<IReadOnlyList<int>> Nodes,
    IReadOnlyList<NodeOutcome> Outcomes,
    IReadOnlyList<RuleSummary> Summaries);

/// <summary>
/// Replays a trace: K random nodes of N tenants, each rule fitted on the first D days and
/// judged on the rest. Deterministic for a given trace, options and seed.
/// </summary>
public static class Backtester
{
    /// <summary>Per-tenant statistics of the training window, reusable across runs of one trace.</summary>
    public sealed class Prepared
    {
        internal Prepared(Trace trace, int trainBuckets, Dictionary<CapacityResource, SeriesStats[]> stats)
        {
            Trace = trace;
            TrainBuckets = trainBuckets;
            Stats = stats;
        }

        public Trace Trace { get; }
        public int TrainBuckets { get; }
        internal Dictionary<CapacityResource, SeriesStats[]> Stats { get; }
    }

    /// <summary>Splits the trace at <paramref name="trainDays"/> and caches per-tenant statistics.</summary>
    public static Prepared Prepare(Trace trace, double trainDays)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var train = (int)Math.Round(trainDays * trace.BucketsPerDay);
        if (train <= 0 || train >= trace.BucketCount)
        {
            throw new ArgumentOutOfRangeException(nameof(trainDays), trainDays,
                $"the trace covers {trace.BucketCount / (double)trace.BucketsPerDay:0.#} days; train on more than 0 and fewer than that");
        }
        var stats = new Dictionary<CapacityResource, SeriesStats[]>();
        foreach (var r in ResourceVector.All)
        {
            var arr = new SeriesStats[trace.Tenants.Count];
            for (var i = 0; i < arr.Length; i++)
            {
                var t = trace.Tenants[i];
                var provisioned = t.Provisioned(r);
                var limit = MaxOf(provisioned.AsSpan(0, train));
                if (limit <= 0)
                {
                    // Absent during training: it still has a size once it arrives.
                    limit = MaxOf(provisioned);
                }
                arr[i] = new SeriesStats(t.Usage(r).AsMemory(0, train), limit, 0);
            }
            stats[r] = arr;
        }
        return new Prepared(trace, train, stats);
    }

    public static BacktestResult Run(Trace trace, BacktestOptions options) => Run(Prepare(trace, options.TrainDays), options);

    public static BacktestResult Run(Prepared prepared, BacktestOptions options)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(options);
        var trace = prepared.Trace;
        CapacityRule.CheckEpsilon(options.Epsilon);
        if (options.PerNode < 1 || options.PerNode > trace.Tenants.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PerNode,
                $"--per-node must be between 1 and the trace's {trace.Tenants.Count} tenants");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Sets, 1);

        var nodes = DrawNodes(trace.Tenants.Count, options.PerNode, options.Sets, options.Seed);
        var train = prepared.TrainBuckets;
        var test = trace.BucketCount - train;
        var resources = options.Resources;
        var rules = options.Rules;
        var outcomes = new NodeOutcome[options.Sets, resources.Count, rules.Count];

        Parallel.For(0, options.Sets, () => new double[test], (set, _, testSum) =>
        {
            var members = nodes[set];
            for (var ri = 0; ri < resources.Count; ri++)
            {
                var r = resources[ri];
                var stats = new SeriesStats[members.Count];
                Array.Clear(testSum);
                for (var i = 0; i < members.Count; i++)
                {
                    stats[i] = prepared.Stats[r][members[i]];
                    var usage = trace.Tenants[members[i]].Usage(r).AsSpan(train);
                    for (var b = 0; b < test; b++)
                    {
                        testSum[b] += usage[b];
                    }
                }
                var history = ResourceHistory.FromStats(r, double.PositiveInfinity, stats, train);
                for (var k = 0; k < rules.Count; k++)
                {
                    var predicted = rules[k].PredictDemand(history, options.Epsilon);
                    outcomes[set, ri, k] = new NodeOutcome(set, r, rules[k].Name, predicted, history.LimitSum,
                        Statistics.Quantiles.FractionAbove(testSum, predicted));
                }
            }
            return testSum;
        }, _ => { });

        var flat = new List<NodeOutcome>(outcomes.Length);
        var summaries = new List<RuleSummary>();
        for (var ri = 0; ri < resources.Count; ri++)
        {
            for (var k = 0; k < rules.Count; k++)
            {
                var list = new List<NodeOutcome>(options.Sets);
                for (var set = 0; set < options.Sets; set++)
                {
                    list.Add(outcomes[set, ri, k]);
                }
                flat.AddRange(list);
                summaries.Add(new RuleSummary(resources[ri], rules[k].Name, options.Epsilon, list.Count,
                    list.Average(o => o.OverloadRate),
                    list.Max(o => o.OverloadRate),
                    list.Count(o => o.OverloadRate > options.Epsilon) / (double)list.Count,
                    list.Average(o => o.RelativeCapacity)));
            }
        }
        return new BacktestResult(options, train, test, nodes, flat, summaries);
    }

    /// <summary>K sets of N distinct tenant indices (partial Fisher–Yates, SplitMix64).</summary>
    internal static IReadOnlyList<IReadOnlyList<int>> DrawNodes(int tenants, int perNode, int sets, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var result = new List<IReadOnlyList<int>>(sets);
        var pool = new int[tenants];
        for (var s = 0; s < sets; s++)
        {
            for (var i = 0; i < tenants; i++)
            {
                pool[i] = i;
            }
            for (var i = 0; i < perNode; i++)
            {
                var j = i + rng.Next(tenants - i);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }
            var node = pool[..perNode];
            Array.Sort(node);
            result.Add(node);
        }
        return result;
    }

    private static double MaxOf(ReadOnlySpan<double> values) => Statistics.Quantiles.Max(values);
}

/// <summary>SplitMix64: a tiny seeded generator whose sequence never changes between .NET versions.</summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, n) without modulo bias (Lemire's multiply-shift with rejection).</summary>
    public int Next(int n)
    {
        var bound = (ulong)n;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var x = NextUInt64();
            var m = Math.BigMul(x, bound, out var low);
            if (low >= threshold)
            {
                return (int)m;
            }
        }
    }
}

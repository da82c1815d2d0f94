namespace Hako.Capacity;

/// <summary>A container as the gatherer knows it: its plan, commitments and recorded buckets.</summary>
/// <param name="Limit">Limits; <see cref="double.PositiveInfinity"/> = unlimited (counted as the node's capacity).</param>
/// <param name="History">
/// Recorded bucket means, any order; a NaN value = that metric was not recorded in that bucket
/// (e.g. the first bucket of a CPU counter, which needs two samples for a rate).
/// </param>
public sealed record ContainerHistory(
    string Name,
    string? Plan,
    ResourceVector Guarantee,
    ResourceVector Limit,
    IReadOnlyList<BucketMean> History);

/// <summary>One recorded bucket: its start and the mean CPU (cores) and memory (bytes) in it.</summary>
public readonly record struct BucketMean(DateTimeOffset Start, double Cpu, double Memory);

/// <summary>Where a container's series in the snapshot came from.</summary>
public enum HistorySource
{
    /// <summary>Its own buckets, covering the whole window (gaps carry the last value).</summary>
    Own,
    /// <summary>Its own buckets; the buckets before its first record hold its own recorded peak.</summary>
    OwnBackfilled,
    /// <summary>No record of its own: a copy of the same plan's container with the largest mean, capped at its limit.</summary>
    PlanHistory,
    /// <summary>No record of its own and none of its plan: its limit in every bucket.</summary>
    Limit,
}

/// <summary>How one container's series was made.</summary>
/// <param name="Recorded">Buckets of its own in the window.</param>
/// <param name="Filled">Buckets filled in: gaps carried over, backfilled, or all of them (plan history, limit).</param>
/// <param name="SourceContainer">For <see cref="HistorySource.PlanHistory"/>, the container copied for memory.</param>
public sealed record ContainerHistoryInfo(string Name, HistorySource Source, int Recorded, int Filled, string? SourceContainer);

/// <summary>A snapshot and how each container's series was made.</summary>
/// <param name="Covered">The time the node's history covers: bucket count × bucket length.</param>
public sealed record BuiltSnapshot(NodeSnapshot Snapshot, IReadOnlyList<ContainerHistoryInfo> Containers, TimeSpan Covered);

/// <summary>
/// Turns recorded buckets into a <see cref="NodeSnapshot"/>: every series on the same buckets,
/// no holes. Pure: hakod reads the usage store and calls this.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Buckets: from the earliest record of any container (but not before
/// <c>windowStart</c>) up to the bucket holding <c>end</c>, excluded (it is still filling).</item>
/// <item>A gap inside a container's record (hakod down, the container stopped, a missed
/// compaction) carries its last value: a stopped container may start again at any time, so it
/// keeps counting what it used.</item>
/// <item>Buckets before a container's first record (it is younger than the node's history)
/// hold its own recorded peak: it exists now and will go on existing, and zeros would
/// understate it. Its own peak rather than its limit, so one new container without a limit
/// does not block the node for a whole window.</item>
/// <item>A container with no record at all is a new container: it copies the same plan's
/// container with the largest mean (capped at its own limit), or uses its limit in every
/// bucket when no container of its plan has a record (<see cref="HistorySource"/>).</item>
/// <item>Unlimited limits count as the node's capacity.</item>
/// </list>
/// </remarks>
public static class SnapshotBuilder
{
    public static BuiltSnapshot Build(
        ResourceVector capacity,
        IReadOnlyList<ContainerHistory> containers,
        IReadOnlyList<PlanSpec> plans,
        DateTimeOffset windowStart,
        DateTimeOffset end,
        TimeSpan bucketLength)
    {
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(plans);
        if (bucketLength <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(bucketLength), bucketLength, "The bucket length must be positive.");
        }

        var last = Align(end, bucketLength); // exclusive: the bucket holding `end` is not complete
        var first = last;
        var from = Align(windowStart, bucketLength);
        foreach (var c in containers)
        {
            foreach (var b in c.History)
            {
                if (b.Start >= from && b.Start < first)
                {
                    first = Align(b.Start, bucketLength);
                }
            }
        }
        var n = (int)((last - first).Ticks / bucketLength.Ticks);
        var cpu = new double[containers.Count][];
        var memory = new double[containers.Count][];
        var infos = new ContainerHistoryInfo[containers.Count];
        var limits = new ResourceVector[containers.Count];
        for (var i = 0; i < containers.Count; i++)
        {
            var c = containers[i];
            limits[i] = new ResourceVector(Finite(c.Limit.Cpu, capacity.Cpu), Finite(c.Limit.Memory, capacity.Memory));
            cpu[i] = new double[n];
            memory[i] = new double[n];
            var seenCpu = Place(c.History, first, bucketLength, n, cpu[i], b => b.Cpu);
            var seenMemory = Place(c.History, first, bucketLength, n, memory[i], b => b.Memory);
            var recorded = 0;
            for (var t = 0; t < n; t++)
            {
                recorded += seenCpu[t] || seenMemory[t] ? 1 : 0;
            }
            if (recorded == 0)
            {
                infos[i] = new ContainerHistoryInfo(c.Name, HistorySource.Limit, 0, n, null);
                continue;
            }
            Fill(cpu[i], seenCpu);
            Fill(memory[i], seenMemory);
            var firstOwn = Math.Min(Array.IndexOf(seenCpu, true) is var fc and >= 0 ? fc : n, Array.IndexOf(seenMemory, true) is var fm and >= 0 ? fm : n);
            infos[i] = new ContainerHistoryInfo(c.Name, firstOwn > 0 ? HistorySource.OwnBackfilled : HistorySource.Own, recorded, n - recorded, null);
        }

        // Containers without a record of their own: copy their plan's busiest container, else the limit.
        for (var i = 0; i < containers.Count; i++)
        {
            if (infos[i].Source != HistorySource.Limit)
            {
                continue;
            }
            var c = containers[i];
            var peerCpu = Busiest(containers, infos, cpu, c.Plan);
            var peerMemory = Busiest(containers, infos, memory, c.Plan);
            if (peerCpu >= 0 && peerMemory >= 0)
            {
                CopyCapped(cpu[peerCpu], cpu[i], limits[i].Cpu);
                CopyCapped(memory[peerMemory], memory[i], limits[i].Memory);
                infos[i] = infos[i] with { Source = HistorySource.PlanHistory, SourceContainer = containers[peerMemory].Name };
            }
            else
            {
                Array.Fill(cpu[i], limits[i].Cpu);
                Array.Fill(memory[i], limits[i].Memory);
            }
        }

        var usages = new ContainerUsage[containers.Count];
        for (var i = 0; i < containers.Count; i++)
        {
            usages[i] = new ContainerUsage
            {
                Name = containers[i].Name,
                Plan = containers[i].Plan,
                Guarantee = containers[i].Guarantee,
                Limit = limits[i],
                Cpu = cpu[i],
                Memory = memory[i],
            };
        }
        var snapshot = new NodeSnapshot
        {
            Capacity = capacity,
            Containers = usages,
            Plans = plans,
            Start = first,
            BucketLength = bucketLength,
        };
        return new BuiltSnapshot(snapshot, infos, bucketLength * n);
    }

    /// <summary>The start of the bucket holding <paramref name="time"/> (buckets are aligned to the Unix epoch).</summary>
    public static DateTimeOffset Align(DateTimeOffset time, TimeSpan bucketLength)
    {
        var ticks = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / bucketLength.Ticks * bucketLength.Ticks;
        return DateTimeOffset.UnixEpoch.AddTicks(ticks);
    }

    private static double Finite(double limit, double capacity) => double.IsFinite(limit) ? limit : capacity;

    private static bool[] Place(IReadOnlyList<BucketMean> history, DateTimeOffset first, TimeSpan bucketLength, int n, double[] series, Func<BucketMean, double> value)
    {
        var seen = new bool[n];
        foreach (var b in history)
        {
            var v = value(b);
            var t = (b.Start - first).Ticks / bucketLength.Ticks;
            if (b.Start < first || t >= n || !double.IsFinite(v))
            {
                continue;
            }
            series[t] = Math.Max(0, v);
            seen[t] = true;
        }
        return seen;
    }

    /// <summary>Carries the last value over gaps and writes the series' peak before its first record.</summary>
    private static void Fill(double[] series, bool[] seen)
    {
        var firstSeen = Array.IndexOf(seen, true);
        if (firstSeen < 0)
        {
            // This metric was never recorded (another one was): nothing known, leave 0.
            return;
        }
        var peak = 0.0;
        for (var t = firstSeen; t < series.Length; t++)
        {
            if (seen[t])
            {
                peak = Math.Max(peak, series[t]);
            }
            else
            {
                series[t] = series[t - 1];
            }
        }
        Array.Fill(series, peak, 0, firstSeen);
    }

    private static int Busiest(IReadOnlyList<ContainerHistory> containers, ContainerHistoryInfo[] infos, double[][] series, string? plan)
    {
        var best = -1;
        var bestMean = double.NegativeInfinity;
        for (var j = 0; j < containers.Count; j++)
        {
            if (infos[j].Source is HistorySource.Own or HistorySource.OwnBackfilled &&
                string.Equals(containers[j].Plan, plan, StringComparison.Ordinal))
            {
                var mean = series[j].Length == 0 ? 0 : series[j].Average();
                if (mean > bestMean)
                {
                    (best, bestMean) = (j, mean);
                }
            }
        }
        return best;
    }

    private static void CopyCapped(double[] source, double[] target, double cap)
    {
        for (var t = 0; t < source.Length; t++)
        {
            target[t] = Math.Min(source[t], cap);
        }
    }
}

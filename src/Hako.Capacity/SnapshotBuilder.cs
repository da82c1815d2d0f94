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

/// <summary>A container's plan and commitments, without its history (<see cref="HistoryWindow"/> keeps that).</summary>
/// <param name="Limit">Limits; <see cref="double.PositiveInfinity"/> = unlimited (counted as the node's capacity).</param>
public sealed record ContainerCommitments(string Name, string? Plan, ResourceVector Guarantee, ResourceVector Limit);

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
    /// <summary>The snapshot of <paramref name="containers"/> from scratch (see <see cref="HistoryWindow"/> to keep the aligned buckets between snapshots).</summary>
    public static BuiltSnapshot Build(
        ResourceVector capacity,
        IReadOnlyList<ContainerHistory> containers,
        IReadOnlyList<PlanSpec> plans,
        DateTimeOffset windowStart,
        DateTimeOffset end,
        TimeSpan bucketLength)
    {
        ArgumentNullException.ThrowIfNull(containers);
        var window = new HistoryWindow(bucketLength);
        var from = Align(windowStart, bucketLength);
        var last = Align(end, bucketLength);
        foreach (var c in containers)
        {
            // Buckets outside [from, last) never count; leaving them out keeps the aligned arrays short.
            window.Append(c.Name, c.History.Where(b => b.Start >= from && b.Start < last));
        }
        return window.Build(capacity, [.. containers.Select(c => new ContainerCommitments(c.Name, c.Plan, c.Guarantee, c.Limit))], plans, windowStart, end);
    }

    /// <summary>The start of the bucket holding <paramref name="time"/> (buckets are aligned to the Unix epoch).</summary>
    public static DateTimeOffset Align(DateTimeOffset time, TimeSpan bucketLength)
    {
        var ticks = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / bucketLength.Ticks * bucketLength.Ticks;
        return DateTimeOffset.UnixEpoch.AddTicks(ticks);
    }
}

using Hako.Core.Usage;

namespace Hako.State;

/// <summary>
/// Usage history: raw samples as the sampler took them, and aggregates over fixed buckets once
/// the raw samples are compacted. Series are container names, or <see cref="UsageSample.NodeSeries"/>.
/// </summary>
public interface IUsageStore : IDisposable
{
    /// <summary>Stores one sweep's samples in one transaction.</summary>
    void AppendRaw(IReadOnlyCollection<UsageSample> samples);

    /// <summary>The raw samples of a series with <paramref name="from"/> ≤ time &lt; <paramref name="to"/>, oldest first.</summary>
    IReadOnlyList<UsageSample> ReadRaw(string series, DateTimeOffset from, DateTimeOffset to);

    /// <summary>The newest raw sample before <paramref name="time"/>, to compute the first rate of a range.</summary>
    UsageSample? RawBefore(string series, DateTimeOffset time);

    /// <summary>Stores buckets (time = bucket start) of <paramref name="span"/>; a bucket stored again replaces the old one.</summary>
    void AppendAggregates(string series, TimeSpan span, IReadOnlyList<(UsagePoint Bucket, int Samples)> buckets);

    /// <summary>The aggregates of a series with <paramref name="from"/> ≤ bucket start &lt; <paramref name="to"/>, oldest first.</summary>
    IReadOnlyList<UsagePoint> ReadAggregates(string series, DateTimeOffset from, DateTimeOffset to);

    /// <summary>
    /// The bucket means of a few metrics for every series, each from its own start time (bucket
    /// start ≥ <c>from</c>, or every stored bucket when the series is not in the dictionary) to the
    /// newest: what the capacity planner reads, incrementally. Null where the metric was not recorded.
    /// </summary>
    IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset Time, double?[] Means)>> ReadMeans(
        IReadOnlyList<UsageMetric> metrics, IReadOnlyDictionary<string, DateTimeOffset> from, DateTimeOffset defaultFrom);

    /// <summary>The start of the newest stored bucket of each series that has any.</summary>
    IReadOnlyDictionary<string, DateTimeOffset> LastAggregates();

    /// <summary>The time of the oldest raw sample of each series that has any.</summary>
    IReadOnlyDictionary<string, DateTimeOffset> FirstRaw();

    /// <summary>Deletes raw samples older than <paramref name="rawBefore"/> and aggregates older than <paramref name="aggregatesBefore"/>.</summary>
    void Prune(DateTimeOffset rawBefore, DateTimeOffset aggregatesBefore);

    /// <summary>Forgets a series entirely (its container was destroyed).</summary>
    void DeleteSeries(string series);

    /// <summary>Rows held, for the bench and `hako node`: raw samples and aggregates.</summary>
    (long Raw, long Aggregates) RowCounts();
}

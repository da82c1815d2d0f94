using Hako.Core.Usage;

namespace Hako.State;

/// <summary>How long usage history is kept, and at what resolution.</summary>
/// <param name="Interval">The sample interval; rates across gaps longer than three of these are left empty.</param>
/// <param name="Raw">Raw samples are kept this long.</param>
/// <param name="Bucket">Then aggregates (mean, max, p95) per bucket of this length...</param>
/// <param name="Keep">...for this long.</param>
public sealed record UsageRetention(TimeSpan Interval, TimeSpan Raw, TimeSpan Bucket, TimeSpan Keep)
{
    public TimeSpan MaxGap => Interval * 3;
}

/// <summary>
/// Downsampling and retention of usage history: complete buckets of raw samples become
/// aggregates (each bucket once, when it is complete), raw samples older than the raw retention
/// and aggregates older than the aggregate retention are deleted, and series of containers that
/// no longer exist are forgotten.
/// </summary>
public static class UsageCompactor
{
    public static void Compact(IUsageStore usage, UsageRetention retention, DateTimeOffset now, Func<string, bool> seriesExists)
    {
        var complete = UsageMath.BucketStart(now, retention.Bucket);
        var last = usage.LastAggregates();
        foreach (var (series, firstRaw) in usage.FirstRaw())
        {
            var from = last.TryGetValue(series, out var l) ? l + retention.Bucket : UsageMath.BucketStart(firstRaw, retention.Bucket);
            if (from >= complete)
            {
                continue;
            }

            var samples = usage.ReadRaw(series, from, complete);
            if (samples.Count > 0)
            {
                var points = UsageMath.Points(samples, retention.MaxGap, usage.RawBefore(series, from));
                usage.AppendAggregates(series, retention.Bucket, UsageMath.Buckets(points, retention.Bucket));
            }
        }

        usage.Prune(now - retention.Raw, now - retention.Keep);
        foreach (var series in usage.LastAggregates().Keys.Concat(usage.FirstRaw().Keys).Distinct().ToList())
        {
            if (series != UsageSample.NodeSeries && !seriesExists(series))
            {
                usage.DeleteSeries(series);
            }
        }
    }
}

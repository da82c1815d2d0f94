namespace Hako.Core.Usage;

/// <summary>
/// Pure arithmetic over stored samples: counters into rates, samples into buckets with mean,
/// maximum and 95th percentile, and long series into fewer points for a chart.
/// </summary>
public static class UsageMath
{
    /// <summary>
    /// One point per sample, in display units. A counter's value is its rate since the previous
    /// sample; it is null for the first sample, after a gap longer than <paramref name="maxGap"/>
    /// (hakod or the container was down: a rate over the gap would be an invented average), and
    /// when the counter went down (the container restarted: its counters began again at zero, so
    /// the rate counts from zero over the interval).
    /// </summary>
    /// <param name="samples">One series, oldest first.</param>
    /// <param name="previous">The sample just before the first one, if known, so the first point gets its rates.</param>
    public static IReadOnlyList<UsagePoint> Points(IReadOnlyList<UsageSample> samples, TimeSpan maxGap, UsageSample? previous = null)
    {
        var points = new List<UsagePoint>(samples.Count);
        var prev = previous;
        foreach (var s in samples)
        {
            var values = new UsageValue?[UsageMetrics.Count];
            var dt = prev is null ? 0 : (s.Time - prev.Time).TotalSeconds;
            foreach (var m in UsageMetrics.All)
            {
                var i = (int)m.Metric;
                if (s.Values[i] is not { } v)
                {
                    continue;
                }

                if (m.Kind == MetricKind.Gauge)
                {
                    values[i] = Same(v / m.Scale);
                }
                else if (prev?.Values[i] is { } p && dt > 0 && dt <= maxGap.TotalSeconds)
                {
                    // A counter that went down was reset (container restart): it counts from zero.
                    values[i] = Same((v >= p ? v - p : v) / dt / m.Scale);
                }
            }

            points.Add(new UsagePoint(s.Time, values));
            prev = s;
        }

        return points;
    }

    /// <summary>
    /// Groups points into buckets of <paramref name="bucket"/> aligned to the Unix epoch: per
    /// metric the mean of the values, their maximum and 95th percentile (nearest rank). A bucket's
    /// time is its start; buckets without points are left out.
    /// </summary>
    public static IReadOnlyList<(UsagePoint Bucket, int Samples)> Buckets(IReadOnlyList<UsagePoint> points, TimeSpan bucket)
    {
        var result = new List<(UsagePoint Bucket, int Samples)>();
        var ticks = bucket.Ticks;
        var i = 0;
        while (i < points.Count)
        {
            var start = BucketStart(points[i].Time, bucket);
            var j = i;
            while (j < points.Count && points[j].Time.UtcTicks - start.UtcTicks < ticks)
            {
                j++;
            }

            result.Add((Summarize(start, points, i, j), j - i));
            i = j;
        }

        return result;
    }

    /// <summary>The start of the bucket that holds <paramref name="time"/>.</summary>
    public static DateTimeOffset BucketStart(DateTimeOffset time, TimeSpan bucket)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return DateTimeOffset.UnixEpoch.AddTicks(ticks - ticks % bucket.Ticks);
    }

    /// <summary>
    /// At most <paramref name="maxPoints"/> points, by merging runs of neighbours: the mean of
    /// their means, the maximum of their maxima, and the maximum of their 95th percentiles (an
    /// upper bound: percentiles of parts do not combine exactly).
    /// </summary>
    public static IReadOnlyList<UsagePoint> Thin(IReadOnlyList<UsagePoint> points, int maxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 1);
        if (points.Count <= maxPoints)
        {
            return points;
        }

        var per = (points.Count + maxPoints - 1) / maxPoints;
        var result = new List<UsagePoint>(maxPoints);
        for (var i = 0; i < points.Count; i += per)
        {
            var end = Math.Min(i + per, points.Count);
            var values = new UsageValue?[UsageMetrics.Count];
            for (var m = 0; m < values.Length; m++)
            {
                double sum = 0, max = double.MinValue, p95 = double.MinValue;
                var n = 0;
                for (var k = i; k < end; k++)
                {
                    if (points[k].Values[m] is { } v)
                    {
                        sum += v.Mean;
                        max = Math.Max(max, v.Max);
                        p95 = Math.Max(p95, v.P95);
                        n++;
                    }
                }

                values[m] = n == 0 ? null : new UsageValue(sum / n, max, p95);
            }

            result.Add(new UsagePoint(points[i].Time, values));
        }

        return result;
    }

    /// <summary>The nearest-rank percentile (0 &lt; p ≤ 1) of values sorted ascending.</summary>
    public static double Percentile(ReadOnlySpan<double> sorted, double p)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("no values", nameof(sorted));
        }

        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    private static UsagePoint Summarize(DateTimeOffset start, IReadOnlyList<UsagePoint> points, int from, int to)
    {
        var values = new UsageValue?[UsageMetrics.Count];
        var buffer = new double[to - from];
        for (var m = 0; m < values.Length; m++)
        {
            var n = 0;
            double max = double.MinValue;
            for (var k = from; k < to; k++)
            {
                if (points[k].Values[m] is { } v)
                {
                    buffer[n++] = v.Mean;
                    max = Math.Max(max, v.Max);
                }
            }

            if (n == 0)
            {
                continue;
            }

            var span = buffer.AsSpan(0, n);
            double sum = 0;
            foreach (var x in span)
            {
                sum += x;
            }

            span.Sort();
            values[m] = new UsageValue(sum / n, max, Percentile(span, 0.95));
        }

        return new UsagePoint(start, values);
    }

    private static UsageValue Same(double v) => new(v, v, v);
}

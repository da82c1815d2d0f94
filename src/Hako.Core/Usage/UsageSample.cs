namespace Hako.Core.Usage;

/// <summary>
/// One reading of a series (a container, or <see cref="NodeSeries"/>) as stored: counters are the
/// kernel's running totals, gauges the level at <see cref="Time"/>; values are indexed by
/// <see cref="UsageMetric"/> and null where the host does not provide the metric.
/// </summary>
public sealed record UsageSample(string Series, DateTimeOffset Time, long?[] Values)
{
    /// <summary>The series name of the node itself (container names cannot start with '@').</summary>
    public const string NodeSeries = "@node";

    public long? this[UsageMetric metric] => Values[(int)metric];

    public static long?[] NewValues() => new long?[UsageMetrics.Count];
}

/// <summary>
/// One point of a shown series: the value in the metric's display unit (a rate per second for
/// counters), and over a bucket of several samples also their maximum and 95th percentile. For
/// a single raw sample all three are the same.
/// </summary>
public readonly record struct UsageValue(double Mean, double Max, double P95);

/// <summary>A time with one <see cref="UsageValue"/> per metric (null where unknown).</summary>
public sealed record UsagePoint(DateTimeOffset Time, UsageValue?[] Values)
{
    public UsageValue? this[UsageMetric metric] => Values[(int)metric];
}

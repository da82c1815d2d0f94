namespace Hako.Contracts;

/// <summary>
/// GET /v1/usage: what the node and each running container use right now. Values are keyed by
/// metric name (see docs/usage.md): counters as rates per second ("cpu" in cores, "io_read_bytes"
/// in B/s), gauges as levels ("memory" in bytes). A metric the host does not provide is absent.
/// </summary>
public sealed record LiveUsage
{
    public required DateTimeOffset Time { get; init; }
    /// <summary>Seconds between the two readings the rates come from.</summary>
    public required double IntervalSeconds { get; init; }
    /// <summary>CPUs of the node, so "cpu" (cores) can be shown as a share.</summary>
    public required int Cpus { get; init; }
    public required UsageRow Node { get; init; }
    public required IReadOnlyList<UsageRow> Containers { get; init; }
}

/// <summary>One series' current values and, for containers, the limits they run against (same keys: cpu, memory, swap, disk, processes).</summary>
public sealed record UsageRow
{
    public required string Name { get; init; }
    public required IReadOnlyDictionary<string, double> Values { get; init; }
    public IReadOnlyDictionary<string, double>? Limits { get; init; }
    /// <summary>Running totals of the counters since the container started ("cpu" in seconds, "oom_kills").</summary>
    public IReadOnlyDictionary<string, double>? Totals { get; init; }
}

/// <summary>GET /v1/containers/{name}/stats and /v1/node/stats: the recorded history of one series.</summary>
public sealed record UsageHistory
{
    /// <summary>The container's name, or "@node".</summary>
    public required string Series { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    /// <summary>"raw" (every sample) or "aggregate" (buckets with mean, max and p95).</summary>
    public required string Source { get; init; }
    /// <summary>Seconds one point stands for: the sample interval, the bucket length, or more when points were merged to fit.</summary>
    public required double ResolutionSeconds { get; init; }
    public required IReadOnlyList<MetricSeries> Metrics { get; init; }
}

/// <summary>One metric's points, oldest first.</summary>
public sealed record MetricSeries
{
    public required string Metric { get; init; }
    /// <summary>Display unit: cores, B, B/s, ops/s, pkt/s, /s, or empty for counts.</summary>
    public required string Unit { get; init; }
    /// <summary>"counter" (shown as a rate) or "gauge".</summary>
    public required string Kind { get; init; }
    public required IReadOnlyList<MetricPoint> Points { get; init; }
}

/// <summary>A point: for raw samples Mean = Max = P95.</summary>
public sealed record MetricPoint(DateTimeOffset Time, double Mean, double Max, double P95);

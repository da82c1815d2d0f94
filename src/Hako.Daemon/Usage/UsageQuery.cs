using System.Globalization;
using Hako.Contracts;
using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Core.Usage;
using Hako.Daemon.Options;
using Hako.State;

namespace Hako.Daemon.Usage;

/// <summary>Answers the usage API: the live view from the sampler's newest readings, and history from the store.</summary>
public sealed class UsageQuery(HakodOptions options, IUsageStore usage, UsageSampler sampler, IStateStore store, TimeProvider time)
{
    /// <summary>Most points one history answer carries; longer ranges are merged to fit.</summary>
    public const int MaxPoints = 10_000;

    /// <summary>Rates and levels now, from readings at most <paramref name="maxAge"/> old.</summary>
    public LiveUsage Live(TimeSpan maxAge)
    {
        var (latest, previous) = sampler.Readings(maxAge);
        var records = store.ListContainers().ToDictionary(r => r.Name, StringComparer.Ordinal);
        UsageRow Row(UsageSample s)
        {
            var point = UsageMath.Points([s], TimeSpan.MaxValue, previous.GetValueOrDefault(s.Series))[0];
            var values = new Dictionary<string, double>();
            var totals = new Dictionary<string, double>();
            foreach (var m in UsageMetrics.All)
            {
                if (point[m.Metric] is { } v)
                {
                    values[m.Name] = v.Mean;
                }

                if (m.Kind == MetricKind.Counter && s[m.Metric] is { } total)
                {
                    totals[m.Name] = total / (m.Metric == UsageMetric.Cpu ? m.Scale : 1);
                }
            }

            return new UsageRow
            {
                Name = s.Series,
                Values = values,
                Totals = totals,
                Limits = records.TryGetValue(s.Series, out var r) ? UsageLimits.Of(r) : null,
            };
        }

        var node = latest.GetValueOrDefault(UsageSample.NodeSeries);
        var before = previous.GetValueOrDefault(UsageSample.NodeSeries);
        return new LiveUsage
        {
            Time = node?.Time ?? time.GetUtcNow(),
            IntervalSeconds = node is not null && before is not null ? (node.Time - before.Time).TotalSeconds : 0,
            Cpus = Environment.ProcessorCount,
            Node = node is null ? new UsageRow { Name = UsageSample.NodeSeries, Values = new Dictionary<string, double>() } : Row(node),
            Containers = [.. latest.Values.Where(s => s.Series != UsageSample.NodeSeries).OrderBy(s => s.Series, StringComparer.Ordinal).Select(Row)],
        };
    }

    /// <summary>
    /// The history of a series between two times: every raw sample while the range lies within the
    /// raw retention, otherwise the stored buckets (plus the newest ones not yet compacted, computed
    /// from raw samples). Merged to at most <paramref name="maxPoints"/> points.
    /// </summary>
    /// <param name="resource">Only the metrics of this group (cpu, memory, disk, io, net, processes, events, load); null for all.</param>
    public UsageHistory History(string series, DateTimeOffset from, DateTimeOffset to, string? resource, int maxPoints)
    {
        if (resource is not null && !UsageMetrics.Resources.Contains(resource))
        {
            throw new HakoException(ErrorCode.InvalidArgument,
                $"Unknown resource '{resource}'; use one of: {string.Join(", ", UsageMetrics.Resources)}");
        }

        if (maxPoints is < 1 or > MaxPoints)
        {
            throw new HakoException(ErrorCode.InvalidArgument, $"points must be between 1 and {MaxPoints}");
        }

        if (from >= to)
        {
            throw new HakoException(ErrorCode.InvalidArgument, $"The range is empty: since {from:O} is not before until {to:O}");
        }

        var now = time.GetUtcNow();
        var bucket = options.HistoryBucketSpan;
        var raw = from >= now - options.HistoryRawSpan;
        IReadOnlyList<UsagePoint> points;
        if (raw)
        {
            points = UsageMath.Points(usage.ReadRaw(series, from, to), sampler.MaxGap, usage.RawBefore(series, from));
        }
        else
        {
            var stored = usage.ReadAggregates(series, from, to);
            var tailFrom = stored.Count > 0 ? stored[^1].Time + bucket : UsageMath.BucketStart(from, bucket);
            var tail = tailFrom < to
                ? UsageMath.Buckets(UsageMath.Points(usage.ReadRaw(series, tailFrom, to), sampler.MaxGap, usage.RawBefore(series, tailFrom)), bucket)
                : [];
            points = [.. stored, .. tail.Select(b => b.Bucket)];
        }

        var resolution = raw ? options.SampleIntervalSpan.TotalSeconds : bucket.TotalSeconds;
        if (points.Count > maxPoints)
        {
            resolution *= (points.Count + maxPoints - 1) / maxPoints;
            points = UsageMath.Thin(points, maxPoints);
        }

        var metrics = new List<MetricSeries>();
        foreach (var m in UsageMetrics.All.Where(m => resource is null || m.Resource == resource))
        {
            var values = new List<MetricPoint>();
            foreach (var p in points)
            {
                if (p[m.Metric] is { } v)
                {
                    values.Add(new MetricPoint(p.Time, v.Mean, v.Max, v.P95));
                }
            }

            if (values.Count > 0)
            {
                metrics.Add(new MetricSeries { Metric = m.Name, Unit = m.Unit, Kind = m.Kind == MetricKind.Counter ? "counter" : "gauge", Points = values });
            }
        }

        return new UsageHistory
        {
            Series = series, From = from, To = to, Source = raw ? "raw" : "aggregate", ResolutionSeconds = resolution, Metrics = metrics,
        };
    }
}

using Hako.Contracts;
using Hako.Core.Usage;
using Hako.Daemon.Options;
using Hako.State;

namespace Hako.Daemon.Usage;

/// <summary>Moves a container's usage history between nodes (migration): everything stored, raw and aggregated.</summary>
public sealed class UsageTransfers(IUsageStore usage, HakodOptions options)
{
    public UsageTransfer Export(string series)
    {
        var all = (DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue.AddDays(-1));
        return new UsageTransfer
        {
            Metrics = [.. UsageMetrics.All.Select(m => m.Name)],
            BucketSeconds = options.HistoryBucketSpan.TotalSeconds,
            Raw = [.. usage.ReadRaw(series, all.Item1, all.Item2).Select(s => new RawUsageRow(s.Time, s.Values))],
            Aggregates = [.. usage.ReadAggregates(series, all.Item1, all.Item2).Select(p => new AggregateUsageRow(
                p.Time, [.. p.Values.Select(v => v?.Mean)], [.. p.Values.Select(v => v?.Max)], [.. p.Values.Select(v => v?.P95)]))],
        };
    }

    /// <summary>Stores a transferred history under <paramref name="series"/>, next to what this node has sampled since the switch.</summary>
    /// <returns>Rows stored.</returns>
    public long Import(string series, UsageTransfer history)
    {
        // The sender's metric i is our metric map[i] (null: one we don't know).
        var map = history.Metrics.Select(n => UsageMetrics.Find(n)?.Metric).ToArray();
        var raw = new List<UsageSample>(history.Raw.Count);
        foreach (var row in history.Raw)
        {
            var values = UsageSample.NewValues();
            for (var i = 0; i < map.Length && i < row.Values.Count; i++)
            {
                if (map[i] is { } m)
                {
                    values[(int)m] = row.Values[i];
                }
            }

            raw.Add(new UsageSample(series, row.Time, values));
        }

        var buckets = new List<(UsagePoint, int)>(history.Aggregates.Count);
        foreach (var row in history.Aggregates)
        {
            var values = new UsageValue?[UsageMetrics.Count];
            for (var i = 0; i < map.Length && i < row.Mean.Count; i++)
            {
                if (map[i] is { } m && row.Mean[i] is { } mean)
                {
                    values[(int)m] = new UsageValue(mean, row.Max[i] ?? mean, row.P95[i] ?? mean);
                }
            }

            buckets.Add((new UsagePoint(row.Time, values), 0));
        }

        usage.AppendRaw(raw);
        usage.AppendAggregates(series, TimeSpan.FromSeconds(history.BucketSeconds > 0 ? history.BucketSeconds : options.HistoryBucketSpan.TotalSeconds), buckets);
        return raw.Count + buckets.Count;
    }
}

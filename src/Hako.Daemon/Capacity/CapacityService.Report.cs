using System.Globalization;
using System.Text;
using Hako.Capacity;
using Hako.Capacity.Charts;
using Hako.Capacity.Planning;
using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Daemon.Capacity;

public sealed partial class CapacityService
{
    /// <summary>GET /v1/capacity: per resource now, and "K more of plan P" when a plan is named.</summary>
    public CapacityInfo Report(double? epsilon, string? plan)
    {
        var policy = Policy(epsilon);
        var prepared = Current();
        var snapshot = prepared.Built.Snapshot;
        PlanSpec? spec = null;
        if (plan is not null)
        {
            spec = snapshot.FindPlan(plan)
                ?? throw HakoException.NotFound($"Plan {plan} does not exist; see hako plan list");
        }

        var report = CapacityPlanner.Report(prepared.Model, policy, spec);
        var (statistical, detail) = AdmissionMode(prepared);
        return new CapacityInfo
        {
            Time = time.GetUtcNow(),
            Epsilon = policy.Epsilon.Memory,
            Rule = policy.Rule.Name,
            Containers = report.Containers,
            Buckets = report.Buckets,
            HistoryHours = prepared.Built.Covered.TotalHours,
            HistoryFrom = snapshot.BucketCount > 0 ? snapshot.Start : null,
            Admission = statistical ? "statistical" : "ratio",
            AdmissionDetail = detail,
            Resources = [.. report.Resources.Select(r => new CapacityResourceInfo
            {
                Resource = Wire(r.Resource),
                Unit = r.Resource == CapacityResource.Cpu ? "cores" : "B",
                Capacity = r.Capacity,
                Guaranteed = r.Guaranteed,
                Committed = r.Committed,
                ObservedPeak = r.ObservedPeak,
                Predicted = r.PredictedDemand,
                OverloadProbability = r.OverloadProbability,
                Headroom = r.Headroom,
                Checked = policy.IsChecked(r.Resource),
                MoreOfPlan = r.MoreOfPlan?.More,
            })],
            Plan = report.Plan is { } h ? Headroom(h) : null,
            History = [.. prepared.Built.Containers.Where(c => c.Source != HistorySource.Own || c.Filled > 0)
                .Select(c => new CapacityContainerHistory(c.Name, Wire(c.Source), c.Recorded, c.Filled, c.SourceContainer))],
        };
    }

    /// <summary>
    /// GET /v1/capacity/chart: the node's combined demand of one resource over the window against
    /// the rule's (1 − ε) prediction and the capacity, as a PNG.
    /// </summary>
    public byte[] Chart(string? resource, double? epsilon)
    {
        var r = (resource ?? "memory") switch
        {
            "cpu" => CapacityResource.Cpu,
            "memory" => CapacityResource.Memory,
            _ => throw HakoException.Invalid($"resource '{resource}' is not one the planner knows; use cpu or memory"),
        };
        var policy = Policy(epsilon);
        var prepared = Current();
        var snapshot = prepared.Built.Snapshot;
        if (snapshot.BucketCount == 0)
        {
            throw HakoException.Conflict(
                $"No usage history to draw yet: the chart needs at least one complete {options.HistoryBucket} bucket of a container's usage; try again later");
        }

        var history = prepared.Model.History(r);
        var eps = policy.Epsilon[r];
        var prediction = policy.Rule.PredictDemand(history, eps);
        var (unit, scale) = r == CapacityResource.Cpu ? ("cores", 1.0) : ("GiB", 1024.0 * 1024 * 1024);
        return ChartRenderer.RenderAggregatePng(history.Combined.ToArray(), prediction, history.Capacity, new AggregateChartOptions
        {
            Title = string.Create(CultureInfo.InvariantCulture,
                $"{(r == CapacityResource.Cpu ? "CPU" : "Memory")} of node {options.NodeName}: {snapshot.Containers.Count} containers, {prepared.Built.Covered.TotalDays:0.#} days of 5-minute means"),
            Start = snapshot.Start,
            BucketLength = snapshot.BucketLength,
            Unit = unit,
            Scale = scale,
            PredictionLabel = $"{policy.Rule.Name} at ε = {CapacityPlanner.Percent(eps)}",
            CapacityLabel = "capacity (node − host reserve)",
        });
    }

    /// <summary>
    /// GET /v1/usage/export: every container's 5-minute CPU (cores) and memory (bytes) means since
    /// <paramref name="from"/>, with its limits, as the CSV `hako capacity backtest --format hako` reads.
    /// </summary>
    public async Task ExportAsync(DateTimeOffset from, TextWriter output, CancellationToken ct)
    {
        var prepared = Current();
        var limits = prepared.Built.Snapshot.Containers.ToDictionary(c => c.Name, c => c.Limit, StringComparer.Ordinal);
        await output.WriteLineAsync("timestamp,container,cpu,memory,cpu_limit,memory_limit".AsMemory(), ct);
        var line = new StringBuilder();
        foreach (var (series, rows) in ReadHistory(from).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            // Destroyed containers' series are forgotten by the compactor; the node's own series is not a tenant.
            if (!limits.TryGetValue(series, out var limit))
            {
                continue;
            }

            foreach (var (t, means) in rows)
            {
                if (means[0] is not { } cpu || means[1] is not { } memory)
                {
                    continue;
                }

                line.Clear();
                line.Append(CultureInfo.InvariantCulture, $"{t.ToUnixTimeSeconds()},{series},{cpu:0.###},{memory:0},{limit.Cpu:0.###},{limit.Memory:0}");
                await output.WriteLineAsync(line, ct);
            }
        }
    }

    private static CapacityPlanHeadroom Headroom(HeadroomResult h)
    {
        var limiting = h.Resources.First(x => x.Resource == h.LimitingResource);
        var (source, detail) = limiting.Source switch
        {
            DemandSource.PlanHistory => ("plan-history",
                $"new containers replay the recorded usage of the plan's {limiting.SampleContainers} existing container(s) here"),
            DemandSource.PlanLimit => ("plan-limit", "no container of this plan has history here: each new one is assumed to use its full limit"),
            _ => ("guarantee", "guaranteed plan: the strict sum of guarantees"),
        };
        return new CapacityPlanHeadroom
        {
            Plan = h.Plan,
            More = h.More,
            LimitingResource = Wire(h.LimitingResource),
            Source = source,
            SampleContainers = limiting.SampleContainers,
            SourceDetail = detail,
        };
    }

    private static string Wire(CapacityResource r) => r == CapacityResource.Cpu ? "cpu" : "memory";

    private static string Wire(HistorySource s) => s switch
    {
        HistorySource.Own => "own",
        HistorySource.OwnBackfilled => "own-backfilled",
        HistorySource.PlanHistory => "plan-history",
        _ => "limit",
    };
}

using System.Net;
using System.Net.Http.Json;
using Hako.Contracts;
using Hako.Core.Usage;
using Hako.Integration.Tests.Infrastructure;
using Hako.State.Sqlite;

namespace Hako.Integration.Tests.Capacity;

/// <summary>
/// Issue 6 through a real hakod: two days of usage history are seeded into the node's usage store
/// while hakod is stopped (no waiting for days), then best-effort admission, /v1/capacity, the chart
/// and the export answer from it.
/// </summary>
public sealed class CapacityTests
{
    private const string Big = "capbig";
    private const string Small = "capsmall";

    [SkippableFact]
    public async Task StatisticalAdmission_RefusesWhatBreaksEpsilon_LeavesNothing_AndAdmitsWhatFits()
    {
        Skip.IfNot(HakodNode.CanRun(out var reason), reason);
        await using var node = new HakodNode();
        await node.StartAsync();
        await node.BuildBusyboxAsync();

        // Before any history, the overcommit ratios decide and /v1/capacity says so.
        var fresh = (await node.Http.GetFromJsonAsync("/v1/capacity", HakoJsonContext.Default.CapacityInfo))!;
        Assert.Equal("ratio", fresh.Admission);
        Assert.Contains("--capacity-min-history", fresh.AdmissionDetail);

        var memory = fresh.Resources.Single(r => r.Resource == "memory").Capacity;
        // Three tenants of plan "big" whose daily cycles peak together at 28% of the node each (84% in all):
        // a fourth (a replica of the busiest) breaks ε, while Σ limits (4 × 6G) stays well inside the 2× ratio.
        await CreatePlan(node, Big, "6G");
        await CreatePlan(node, Small, "256M");
        foreach (var i in new[] { 1, 2, 3 })
        {
            await node.CreateAsync(new CreateContainerRequest { Name = $"big{i}", Template = "busybox", Plan = Big, Network = "none" });
        }

        await node.StopDaemonAsync();
        Seed(node, ["big1", "big2", "big3"], memory * 0.28, TimeSpan.FromDays(2));
        await node.StartAsync(clean: false);

        var info = (await node.Http.GetFromJsonAsync($"/v1/capacity?plan={Big}", HakoJsonContext.Default.CapacityInfo))!;
        Assert.Equal("statistical", info.Admission);
        Assert.Equal(3, info.Containers);
        Assert.InRange(info.HistoryHours, 47, 48.1);
        var mem = info.Resources.Single(r => r.Resource == "memory");
        Assert.True(mem.Checked);
        Assert.InRange(mem.ObservedPeak, memory * 0.83, memory * 0.85);
        Assert.InRange(mem.Predicted, mem.ObservedPeak, memory);
        Assert.Equal(3 * (6L << 30), mem.Committed, 0);
        Assert.InRange(mem.OverloadProbability!.Value, 0, 0.01);
        Assert.Equal(mem.Capacity - mem.Predicted, mem.Headroom, 3);
        Assert.Equal(0, info.Plan!.More);
        Assert.Equal("plan-history", info.Plan.Source);
        Assert.Equal(3, info.Plan.SampleContainers);
        var small = (await node.Http.GetFromJsonAsync($"/v1/capacity?plan={Small}", HakoJsonContext.Default.CapacityInfo))!;
        Assert.Equal("plan-limit", small.Plan!.Source);
        Assert.True(small.Plan.More > 0, $"some {Small} containers should fit: {small.Plan.More}");
        var strict = (await node.Http.GetFromJsonAsync("/v1/capacity?epsilon=0.001", HakoJsonContext.Default.CapacityInfo))!;
        Assert.Equal(0.001, strict.Epsilon);
        Assert.True(strict.Resources.Single(r => r.Resource == "memory").Predicted > mem.Predicted, "a smaller ε asks for more");

        // A fourth "big": refused by the planner, naming the resource, ε, the probability and what fits.
        var refused = await node.TryCreateAsync(new CreateContainerRequest { Name = "big4", Template = "busybox", Plan = Big, Network = "none" });
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var info4 = System.Text.Json.JsonSerializer.Deserialize(body, HakoJsonContext.Default.ProblemInfo)!;
        Assert.Equal("InsufficientResources", info4.Code);
        var problem = info4.Detail + " " + string.Join(" ", info4.Errors ?? []);
        Assert.Contains("memory", problem);
        Assert.Contains("ε=1%", problem);
        Assert.Contains("overload probability", problem);
        Assert.Contains($"0 more of plan '{Big}' fit", problem);
        Assert.Contains($"of plan '{Small}'", problem); // what fits instead
        Assert.DoesNotContain(await node.ListAsync(), c => c.Name == "big4");
        Assert.False(Directory.Exists(Path.Combine(node.DataDir, "private", "big4")), "a refusal must leave no private area");
        Assert.False(File.Exists(Path.Combine(node.DataDir, "private", "big4.img")), "a refusal must leave no image");
        Assert.False(Directory.Exists(Path.Combine(node.DataDir, "lxc", "big4")), "a refusal must leave no LXC dir");

        // A small one fits (its plan has no history here, so it counts at its 256M limit).
        await node.CreateAsync(new CreateContainerRequest { Name = "small1", Template = "busybox", Plan = Small, Network = "none" });
        var after = (await node.Http.GetFromJsonAsync("/v1/capacity", HakoJsonContext.Default.CapacityInfo))!;
        Assert.Equal(4, after.Containers);
        Assert.Contains(after.History, h => h.Name == "small1" && h.Source == "limit");

        // Moving a tenant to "big" through set is judged the same way as a create.
        var patch = await node.Http.PatchAsync("/v1/containers/small1",
            JsonContent.Create(new UpdateContainerRequest { Plan = Big }, HakoJsonContext.Default.UpdateContainerRequest));
        Assert.Equal(HttpStatusCode.Conflict, patch.StatusCode);
        Assert.Equal(Small, (await node.ShowAsync("small1")).Plan);

        // The chart: a real PNG of some size.
        using var chart = await node.Http.GetAsync("/v1/capacity/chart?resource=memory");
        Assert.Equal(HttpStatusCode.OK, chart.StatusCode);
        Assert.Equal("image/png", chart.Content.Headers.ContentType?.MediaType);
        var png = await chart.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(png.Length > 20_000, $"a chart with axes, legend and two days of data is more than {png.Length} bytes");

        // The export replays as a trace: three tenants (small1 has no history yet) with their limits.
        var csv = await node.Http.GetStringAsync("/v1/usage/export?since=3d");
        var trace = Hako.Capacity.Backtest.CsvTraceReader.Read(new StringReader(csv));
        Assert.Equal(["big1", "big2", "big3"], trace.Tenants.Select(t => t.Id));
        Assert.InRange(trace.BucketCount, 570, 580);
        Assert.Equal(6L << 30, trace.Tenants[0].MemoryProvisioned[^1], 0);
    }

    private static async Task CreatePlan(HakodNode node, string name, string memory)
    {
        var r = await node.PostAsync("/v1/plans", new CreatePlanRequest { Name = name, Memory = memory }, HakoJsonContext.Default.CreatePlanRequest);
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Writes 5-minute aggregates straight into the node's usage store: a daily cycle between 60% and
    /// 100% of <paramref name="peak"/> bytes and 0.1-0.3 cores, the same phase for every container.
    /// </summary>
    private static void Seed(HakodNode node, string[] containers, double peak, TimeSpan span)
    {
        var bucket = TimeSpan.FromMinutes(5);
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 300 * 300);
        using var usage = new SqliteUsageStore(Path.Combine(node.DataDir, "hako.db"));
        foreach (var name in containers)
        {
            var buckets = new List<(UsagePoint, int)>();
            for (var t = end - span; t < end; t += bucket)
            {
                var phase = Math.Sin(2 * Math.PI * (t - end).TotalDays);
                var values = new UsageValue?[UsageMetrics.Count];
                var m = peak * (0.8 + 0.2 * phase);
                var c = 0.2 + 0.1 * phase;
                values[(int)UsageMetric.Memory] = new UsageValue(m, m, m);
                values[(int)UsageMetric.Cpu] = new UsageValue(c, c, c);
                buckets.Add((new UsagePoint(t, values), 30));
            }

            usage.AppendAggregates(name, bucket, buckets);
        }
    }
}

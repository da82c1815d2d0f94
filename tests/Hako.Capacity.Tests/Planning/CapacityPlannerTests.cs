using System.Diagnostics;
using Hako.Capacity.Planning;
using Hako.Capacity.Rules;
using Xunit.Abstractions;

namespace Hako.Capacity.Tests.Planning;

public sealed class CapacityPlannerTests(ITestOutputHelper output)
{
    private const double GiB = 1024.0 * 1024 * 1024;
    private static readonly PlanSpec Small = new() { Name = "small", Limit = new(2, 2 * GiB) };
    private static readonly PlanSpec Large = new() { Name = "large", Limit = new(4, 4 * GiB) };
    private static readonly PlanSpec Reserved = new() { Name = "reserved", Guarantee = new(4, 4 * GiB), Limit = new(4, 4 * GiB), BestEffort = false };

    // z(0.99) = 2.3263: the combined Gaussian is easy to compute by hand.
    private static readonly CapacityPolicy Gaussian = new() { Epsilon = ResourceVector.Uniform(0.01), Rule = CapacityRules.CombinedGaussian };

    /// <summary>
    /// Four "small" containers in phase: CPU alternates 0.5, 1.5 cores (mean 1, σ 0.5), memory
    /// a constant 1 GiB; each has 1 core and 1 GiB guaranteed.
    /// </summary>
    private static NodeSnapshot Node(double cpuCapacity = 20, double memoryGiB = 16, int buckets = 288)
    {
        var cpu = Enumerable.Range(0, buckets).Select(i => i % 2 == 0 ? 0.5 : 1.5).ToArray();
        var memory = Enumerable.Repeat(GiB, buckets).ToArray();
        return new NodeSnapshot
        {
            Capacity = new(cpuCapacity, memoryGiB * GiB),
            Plans = [Small, Large, Reserved],
            Containers = Enumerable.Range(1, 4).Select(i => new ContainerUsage
            {
                Name = $"ct{i}",
                Plan = "small",
                Guarantee = new(1, GiB),
                Limit = Small.Limit,
                Cpu = cpu,
                Memory = memory,
            }).ToList(),
        };
    }

    [Fact]
    public void Headroom_PlanWithHistory_ReplaysItsContainers()
    {
        // CPU: (4 + k) × (1 + 0.5 z) ≤ 20 → 4 + k ≤ 9.25 → k = 5. Memory: 4 + k ≤ 16 → 12.
        var result = CapacityPlanner.Headroom(NodeModel.Prepare(Node()), Small, Gaussian);
        Assert.Equal(5, result.More);
        Assert.Equal(CapacityResource.Cpu, result.LimitingResource);
        var cpu = result.Resources.Single(r => r.Resource == CapacityResource.Cpu);
        Assert.Equal(DemandSource.PlanHistory, cpu.Source);
        Assert.Equal(4, cpu.SampleContainers);
        Assert.Equal(9 * (1 + 0.5 * 2.3263478740408408), cpu.DemandAfter, 9);
        Assert.Equal(12, result.Resources.Single(r => r.Resource == CapacityResource.Memory).More);
    }

    [Fact]
    public void Headroom_PlanWithoutHistory_AssumesItsLimit()
    {
        // CPU: combined mean 4, σ 2, plus 4k flat → 4 + 4k + 2z ≤ 20 → k = 2. Memory: 4 + 4k ≤ 16 → 3.
        var result = CapacityPlanner.Headroom(NodeModel.Prepare(Node()), Large, Gaussian);
        Assert.Equal(2, result.More);
        Assert.All(result.Resources, r => Assert.Equal(DemandSource.PlanLimit, r.Source));
        Assert.Equal(3, result.Resources.Single(r => r.Resource == CapacityResource.Memory).More);
    }

    [Fact]
    public void Headroom_GuaranteedPlan_UsesTheStrictSumOfGuarantees()
    {
        // 4 cores guaranteed of 20 → 16 free / 4 per container = 4.
        var result = CapacityPlanner.Headroom(NodeModel.Prepare(Node()), Reserved, Gaussian);
        Assert.Equal(3, result.More); // memory: 16 − 4 = 12 GiB free / 4 GiB = 3
        Assert.Equal(CapacityResource.Memory, result.LimitingResource);
        Assert.Equal(4, result.Resources.Single(r => r.Resource == CapacityResource.Cpu).More);
        Assert.All(result.Resources, r => Assert.Equal(DemandSource.Guarantee, r.Source));
    }

    [Fact]
    public void Headroom_EmptyNode_FallsBackToThePlanLimit()
    {
        var empty = new NodeSnapshot { Capacity = new(20, 16 * GiB), Containers = [], Plans = [Large] };
        var result = CapacityPlanner.Headroom(NodeModel.Prepare(empty), Large, Gaussian);
        Assert.Equal(4, result.More); // 16 GiB / 4 GiB; CPU 20 / 4 = 5
        Assert.Equal(CapacityResource.Memory, result.LimitingResource);
        Assert.All(result.Resources, r => Assert.Equal(DemandSource.PlanLimit, r.Source));
    }

    [Fact]
    public void Headroom_IsCappedForTinyPlans()
    {
        var tiny = new PlanSpec { Name = "tiny", Limit = new(1e-9, 1) };
        var result = CapacityPlanner.Headroom(NodeModel.Prepare(Node()), tiny, Gaussian with { MaxHeadroom = 500 });
        Assert.Equal(500, result.More);
    }

    [Fact]
    public void Admit_WhenItFits_AcceptsAndSaysHowManyMoreFit()
    {
        var decision = CapacityPlanner.Admit(NodeModel.Prepare(Node()), new AdmissionCandidate("ct5", Small), Gaussian);
        Assert.True(decision.Accepted, decision.Message);
        Assert.Null(decision.Refusing);
        Assert.Equal(5, decision.Resources.Single(r => r.Resource == CapacityResource.Cpu).MoreOfPlan);
    }

    [Fact]
    public void Admit_WhenCpuWouldOverload_RefusesNamingResourceEpsilonProbabilityAndWhatFits()
    {
        // 9 cores: with a fifth replica the combined Gaussian needs 5 × 2.163 = 10.8 cores.
        var model = NodeModel.Prepare(Node(cpuCapacity: 9));
        var decision = CapacityPlanner.Admit(model, new AdmissionCandidate("ct5", Small), Gaussian);

        Assert.False(decision.Accepted);
        var refusing = decision.Refusing!;
        Assert.Equal(CapacityResource.Cpu, refusing.Resource);
        Assert.Equal(0.01, refusing.Epsilon);
        Assert.Equal(5 * (1 + 0.5 * 2.3263478740408408), refusing.DemandWith, 9);
        Assert.True(refusing.OverloadProbability > 0.01);
        Assert.Equal(9 - 4 * (1 + 0.5 * 2.3263478740408408), refusing.RemainingAtEpsilon, 9);
        Assert.Equal(DemandSource.PlanHistory, refusing.Source);
        Assert.Contains("CPU", decision.Message);
        Assert.Contains("ε=1%", decision.Message);
        Assert.Contains("overload probability", decision.Message);
        Assert.Contains("What fits instead", decision.Message);
    }

    [Fact]
    public void Admit_Refusal_LeavesNothingBehind()
    {
        var snapshot = Node(cpuCapacity: 9);
        var model = NodeModel.Prepare(snapshot);
        var before = CapacityPlanner.Report(model, Gaussian, Small);
        var first = CapacityPlanner.Admit(model, new AdmissionCandidate("ct5", Small), Gaussian);
        var second = CapacityPlanner.Admit(model, new AdmissionCandidate("ct5", Small), Gaussian);

        Assert.False(first.Accepted);
        Assert.Equal(first.Resources, second.Resources);
        Assert.Equal(4, model.Snapshot.Containers.Count);
        Assert.Equal(4, model.History(CapacityResource.Cpu).ContainerCount);
        Assert.Equal(before.Resources.Select(r => r with { MoreOfPlan = null }),
            CapacityPlanner.Report(model, Gaussian, Small).Resources.Select(r => r with { MoreOfPlan = null }));
    }

    [Fact]
    public void Admit_GuaranteedPlan_RefusesPastTheSumOfGuarantees()
    {
        var huge = Reserved with { Name = "huge", Guarantee = new(17, GiB) };
        var decision = CapacityPlanner.Admit(NodeModel.Prepare(Node()), new AdmissionCandidate("db", huge), Gaussian);
        Assert.False(decision.Accepted);
        Assert.Equal(CapacityResource.Cpu, decision.Refusing!.Resource);
        Assert.Equal(DemandSource.Guarantee, decision.Refusing.Source);
        Assert.Equal(21, decision.Refusing.DemandWith);
        Assert.Contains("sum of guarantees", decision.Message);
    }

    [Fact]
    public void Report_GivesCapacityCommitmentsPeakPredictionAndRisk()
    {
        var report = CapacityPlanner.Report(NodeModel.Prepare(Node()), Gaussian, Small);
        var cpu = report.Resources.Single(r => r.Resource == CapacityResource.Cpu);
        Assert.Equal(20, cpu.Capacity);
        Assert.Equal(8, cpu.Committed);
        Assert.Equal(4, cpu.Guaranteed);
        Assert.Equal(6, cpu.ObservedPeak);
        Assert.Equal(4 + 2 * 2.3263478740408408, cpu.PredictedDemand, 9);
        Assert.True(cpu.OverloadProbability < 1e-9);
        Assert.Equal(5, report.Plan!.More);
    }

    [Fact]
    public void Prepare_InvalidSnapshot_ReportsEveryProblem()
    {
        var bad = Node() with
        {
            Capacity = new(0, GiB),
            Containers = [.. Node().Containers, Node().Containers[0] with { Cpu = new double[3] }],
        };
        var e = Assert.Throws<ArgumentException>(() => NodeModel.Prepare(bad));
        Assert.Contains("capacity for Cpu", e.Message);
        Assert.Contains("appears twice", e.Message);
        Assert.Contains("3 CPU", e.Message);
    }

    [Fact]
    public void Admit_200ContainersOf30Days_PrintsItsTime()
    {
        // 200 containers × 8640 buckets (30 days of 5-minute samples), 4 plans, default rule.
        const int buckets = 8640;
        var plans = Enumerable.Range(0, 4).Select(p => new PlanSpec { Name = $"p{p}", Limit = new(1 + p, (1 + p) * GiB) }).ToList();
        var containers = new List<ContainerUsage>();
        for (var i = 0; i < 200; i++)
        {
            var cpu = new double[buckets];
            var mem = new double[buckets];
            var phase = i % 7;
            for (var b = 0; b < buckets; b++)
            {
                var daily = 1 + Math.Sin(2 * Math.PI * (b + phase * 12) / 288);
                cpu[b] = 0.2 * daily + 0.05 * ((b * 7919 + i * 104729) % 97) / 97.0;
                mem[b] = (0.3 + 0.1 * daily) * GiB;
            }
            containers.Add(new ContainerUsage { Name = $"ct{i}", Plan = plans[i % 4].Name, Limit = plans[i % 4].Limit, Cpu = cpu, Memory = mem });
        }
        var snapshot = new NodeSnapshot { Capacity = new(128, 256 * GiB), Containers = containers, Plans = plans };

        var clock = Stopwatch.StartNew();
        var model = NodeModel.Prepare(snapshot);
        var prepared = clock.Elapsed;
        var decision = CapacityPlanner.Admit(model, new AdmissionCandidate("new", plans[1]));
        var first = clock.Elapsed - prepared;
        clock.Restart();
        var again = CapacityPlanner.Admit(model, new AdmissionCandidate("new2", plans[1]));
        var warm = clock.Elapsed;
        output.WriteLine($"prepare {prepared.TotalMilliseconds:0.0} ms, first admission {first.TotalMilliseconds:0.0} ms, " +
            $"next admission {warm.TotalMilliseconds:0.0} ms (target < 50 ms); accepted={decision.Accepted}, " +
            $"{decision.Resources[0].MoreOfPlan} more fit");
        Assert.Equal(decision.Accepted, again.Accepted);
    }
}

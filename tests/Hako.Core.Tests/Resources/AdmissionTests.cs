using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Resources;

namespace Hako.Core.Tests.Resources;

public sealed class AdmissionTests
{
    private const long Gib = 1L << 30;

    // 24G, 2 CPUs, 200G; the host keeps 2G, nothing of the CPU, 10G of disk. Ratios: memory 2×, CPU 4×, disk 1.5×.
    private static readonly NodeCapacity Node = new(
        new ResourceAmounts(24 * Gib, 2, 200 * Gib),
        new ResourceAmounts(2 * Gib, 0, 10 * Gib),
        new OvercommitRatios(2, 4, 1.5));

    private static Commitment Guaranteed(string name, long memory, double cpus = 0, long disk = 0) =>
        new(name, PlanKind.Guaranteed, new ResourceAmounts(memory, cpus, disk), new ResourceCeilings(memory, cpus, disk));

    private static Commitment BestEffort(string name, long? memory, double? cpus = 0.5, long? disk = 1 * Gib) =>
        new(name, PlanKind.BestEffort, ResourceAmounts.Zero, new ResourceCeilings(memory, cpus, disk));

    [Fact]
    public void Guaranteed_UpToCapacityMinusReserve_IsAccepted()
    {
        var existing = new[] { Guaranteed("a", 10 * Gib), Guaranteed("b", 10 * Gib) };
        Assert.True(Admission.Check(Node, existing, Guaranteed("c", 2 * Gib)).Accepted);
    }

    [Fact]
    public void Guaranteed_CannotOversubscribe_AndTheRefusalSaysWhatFits()
    {
        var existing = new[] { Guaranteed("a", 10 * Gib), Guaranteed("b", 10 * Gib + 819 * (1L << 20)) };
        var decision = Admission.Check(Node, existing, Guaranteed("c", 2 * Gib));
        var refusal = Assert.Single(decision.Refusals);
        Assert.Equal(AdmissionResource.Memory, refusal.Resource);
        Assert.Equal("guarantees", refusal.Pool);
        Assert.Equal("memory: asked 2G, 1.2G left of 22G (guarantees); a container of at most 1.2G fits", refusal.Message);
    }

    [Fact]
    public void Refusal_ListsEveryRefusedResourceAtOnce()
    {
        var existing = new[] { Guaranteed("a", 20 * Gib, 1.5, 150 * Gib) };
        var decision = Admission.Check(Node, existing, Guaranteed("b", 4 * Gib, 1, 50 * Gib));
        Assert.Equal([AdmissionResource.Memory, AdmissionResource.Cpu, AdmissionResource.Disk], decision.Refusals.Select(r => r.Resource));
        Assert.Equal("cpu: asked 1 CPU, 0.5 CPUs left of 2 CPUs (guarantees); a container of at most 0.5 CPUs fits", decision.Refusals[1].Message);
        var e = Assert.Throws<HakoException>(() => decision.ThrowIfRefused("b"));
        Assert.Equal(ErrorCode.InsufficientResources, e.Code);
        Assert.Equal(3, e.Errors!.Count);
        Assert.StartsWith("'b' does not fit on this node: memory:", e.Message);
    }

    [Fact]
    public void BestEffort_StopsAtTheOvercommitRatio()
    {
        // Memory limits may total 2 × 22G = 44G.
        var existing = Enumerable.Range(0, 10).Select(i => BestEffort($"be{i}", 4 * Gib)).ToList();
        Assert.True(Admission.Check(Node, existing, BestEffort("fits", 4 * Gib)).Accepted);
        existing.Add(BestEffort("be10", 4 * Gib));
        var refusal = Assert.Single(Admission.Check(Node, existing, BestEffort("over", 4 * Gib)).Refusals);
        Assert.Equal("limits", refusal.Pool);
        Assert.Equal("memory: asked 4G, 0 left of 44G = 2× 22G (limits); no container with a memory limit fits until some are removed or the node grows", refusal.Message);
    }

    [Fact]
    public void BestEffort_LimitsCountGuaranteedContainersToo()
    {
        var existing = new[] { Guaranteed("g", 20 * Gib) };
        var refusal = Assert.Single(Admission.Check(Node, existing, BestEffort("be", 30 * Gib)).Refusals);
        Assert.Equal("memory: asked 30G, 24G left of 44G = 2× 22G (limits); a container of at most 24G fits", refusal.Message);
    }

    [Fact]
    public void BestEffort_UnlimitedCountsAsTheWholeNode()
    {
        var existing = new[] { BestEffort("u1", null), BestEffort("u2", null) };
        var decision = Admission.Check(Node, existing, BestEffort("more", 1 * Gib));
        Assert.Equal(AdmissionResource.Memory, Assert.Single(decision.Refusals).Resource);
    }

    [Fact]
    public void BestEffort_GuaranteesStillMustFit()
    {
        var existing = new[] { Guaranteed("g", 22 * Gib) };
        var candidate = BestEffort("be", 1 * Gib) with { Guarantees = new ResourceAmounts(1 * Gib, 0, 0) };
        Assert.Contains(Admission.Check(Node, existing, candidate).Refusals, r => r.Pool == "guarantees");
    }

    [Fact]
    public void Plans_ConvertToCommitments()
    {
        var c = BuiltInPlans.Medium.ToCommitment("web1");
        Assert.Equal(new ResourceAmounts(1 * Gib, 0.5, 40 * Gib), c.Guarantees);
        Assert.Equal(new ResourceCeilings(2 * Gib, 2, 40 * Gib), c.Limits);
        Assert.True(Admission.Check(Node, [], c).Accepted);
    }
}

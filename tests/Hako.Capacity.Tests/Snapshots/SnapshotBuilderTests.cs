using Hako.Capacity.Planning;

namespace Hako.Capacity.Tests.Snapshots;

public sealed class SnapshotBuilderTests
{
    private static readonly TimeSpan Bucket = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_100); // a bucket start (divisible by 300)
    private static readonly ResourceVector Capacity = new(4, 100);

    private static BucketMean B(int bucket, double cpu, double memory, int offsetSeconds = 0) =>
        new(T0 + Bucket * bucket + TimeSpan.FromSeconds(offsetSeconds), cpu, memory);

    private static ContainerHistory C(string name, string? plan, params BucketMean[] history) =>
        new(name, plan, ResourceVector.Zero, new ResourceVector(2, 50), history);

    private static BuiltSnapshot Build(params ContainerHistory[] containers) =>
        SnapshotBuilder.Build(Capacity, containers, [], T0 - TimeSpan.FromDays(30), T0 + Bucket * 4 + TimeSpan.FromSeconds(10), Bucket);

    [Fact]
    public void Build_AlignsEveryContainerToTheSameBuckets_EndingBeforeTheBucketStillFilling()
    {
        var built = Build(
            C("a", "p", B(0, 1, 10), B(1, 2, 20), B(2, 3, 30), B(3, 4, 40)),
            C("b", "p", B(1, 0.5, 5, offsetSeconds: 0), B(3, 1.5, 15)));

        var s = built.Snapshot;
        Assert.Equal(T0, s.Start);
        Assert.Equal(4, s.BucketCount); // bucket 4 holds `end` and is not complete
        Assert.Equal(TimeSpan.FromMinutes(20), built.Covered);
        Assert.Equal([1, 2, 3, 4], s.Containers[0].Cpu.ToArray());
        Assert.Empty(s.Validate());
    }

    [Fact]
    public void Build_CarriesTheLastValueOverGaps_AndBackfillsTheOwnPeakBeforeTheFirstRecord()
    {
        var built = Build(
            C("old", "p", B(0, 1, 10), B(1, 1, 10), B(2, 1, 10), B(3, 1, 10)),
            C("young", "p", B(1, 0.5, 5), B(3, 1.5, 15)));

        var young = built.Snapshot.Containers[1];
        // bucket 0: before its first record → its own peak; bucket 2: a gap → carries bucket 1.
        Assert.Equal([1.5, 0.5, 0.5, 1.5], young.Cpu.ToArray());
        Assert.Equal([15, 5, 5, 15], young.Memory.ToArray());
        var info = built.Containers[1];
        Assert.Equal(HistorySource.OwnBackfilled, info.Source);
        Assert.Equal(2, info.Recorded);
        Assert.Equal(2, info.Filled);
        Assert.Equal(HistorySource.Own, built.Containers[0].Source);
    }

    [Fact]
    public void Build_MissingMetricInABucket_CarriesOnlyThatMetric()
    {
        // The first bucket of a CPU counter has no rate (NaN); memory was recorded.
        var built = Build(C("a", "p", B(0, double.NaN, 10), B(1, 2, 20), B(2, 3, 30), B(3, 4, 40)));

        // CPU's first record is bucket 1, so bucket 0 holds CPU's own peak (4), not memory's.
        Assert.Equal([4, 2, 3, 4], built.Snapshot.Containers[0].Cpu.ToArray());
        Assert.Equal([10, 20, 30, 40], built.Snapshot.Containers[0].Memory.ToArray());
    }

    [Fact]
    public void Build_NewContainer_CopiesThePlansBusiestContainer_CappedAtItsLimit()
    {
        var newcomer = new ContainerHistory("new", "p", ResourceVector.Zero, new ResourceVector(1, 25), []);
        var built = Build(
            C("quiet", "p", B(0, 0.1, 1), B(1, 0.1, 1), B(2, 0.1, 1), B(3, 0.1, 1)),
            C("busy", "p", B(0, 1, 10), B(1, 2, 20), B(2, 3, 30), B(3, 4, 40)),
            C("other", "q", B(0, 4, 50), B(1, 4, 50), B(2, 4, 50), B(3, 4, 50)),
            newcomer);

        var info = built.Containers[3];
        Assert.Equal(HistorySource.PlanHistory, info.Source);
        Assert.Equal("busy", info.SourceContainer);
        Assert.Equal([1, 1, 1, 1], built.Snapshot.Containers[3].Cpu.ToArray()); // capped at its 1-core limit
        Assert.Equal([10, 20, 25, 25], built.Snapshot.Containers[3].Memory.ToArray());
    }

    [Fact]
    public void Build_NewContainerOfAPlanWithoutHistory_UsesItsLimit_UnlimitedAsCapacity()
    {
        var unlimited = new ContainerHistory("free", "nobody", ResourceVector.Zero,
            new ResourceVector(double.PositiveInfinity, 30), []);
        var built = Build(C("a", "p", B(0, 1, 10), B(1, 1, 10)), unlimited);

        Assert.Equal(HistorySource.Limit, built.Containers[1].Source);
        Assert.Equal([4, 4, 4, 4], built.Snapshot.Containers[1].Cpu.ToArray()); // the node's 4 cores
        Assert.Equal([30, 30, 30, 30], built.Snapshot.Containers[1].Memory.ToArray());
        Assert.Equal(4, built.Snapshot.Containers[1].Limit.Cpu);
    }

    [Fact]
    public void Build_IgnoresBucketsBeforeTheWindow_AndStartsAtTheEarliestRecord()
    {
        var built = SnapshotBuilder.Build(Capacity,
            [C("a", "p", B(-10, 9, 90), B(2, 1, 10), B(3, 2, 20))], [], T0 + Bucket, T0 + Bucket * 4, Bucket);

        Assert.Equal(T0 + Bucket * 2, built.Snapshot.Start);
        Assert.Equal([1, 2], built.Snapshot.Containers[0].Cpu.ToArray());
    }

    [Fact]
    public void Build_NoHistoryAtAll_GivesAnEmptySnapshot_ThatThePlannerReadsAsLimits()
    {
        var built = Build(C("a", "p"), C("b", "p"));

        Assert.Equal(0, built.Snapshot.BucketCount);
        Assert.Equal(TimeSpan.Zero, built.Covered);
        var model = NodeModel.Prepare(built.Snapshot);
        Assert.Equal(4, model.History(CapacityResource.Cpu).CombinedPeak()); // 2 containers × 2-core limits
    }

    [Fact]
    public void Admit_UncheckedResource_NeverRefuses_ButIsStillReported()
    {
        // Two 2-core CPU hogs fill the 4-core node; memory is nearly idle.
        var built = Build(
            C("a", "p", B(0, 2, 1), B(1, 2, 1), B(2, 2, 1), B(3, 2, 1)),
            C("b", "p", B(0, 2, 1), B(1, 2, 1), B(2, 2, 1), B(3, 2, 1)));
        var model = NodeModel.Prepare(built.Snapshot with { Plans = [new PlanSpec { Name = "p", Limit = new ResourceVector(2, 50) }] });
        var plan = model.Snapshot.FindPlan("p")!;

        var strict = CapacityPlanner.Admit(model, new AdmissionCandidate("c", plan));
        var memoryOnly = CapacityPlanner.Admit(model, new AdmissionCandidate("c", plan), new CapacityPolicy { Checked = [CapacityResource.Memory] });

        Assert.False(strict.Accepted);
        Assert.Equal(CapacityResource.Cpu, strict.Refusing!.Resource);
        Assert.True(memoryOnly.Accepted);
        Assert.True(memoryOnly.Resources.First(r => r.Resource == CapacityResource.Cpu).DemandWith > 4);
        Assert.True(CapacityPlanner.Headroom(model, plan, new CapacityPolicy { Checked = [CapacityResource.Memory] }).More > 0);
    }
}

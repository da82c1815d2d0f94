using Hako.Capacity.Planning;

namespace Hako.Capacity.Tests.Snapshots;

/// <summary>
/// hakod keeps a <see cref="HistoryWindow"/> between decisions (appends new buckets, forgets old
/// ones, reuses unchanged series and their statistics). Every answer must be the one a
/// from-scratch <see cref="SnapshotBuilder.Build"/> and <see cref="NodeModel.Prepare"/> give.
/// </summary>
public sealed class HistoryWindowTests
{
    private static readonly TimeSpan Bucket = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Window = TimeSpan.FromDays(1);
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_100);
    private static readonly ResourceVector Capacity = new(8, 64);

    private static readonly PlanSpec[] Plans =
    [
        new() { Name = "s", Limit = new(1, 4) },
        new() { Name = "m", Limit = new(2, 8) },
        new() { Name = "g", Guarantee = new(1, 2), Limit = new(1, 2), BestEffort = false },
        new() { Name = "none", Limit = new(2, 12) },
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void IncrementalWindow_GivesTheSameSnapshotsAndAnswersAsAFromScratchBuild(int seed)
    {
        var rng = new Random(seed);
        var window = new HistoryWindow(Bucket);
        var recorded = new Dictionary<string, List<BucketMean>>(StringComparer.Ordinal);
        var containers = new List<ContainerCommitments>();
        var forgotten = DateTimeOffset.MinValue;
        NodeModel? previous = null;
        var now = T0 + Window + TimeSpan.FromSeconds(7);
        for (var i = 0; i < 12; i++)
        {
            containers.Add(NewContainer($"c{i:00}", rng));
        }

        // A day of history, some of it young, gappy or missing a metric; one container has none.
        for (var b = -288; b < 0; b++)
        {
            Record(window, recorded, containers, SnapshotBuilder.Align(now, Bucket) + Bucket * b, rng, skip: "c11");
        }

        for (var step = 0; step < 40; step++)
        {
            switch (rng.Next(5))
            {
                case 0: // a create: a new commitment, no history yet
                    containers.Add(NewContainer($"n{step:00}", rng));
                    break;
                case 1: // a set: the commitments change, the usage does not
                    var k = rng.Next(containers.Count);
                    containers[k] = NewContainer(containers[k].Name, rng);
                    break;
                case 2: // a destroy
                    var gone = containers[rng.Next(containers.Count)].Name;
                    containers.RemoveAll(c => c.Name == gone);
                    recorded.Remove(gone);
                    window.Forget(gone);
                    break;
                default: // time passes: new buckets (sometimes several), the window slides
                    var buckets = rng.Next(1, 4);
                    for (var b = 0; b < buckets; b++)
                    {
                        Record(window, recorded, containers, SnapshotBuilder.Align(now, Bucket), rng, skip: null);
                        now += Bucket;
                    }
                    now += TimeSpan.FromSeconds(rng.Next(-30, 30));
                    forgotten = now - Window;
                    window.ForgetBefore(forgotten);
                    break;
            }

            var exclude = rng.Next(3) == 0 ? containers[rng.Next(containers.Count)].Name : null;
            var asked = containers.Where(c => c.Name != exclude).ToList();
            var incremental = window.Build(Capacity, asked, Plans, now - Window, now);
            var scratch = SnapshotBuilder.Build(Capacity,
                [.. asked.Select(c => new ContainerHistory(c.Name, c.Plan, c.Guarantee, c.Limit,
                    [.. recorded.GetValueOrDefault(c.Name, []).Where(b => b.Start >= forgotten)]))],
                Plans, now - Window, now, Bucket);
            AssertSameSnapshot(scratch, incremental);

            var model = NodeModel.Prepare(incremental.Snapshot, previous);
            AssertSameAnswers(NodeModel.Prepare(scratch.Snapshot), model);
            previous = model;
        }
    }

    [Fact]
    public void UnchangedSeries_AreTheSameArrays_AndChangedOnesAreNot()
    {
        var window = new HistoryWindow(Bucket);
        window.Append("a", [new(T0, 1, 1), new(T0 + Bucket, 2, 2)]);
        window.Append("b", [new(T0, 1, 1), new(T0 + Bucket, 2, 2)]);
        ContainerCommitments[] containers = [new("a", "s", default, new(1, 4)), new("b", "s", default, new(1, 4))];
        var end = T0 + Bucket * 2 + TimeSpan.FromSeconds(1);
        var first = window.Build(Capacity, containers, Plans, T0, end).Snapshot;

        window.Append("b", [new(T0 + Bucket, 3, 3)]);
        var second = window.Build(Capacity, [containers[0] with { Limit = new(2, 8) }, containers[1]], Plans, T0, end).Snapshot;

        Assert.True(first.Containers[0].Cpu.Equals(second.Containers[0].Cpu));
        Assert.False(first.Containers[1].Cpu.Equals(second.Containers[1].Cpu));
        Assert.Equal([1, 2], first.Containers[1].Cpu.ToArray()); // the old snapshot is left as it was
        Assert.Equal([1, 3], second.Containers[1].Cpu.ToArray());
    }

    [Fact]
    public void ForgottenBuckets_DoNotComeBack_WhenEarlierBucketsArriveLater()
    {
        var window = new HistoryWindow(Bucket);
        window.Append("a", [.. Enumerable.Range(0, 10).Select(b => new BucketMean(T0 + Bucket * b, b, b))]);
        Assert.True(window.ForgetBefore(T0 + Bucket * 5 - TimeSpan.FromSeconds(1))); // keeps bucket 5 on
        window.Append("a", [new(T0 + Bucket * 2, 20, 20)]); // into the slots buckets 0-4 used

        var built = window.Build(Capacity, [new("a", "s", default, new(1, 4))], Plans, T0, T0 + Bucket * 10);

        // Buckets 3 and 4 are gaps again: they carry bucket 2, not the forgotten 3 and 4.
        Assert.Equal([20, 20, 20, 5, 6, 7, 8, 9], built.Snapshot.Containers[0].Cpu.ToArray());
        Assert.Equal(T0 + Bucket * 2, built.Snapshot.Start);
        Assert.Equal(T0 + Bucket * 9, window.Last("a"));
    }

    private static ContainerCommitments NewContainer(string name, Random rng)
    {
        var plan = Plans[rng.Next(Plans.Length)];
        // Now and then explicit flags: the container counts under its own key, with its own limit.
        var limit = rng.Next(4) == 0 ? new ResourceVector(double.PositiveInfinity, 6) : plan.Limit;
        return new ContainerCommitments(name, rng.Next(4) == 0 ? plan.Name + " (custom)" : plan.Name, plan.Guarantee, limit);
    }

    private static void Record(HistoryWindow window, Dictionary<string, List<BucketMean>> recorded, List<ContainerCommitments> containers,
        DateTimeOffset start, Random rng, string? skip)
    {
        foreach (var c in containers)
        {
            // Young containers start late; stopped ones leave gaps; a CPU counter's first bucket has no rate.
            var young = string.CompareOrdinal(c.Name, "c08") >= 0 && start < T0 + TimeSpan.FromHours(12);
            if (c.Name == skip || young || rng.Next(10) == 0)
            {
                continue;
            }
            var b = new BucketMean(start, rng.Next(15) == 0 ? double.NaN : rng.NextDouble() * 2, rng.NextDouble() * 10 - (rng.Next(50) == 0 ? 11 : 0));
            window.Append(c.Name, [b]);
            (recorded.TryGetValue(c.Name, out var list) ? list : recorded[c.Name] = []).Add(b);
        }
    }

    private static void AssertSameSnapshot(BuiltSnapshot expected, BuiltSnapshot actual)
    {
        Assert.Equal(expected.Covered, actual.Covered);
        Assert.Equal(expected.Containers, actual.Containers);
        Assert.Equal(expected.Snapshot.Start, actual.Snapshot.Start);
        Assert.Equal(expected.Snapshot.BucketCount, actual.Snapshot.BucketCount);
        for (var i = 0; i < expected.Snapshot.Containers.Count; i++)
        {
            var (e, a) = (expected.Snapshot.Containers[i], actual.Snapshot.Containers[i]);
            Assert.Equal((e.Name, e.Plan, e.Limit, e.Guarantee), (a.Name, a.Plan, a.Limit, a.Guarantee));
            Assert.True(e.Cpu.Span.SequenceEqual(a.Cpu.Span), $"{e.Name}: CPU series differ");
            Assert.True(e.Memory.Span.SequenceEqual(a.Memory.Span), $"{e.Name}: memory series differ");
        }
    }

    private static void AssertSameAnswers(NodeModel expected, NodeModel actual)
    {
        var policy = new CapacityPolicy { Epsilon = ResourceVector.Uniform(0.05), Rule = CapacityPolicy.Default.Rule };
        foreach (var plan in Plans)
        {
            var e = CapacityPlanner.Admit(expected, new AdmissionCandidate("x", plan), policy);
            var a = CapacityPlanner.Admit(actual, new AdmissionCandidate("x", plan), policy);
            Assert.Equal(e.Message, a.Message);
            Assert.Equal(e.Resources, a.Resources);
            var er = CapacityPlanner.Report(expected, policy, plan);
            var ar = CapacityPlanner.Report(actual, policy, plan);
            Assert.Equal(er.Resources.Select(r => r with { MoreOfPlan = null }), ar.Resources.Select(r => r with { MoreOfPlan = null }));
            Assert.Equal(er.Plan!.Resources, ar.Plan!.Resources);
            foreach (var rule in Hako.Capacity.Rules.CapacityRules.All)
            {
                foreach (var r in ResourceVector.All)
                {
                    Assert.Equal(rule.Evaluate(expected.History(r), 0.05), rule.Evaluate(actual.History(r), 0.05));
                }
            }
        }
    }
}

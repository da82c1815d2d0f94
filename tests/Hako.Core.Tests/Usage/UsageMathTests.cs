using Hako.Core.Usage;

namespace Hako.Core.Tests.Usage;

public sealed class UsageMathTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static UsageSample Sample(double seconds, long cpuNs, long memory, long? ioRead = null)
    {
        var v = UsageSample.NewValues();
        v[(int)UsageMetric.Cpu] = cpuNs;
        v[(int)UsageMetric.Memory] = memory;
        v[(int)UsageMetric.IoReadBytes] = ioRead;
        return new UsageSample("web1", T0.AddSeconds(seconds), v);
    }

    [Fact]
    public void Points_CountersBecomeRates_GaugesStay()
    {
        var points = UsageMath.Points([Sample(0, 0, 100), Sample(10, 5_000_000_000, 200, 1000), Sample(20, 15_000_000_000, 300, 6000)], TimeSpan.FromSeconds(30));
        Assert.Null(points[0][UsageMetric.Cpu]); // no earlier sample: no rate
        Assert.Equal(100, points[0][UsageMetric.Memory]!.Value.Mean);
        Assert.Equal(0.5, points[1][UsageMetric.Cpu]!.Value.Mean, 9); // 5 s of CPU in 10 s = half a core
        Assert.Null(points[1][UsageMetric.IoReadBytes]); // the counter appeared only now
        Assert.Equal(1.0, points[2][UsageMetric.Cpu]!.Value.Mean, 9);
        Assert.Equal(500, points[2][UsageMetric.IoReadBytes]!.Value.Mean, 9); // 5000 B in 10 s
    }

    [Fact]
    public void Points_UseTheSampleBefore_AndSkipGaps_AndCountResetsFromZero()
    {
        var before = Sample(-10, 0, 1);
        var points = UsageMath.Points([Sample(0, 2_000_000_000, 1), Sample(100, 3_000_000_000, 1), Sample(110, 1_000_000_000, 1)], TimeSpan.FromSeconds(30), before);
        Assert.Equal(0.2, points[0][UsageMetric.Cpu]!.Value.Mean, 9);
        Assert.Null(points[1][UsageMetric.Cpu]); // 100 s gap: hakod or the container was down
        Assert.Equal(0.1, points[2][UsageMetric.Cpu]!.Value.Mean, 9); // went down: restarted, 1 s of CPU since
    }

    [Fact]
    public void Buckets_MeanMaxAndNearestRankP95()
    {
        // 20 gauge points 1..20 in one 5-minute bucket, 2 in the next.
        var samples = Enumerable.Range(1, 20).Select(i => Sample(i * 10, 0, i)).Concat([Sample(300, 0, 7), Sample(310, 0, 9)]).ToList();
        var buckets = UsageMath.Buckets(UsageMath.Points(samples, TimeSpan.FromSeconds(30)), TimeSpan.FromMinutes(5));
        Assert.Equal(2, buckets.Count);
        Assert.Equal(T0, buckets[0].Bucket.Time);
        Assert.Equal(20, buckets[0].Samples);
        var memory = buckets[0].Bucket[UsageMetric.Memory]!.Value;
        Assert.Equal(10.5, memory.Mean, 9);
        Assert.Equal(20, memory.Max);
        Assert.Equal(19, memory.P95); // ceil(0.95 × 20) = 19th value
        Assert.Equal(T0.AddMinutes(5), buckets[1].Bucket.Time);
        Assert.Equal(new UsageValue(8, 9, 9), buckets[1].Bucket[UsageMetric.Memory]);
        Assert.Equal(2, buckets[1].Samples);
    }

    [Fact]
    public void BucketStart_IsAlignedToTheEpoch()
    {
        Assert.Equal(T0, UsageMath.BucketStart(T0.AddSeconds(299.9), TimeSpan.FromMinutes(5)));
        Assert.Equal(T0.AddMinutes(5), UsageMath.BucketStart(T0.AddMinutes(5), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Thin_MergesNeighbours()
    {
        var points = Enumerable.Range(0, 10).Select(i => new UsagePoint(T0.AddSeconds(i), [new UsageValue(i, i + 1, i + 0.5), .. new UsageValue?[UsageMetrics.Count - 1]])).ToList();
        var thin = UsageMath.Thin(points, 3);
        Assert.Equal(3, thin.Count); // 4 + 4 + 2
        Assert.Equal(new UsageValue(1.5, 4, 3.5), thin[0][UsageMetric.Cpu]);
        Assert.Equal(new UsageValue(8.5, 10, 9.5), thin[2][UsageMetric.Cpu]);
        Assert.Null(thin[0][UsageMetric.Memory]);
        Assert.Same(points, UsageMath.Thin(points, 10));
    }

    [Fact]
    public void Catalogue_IsInEnumOrder_WithUniqueNames()
    {
        for (var i = 0; i < UsageMetrics.Count; i++)
        {
            Assert.Equal(i, (int)UsageMetrics.All[i].Metric);
        }

        Assert.Equal(UsageMetrics.Count, UsageMetrics.All.Select(m => m.Name).Distinct().Count());
        Assert.Equal(UsageMetrics.Count, UsageMetrics.All.Select(m => m.Column).Distinct().Count());
        Assert.All(UsageMetrics.All.Where(m => m.Kind == MetricKind.Counter), m => Assert.EndsWith("_total", m.Prometheus));
    }
}

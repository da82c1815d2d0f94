using Hako.Capacity.Rules;
using Hako.Capacity.Statistics;

namespace Hako.Capacity.Tests.Rules;

public sealed class RuleTests
{
    private static ResourceHistory History(params double[][] series) =>
        ResourceHistory.Create(CapacityResource.Cpu, 100,
            series.Select(s => ((ReadOnlyMemory<double>)s, 10.0, 1.0)).ToList(), series[0].Length);

    // A = [1,2,3,4] and B = [4,3,2,1]: opposite phases, so the combined series is flat at 5.
    private static readonly double[] Rising = [1, 2, 3, 4];
    private static readonly double[] Falling = [4, 3, 2, 1];

    [Fact]
    public void StaticAllocation_IsSumOfLimitsOverRatio()
    {
        var h = History(Rising, Falling);
        Assert.Equal(20, CapacityRules.StaticAllocation().PredictDemand(h, 0.01));
        Assert.Equal(10, CapacityRules.StaticAllocation(2).PredictDemand(h, 0.01));
        Assert.Null(CapacityRules.StaticAllocation().OverloadProbability(h, 100));
    }

    [Fact]
    public void IndependentGaussian_AddsVariancesAsIfIndependent()
    {
        // Σμ = 2.5 + 2.5; Σσ² = 1.25 + 1.25; z(0.975) = 1.959964: 5 + 1.959964 × √2.5.
        Assert.Equal(8.098975161522809, CapacityRules.IndependentGaussian.PredictDemand(History(Rising, Falling), 0.025), 9);
    }

    [Fact]
    public void CombinedGaussian_SeesTheOppositePhasesCancel()
    {
        var h = History(Rising, Falling);
        Assert.Equal(5, CapacityRules.CombinedGaussian.PredictDemand(h, 0.025), 12);
        Assert.Equal(0, CapacityRules.CombinedGaussian.OverloadProbability(h, 5.5));
        Assert.Equal(1, CapacityRules.CombinedGaussian.OverloadProbability(h, 4.5));
    }

    [Fact]
    public void CombinedGaussian_OverloadProbability_IsTheGaussianTailAtCapacity()
    {
        // Combined [2,4,6,8]: mean 5, σ = √5; at capacity 5 + √5 the tail is 1 − Φ(1).
        var h = History(Rising, Rising);
        Assert.Equal(1 - 0.8413447460685429, CapacityRules.CombinedGaussian.OverloadProbability(h, 5 + Math.Sqrt(5))!.Value, 9);
    }

    [Fact]
    public void EmpiricalQuantile_Peak_AndSumOfQuantiles_OnReplicas()
    {
        // Replicas: combined [2,4,6,8]. ε = 25% → rank ⌈4 × 0.75⌉ − 1 = 2 → 6; each tenant's own → 3.
        var h = History(Rising, Rising);
        Assert.Equal(6, CapacityRules.EmpiricalQuantile.PredictDemand(h, 0.25));
        Assert.Equal(4, CapacityRules.EmpiricalQuantile.PredictDemand(h, 0.5));
        Assert.Equal(8, CapacityRules.Peak.PredictDemand(h, 0.25));
        Assert.Equal(6, CapacityRules.SumOfQuantiles.PredictDemand(h, 0.25));
        Assert.Equal(0.25, CapacityRules.EmpiricalQuantile.OverloadProbability(h, 6));
    }

    [Fact]
    public void SumOfQuantiles_OverProvisionsOppositePhases()
    {
        // Each tenant's 75% quantile is 3, so 6 is reserved though the sum never leaves 5.
        var h = History(Rising, Falling);
        Assert.Equal(6, CapacityRules.SumOfQuantiles.PredictDemand(h, 0.25));
        Assert.Equal(5, CapacityRules.EmpiricalQuantile.PredictDemand(h, 0.25));
    }

    [Fact]
    public void Max_TakesTheLargerDemand_AndTheLargerRisk()
    {
        var h = History(Rising, Rising);
        var rule = CapacityRules.Max(CapacityRules.EmpiricalQuantile, CapacityRules.Peak);
        Assert.Equal(8, rule.PredictDemand(h, 0.25));
        Assert.Equal("max(empirical-quantile,peak)", rule.Name);
        // At capacity 6: empirical says 25% (one bucket of four above), Gaussian-free peak the same.
        Assert.Equal(0.25, rule.OverloadProbability(h, 6));
    }

    [Fact]
    public void IndependentGaussian_UnderProvisionsCorrelatedReplicas()
    {
        // Three replicas of one N(10, 1) tenant (like Bitbrains VMs 41, 42, 43) plus one
        // independent tenant. The independent rule thinks σ_sum = √4 = 2; it really is √(9 + 1).
        const int n = 10_000;
        var x = GaussianSeries(n, 10, 1, seed: 1);
        var y = GaussianSeries(n, 10, 1, seed: 2);
        var h = History(x, x, x, y);
        var independent = CapacityRules.IndependentGaussian.PredictDemand(h, 0.01);
        var combined = CapacityRules.CombinedGaussian.PredictDemand(h, 0.01);
        var observedIndependent = Quantiles.FractionAbove(h.Combined, independent);
        var observedCombined = Quantiles.FractionAbove(h.Combined, combined);

        // z(0.99) × 2 / √10 = 1.47 → about 7% of buckets overload instead of 1%.
        Assert.InRange(observedIndependent, 0.05, 0.10);
        Assert.InRange(observedCombined, 0.005, 0.015);
        Assert.True(h.SumOfVariances() * 2 < h.CombinedMoments().Variance);
    }

    [Theory]
    [InlineData("static")]
    [InlineData("static:1.5")]
    [InlineData("independent-gaussian")]
    [InlineData("combined-gaussian")]
    [InlineData("empirical-quantile")]
    [InlineData("peak")]
    [InlineData("sum-of-quantiles")]
    [InlineData("max(combined-gaussian,peak)")]
    [InlineData("max(max(peak,static),sum-of-quantiles)")]
    public void TryParse_RoundTripsRuleNames(string name)
    {
        Assert.True(CapacityRules.TryParse(name, out var rule));
        Assert.Equal(name, rule.Name);
    }

    [Fact]
    public void TryParse_Default_IsTheDefaultRule()
    {
        Assert.True(CapacityRules.TryParse("default", out var rule));
        Assert.Same(CapacityRules.Default, rule);
        Assert.False(CapacityRules.TryParse("gaussian", out _));
    }

    [Fact]
    public void Evaluate_RejectsEpsilonOutsideZeroToOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CapacityRules.Peak.Evaluate(History(Rising), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CapacityRules.Peak.Evaluate(History(Rising), 1));
    }

    /// <summary>Exact N(mean, sd) quantiles on a grid, in a seeded random order.</summary>
    internal static double[] GaussianSeries(int n, double mean, double sd, ulong seed)
    {
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = mean + sd * Normal.InverseCdf((i + 0.5) / n);
        }
        var rng = new Hako.Capacity.Backtest.SplitMix64(seed);
        for (var i = n - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
        return values;
    }
}

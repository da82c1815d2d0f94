using Hako.Capacity.Statistics;

namespace Hako.Capacity.Rules;

/// <summary>
/// Static allocation ratio, the OpenStack way: the node is full when Σ limits = ratio × capacity,
/// so the demand it plans for is Σ limits / ratio. Ignores usage entirely.
/// </summary>
internal sealed class StaticAllocationRule(double ratio) : CapacityRule
{
    public double Ratio { get; } = ratio > 0 ? ratio : throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "an allocation ratio must be positive, e.g. 1.5");

    public override string Name => Ratio == 1 ? "static" : $"static:{Ratio:0.###}";

    public override string Assumption =>
        "Tenants may all use their full limits at once, scaled down by a fixed overcommit ratio chosen by taste.";

    public override double PredictDemand(ResourceHistory history, double epsilon) => history.LimitSum / Ratio;
}

/// <summary>
/// Independent Gaussian: Σ μᵢ + z·√(Σ σᵢ²) with z = Φ⁻¹(1 − ε). The central-limit answer when
/// tenants are independent; under-provisions when they move together (replicas, daily cycles),
/// because then the variance of the sum exceeds the sum of the variances.
/// </summary>
internal sealed class IndependentGaussianRule : CapacityRule
{
    public override string Name => "independent-gaussian";

    public override string Assumption =>
        "Tenants are independent and their sum is Gaussian: the variance of the sum is the sum of the variances.";

    public override double PredictDemand(ResourceHistory history, double epsilon) =>
        history.SumOfMeans() + Normal.InverseCdf(1 - epsilon) * Math.Sqrt(history.SumOfVariances());

    public override double? OverloadProbability(ResourceHistory history, double capacity) =>
        GaussianTail(history.SumOfMeans(), history.SumOfVariances(), capacity);

    internal static double GaussianTail(double mean, double variance, double capacity) =>
        variance > 0 ? Normal.UpperTail((capacity - mean) / Math.Sqrt(variance)) : (mean > capacity ? 1 : 0);
}

/// <summary>
/// Gaussian on the node's combined series: μ_S + z·σ_S where S is the per-bucket sum of all
/// tenants. Correlation counts (it is inside σ_S); the tail is still assumed Gaussian.
/// </summary>
internal sealed class CombinedGaussianRule : CapacityRule
{
    public override string Name => "combined-gaussian";

    public override string Assumption =>
        "The node's total demand is Gaussian with the mean and variance of its recorded sum (correlation included).";

    public override double PredictDemand(ResourceHistory history, double epsilon)
    {
        var (mean, variance) = history.CombinedMoments();
        return mean + Normal.InverseCdf(1 - epsilon) * Math.Sqrt(variance);
    }

    public override double? OverloadProbability(ResourceHistory history, double capacity)
    {
        var (mean, variance) = history.CombinedMoments();
        return IndependentGaussianRule.GaussianTail(mean, variance, capacity);
    }
}

/// <summary>
/// Empirical (1 − ε) quantile of the combined series: the smallest recorded total that at most
/// ε of the buckets exceeded. No distribution assumed; needs ≫ 1/ε buckets of history.
/// </summary>
internal sealed class EmpiricalQuantileRule : CapacityRule
{
    public override string Name => "empirical-quantile";

    public override string Assumption =>
        "The future looks like the recorded past: the node's total demand is drawn from the same distribution.";

    public override double PredictDemand(ResourceHistory history, double epsilon) => history.CombinedQuantile(epsilon);

    public override double? OverloadProbability(ResourceHistory history, double capacity) => history.FractionAbove(capacity);
}

/// <summary>Peak of the combined series: plan for the worst total ever seen (ε ignored).</summary>
internal sealed class PeakRule : CapacityRule
{
    public override string Name => "peak";

    public override string Assumption =>
        "The future never exceeds the recorded worst case of the node's total demand.";

    public override double PredictDemand(ResourceHistory history, double epsilon) => history.CombinedPeak();

    public override double? OverloadProbability(ResourceHistory history, double capacity) => history.FractionAbove(capacity);
}

/// <summary>
/// Σ of per-container (1 − ε) quantiles: each tenant gets its own bursts reserved. Assumes the
/// worst (all tenants burst together), so it over-provisions unless tenants are perfectly
/// correlated.
/// </summary>
internal sealed class SumOfQuantilesRule : CapacityRule
{
    public override string Name => "sum-of-quantiles";

    public override string Assumption =>
        "Tenants burst together (comonotone): the node's quantile is the sum of the tenants' quantiles.";

    public override double PredictDemand(ResourceHistory history, double epsilon) => history.SumOfQuantiles(epsilon);
}

/// <summary>The larger of two rules' demands: safe when either one's assumption holds.</summary>
internal sealed class MaxRule(CapacityRule first, CapacityRule second) : CapacityRule
{
    public CapacityRule First { get; } = first;
    public CapacityRule Second { get; } = second;

    public override string Name => $"max({First.Name},{Second.Name})";

    public override string Assumption =>
        $"At least one of the two holds: {First.Name} or {Second.Name}; the larger demand is planned for.";

    public override double PredictDemand(ResourceHistory history, double epsilon) =>
        Math.Max(First.PredictDemand(history, epsilon), Second.PredictDemand(history, epsilon));

    public override double? OverloadProbability(ResourceHistory history, double capacity)
    {
        var a = First.OverloadProbability(history, capacity);
        var b = Second.OverloadProbability(history, capacity);
        // The max rule fits only when both fit, so its risk is the larger of the two.
        return a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
    }
}

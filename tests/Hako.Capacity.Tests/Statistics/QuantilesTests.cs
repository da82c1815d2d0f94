using Hako.Capacity.Statistics;

namespace Hako.Capacity.Tests.Statistics;

public sealed class QuantilesTests
{
    [Theory]
    [InlineData(100, 0.01, 98)]   // one sample (1%) above s[98]
    [InlineData(4, 0.25, 2)]
    [InlineData(4, 0.5, 1)]
    [InlineData(1000, 0.001, 998)]
    [InlineData(10, 0.0001, 9)]   // fewer samples than 1/ε: the maximum
    public void Rank_IsTheSmallestOrderStatisticThatAtMostEpsilonExceed(int n, double epsilon, int rank)
    {
        Assert.Equal(rank, Quantiles.Rank(n, epsilon));
    }

    [Fact]
    public void UpperQuantile_OfShuffledSeries_MatchesSortedOrderStatistic()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)((i * 37) % 100 + 1)).ToArray();
        Assert.Equal(99, Quantiles.UpperQuantile(values, 0.01));
        Assert.Equal(100, Quantiles.UpperQuantile(values, 0.001));
        Assert.Equal(50, Quantiles.UpperQuantile(values, 0.5));
        Assert.Equal(0.01, Quantiles.FractionAbove(values, 99));
    }

    [Fact]
    public void MeanVariance_IsThePopulationVariance()
    {
        var (mean, variance) = Quantiles.MeanVariance([1, 2, 3, 4]);
        Assert.Equal(2.5, mean, 12);
        Assert.Equal(1.25, variance, 12);
    }
}

using Hako.Capacity.Statistics;

namespace Hako.Capacity.Tests.Statistics;

public sealed class NormalTests
{
    // Reference values from R's qnorm / pnorm (double precision).
    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.99, 2.3263478740408408)]
    [InlineData(0.999, 3.090232306167813)]
    [InlineData(0.9999, 3.719016485455709)]
    [InlineData(0.95, 1.6448536269514722)]
    [InlineData(0.8413447460685429, 1.0)]
    [InlineData(0.01, -2.3263478740408408)]
    [InlineData(1e-10, -6.361340902404056)]
    [InlineData(0.02425, -1.9729610513118845)]
    public void InverseCdf_KnownQuantiles_MatchToNineSignificantDigits(double p, double z)
    {
        // Beyond |z| ≈ 6 the refinement is limited by Φ's relative accuracy there (~1e-9).
        var actual = Normal.InverseCdf(p);
        Assert.True(Math.Abs(actual - z) <= 1e-9 * Math.Max(1, Math.Abs(z)), $"Φ⁻¹({p}) = {actual}, expected {z}");
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.959963984540054, 0.975)]
    [InlineData(-3.0, 0.0013498980316301)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(-8.0, 6.22096057427178e-16)]
    public void Cdf_KnownValues_Match(double x, double p)
    {
        var actual = Normal.Cdf(x);
        Assert.True(Math.Abs(actual - p) <= 1e-12 + 1e-9 * p, $"Φ({x}) = {actual}, expected {p}");
    }

    [Fact]
    public void InverseCdf_RoundTripsThroughCdf_AcrossTheRange()
    {
        for (var p = 1e-12; p < 1; p = p < 0.5 ? p * 3 : 1 - (1 - p) / 3)
        {
            var z = Normal.InverseCdf(p);
            Assert.True(Math.Abs(Normal.Cdf(z) - p) <= 1e-12 * Math.Max(1, p / (1 - p)) + 1e-14,
                $"Φ(Φ⁻¹({p})) = {Normal.Cdf(z)}");
            if (1 - p < 1e-12)
            {
                break;
            }
        }
    }

    [Fact]
    public void InverseCdf_AtTheEnds_IsInfinite_AndRejectsNonProbabilities()
    {
        Assert.Equal(double.NegativeInfinity, Normal.InverseCdf(0));
        Assert.Equal(double.PositiveInfinity, Normal.InverseCdf(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Normal.InverseCdf(1.5));
    }
}

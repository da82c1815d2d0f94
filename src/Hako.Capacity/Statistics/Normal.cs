namespace Hako.Capacity.Statistics;

/// <summary>The standard normal distribution: CDF and its inverse, to double precision.</summary>
public static class Normal
{
    private const double Sqrt2Pi = 2.50662827463100050242;

    /// <summary>Φ(x) = P(Z ≤ x) for Z ~ N(0, 1).</summary>
    /// <remarks>
    /// Hart's (1968) rational approximation as given by G. West, "Better approximations to
    /// cumulative normal functions" (2005): absolute error below 1e-14 everywhere; relative
    /// error in the far tail (x &lt; −6) about 1e-8, irrelevant for the ε a planner uses.
    /// </remarks>
    public static double Cdf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }
        var a = Math.Abs(x);
        double tail;
        if (a > 37)
        {
            tail = 0;
        }
        else
        {
            var e = Math.Exp(-a * a / 2);
            if (a < 7.07106781186547)
            {
                var n = 3.52624965998911E-02 * a + 0.700383064443688;
                n = n * a + 6.37396220353165;
                n = n * a + 33.912866078383;
                n = n * a + 112.079291497871;
                n = n * a + 221.213596169931;
                n = n * a + 220.206867912376;
                var d = 8.83883476483184E-02 * a + 1.75566716318264;
                d = d * a + 16.064177579207;
                d = d * a + 86.7807322029461;
                d = d * a + 296.564248779674;
                d = d * a + 637.333633378831;
                d = d * a + 793.826512519948;
                d = d * a + 440.413735824752;
                tail = e * n / d;
            }
            else
            {
                // Continued fraction for the far tail.
                var b = a + 0.65;
                b = a + 4 / b;
                b = a + 3 / b;
                b = a + 2 / b;
                b = a + 1 / b;
                tail = e / b / Sqrt2Pi;
            }
        }
        return x > 0 ? 1 - tail : tail;
    }

    /// <summary>P(Z &gt; x) = 1 − Φ(x), without cancellation for large x.</summary>
    public static double UpperTail(double x) => Cdf(-x);

    /// <summary>Φ⁻¹(p): the z with Φ(z) = p, for 0 &lt; p &lt; 1 (±∞ at 0 and 1).</summary>
    /// <remarks>
    /// P. J. Acklam's rational approximation (relative error 1.15e-9) refined by one Halley
    /// step against <see cref="Cdf"/>, which brings it to about 1e-15 for 1e-6 &lt; p &lt; 1 − 1e-6
    /// (about 1e-10 further out, where Φ's own relative accuracy limits the step).
    /// </remarks>
    public static double InverseCdf(double p)
    {
        if (double.IsNaN(p) || p < 0 || p > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "a probability must be between 0 and 1");
        }
        if (p == 0)
        {
            return double.NegativeInfinity;
        }
        if (p == 1)
        {
            return double.PositiveInfinity;
        }

        const double pLow = 0.02425;
        double x;
        if (p < pLow)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = Tail(q);
        }
        else if (p <= 1 - pLow)
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r
                    + 1.383577518672690e+02) * r - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q
                / (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r
                    + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1);
        }
        else
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -Tail(q);
        }

        // One Halley step: e = Φ(x) − p, u = e / φ(x).
        var err = Cdf(x) - p;
        var u = err * Sqrt2Pi * Math.Exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }

    private static double Tail(double q) =>
        (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q
            - 2.549732539343734e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00)
        / ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q
            + 3.754408661907416e+00) * q + 1);
}

using System.Runtime.CompilerServices;

namespace Hako.Capacity.Statistics;

/// <summary>Empirical quantiles and moments of a sample series.</summary>
/// <remarks>
/// The loops over whole series here (and in ResourceHistory, HistoryWindow, NodeSnapshot) are
/// marked AggressiveOptimization: hakod runs them a few times per admission, too rarely for tiered
/// compilation to leave its unoptimized first tier, which made them several times slower.
/// </remarks>
public static class Quantiles
{
    /// <summary>
    /// The empirical (1 − ε) quantile: the smallest sample that at most ⌊ε·n⌋ samples exceed,
    /// i.e. the order statistic at 0-based rank k = ⌈n(1 − ε)⌉ − 1 (ε = 0 gives the maximum).
    /// </summary>
    public static double UpperQuantile(ReadOnlySpan<double> values, double epsilon)
    {
        if (values.IsEmpty)
        {
            return 0;
        }
        var scratch = values.ToArray();
        return SelectInPlace(scratch, Rank(values.Length, epsilon));
    }

    /// <summary>Same as <see cref="UpperQuantile"/> on a buffer it may reorder (no copy).</summary>
    public static double UpperQuantileInPlace(Span<double> values, double epsilon) =>
        values.IsEmpty ? 0 : SelectInPlace(values, Rank(values.Length, epsilon));

    /// <summary>0-based rank of the (1 − ε) quantile among n samples.</summary>
    public static int Rank(int n, double epsilon)
    {
        // The small tolerance keeps n·(1−ε) that is an integer in exact arithmetic (100 × 0.99)
        // from rounding up past it in binary floating point.
        var k = (int)Math.Ceiling(n * (1 - epsilon) - 1e-9) - 1;
        return Math.Clamp(k, 0, n - 1);
    }

    /// <summary>Fraction of samples strictly greater than <paramref name="threshold"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double FractionAbove(ReadOnlySpan<double> values, double threshold)
    {
        if (values.IsEmpty)
        {
            return 0;
        }
        var above = 0;
        foreach (var v in values)
        {
            if (v > threshold)
            {
                above++;
            }
        }
        return (double)above / values.Length;
    }

    /// <summary>Mean and population variance (divide by n), two passes for accuracy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Mean, double Variance) MeanVariance(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return (0, 0);
        }
        double sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }
        var mean = sum / values.Length;
        double squares = 0;
        foreach (var v in values)
        {
            var d = v - mean;
            squares += d * d;
        }
        return (mean, squares / values.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Max(ReadOnlySpan<double> values)
    {
        var max = 0.0;
        var first = true;
        foreach (var v in values)
        {
            if (first || v > max)
            {
                max = v;
                first = false;
            }
        }
        return max;
    }

    /// <summary>The k-th smallest value (0-based), reordering the buffer (Hoare quickselect).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double SelectInPlace(Span<double> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (hi > lo)
        {
            // Median of three as pivot keeps sorted and constant series linear.
            var mid = lo + (hi - lo) / 2;
            var pivot = MedianOf3(a[lo], a[mid], a[hi]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot)
                {
                    i++;
                }
                while (a[j] > pivot)
                {
                    j--;
                }
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return a[k];
            }
        }
        return a[k];
    }

    private static double MedianOf3(double a, double b, double c) =>
        Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}

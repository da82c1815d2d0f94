using System.Globalization;
using System.Text;
using Hako.Contracts;

namespace Hako.Cli.Output;

/// <summary>How big a chart is and how it is printed.</summary>
/// <param name="Width">Columns of the whole chart, y-axis labels included.</param>
/// <param name="Height">Rows of the plot (the x-axis and its labels add two).</param>
/// <param name="Zone">Time zone of the x-axis labels.</param>
/// <param name="Color">Dim the max dots with ANSI (a terminal); without it they share the mean's cells.</param>
internal sealed record ChartLayout(int Width, int Height, TimeZoneInfo Zone, bool Color);

/// <summary>
/// A line chart in braille: each character cell holds 2×4 dots, so a 100-column chart has 200 points
/// across. The mean is drawn as a line (broken where samples are missing); with <c>showMax</c> each
/// point's max is a loose dot above it. No library in reach draws in a terminal (Spectre has bar
/// charts only), and this is small.
/// </summary>
internal static class TerminalChart
{
    private const string Dim = "\e[2m";
    private const string Reset = "\e[0m";

    /// <summary>The chart's lines: plot rows with y labels, the x-axis, and time labels under it.</summary>
    /// <param name="maxGap">Consecutive points further apart than this are not joined (hakod was down, container stopped).</param>
    /// <param name="unit">The metric's unit (MetricSeries.Unit): picks the y labels' format and round steps (binary for bytes).</param>
    public static IReadOnlyList<string> Render(IReadOnlyList<MetricPoint> points, bool showMax, DateTimeOffset from, DateTimeOffset to,
        TimeSpan maxGap, string unit, ChartLayout layout)
    {
        var height = Math.Max(2, layout.Height);
        var (bottom, top) = Range(points, showMax, unit);
        var labels = new string?[height];
        for (var row = 0; row < height; row++)
        {
            if (row == 0 || row == height - 1 || (height >= 6 && row == height / 2))
            {
                // Top row: the top of the scale; bottom row: its floor; the middle: the value at the row's centre.
                var fraction = row == 0 ? 1 : row == height - 1 ? 0 : (height - row - 0.5) / height;
                labels[row] = UsageUnits.Short(bottom + (top - bottom) * fraction, unit);
            }
        }

        var labelWidth = labels.Max(l => l?.Length ?? 0);
        var columns = Math.Max(10, layout.Width - labelWidth - 2);
        var (dotsWide, dotsHigh) = (columns * 2, height * 4);
        var mean = new bool[dotsWide, dotsHigh];
        var max = new bool[dotsWide, dotsHigh];
        var span = Math.Max(1e-9, (to - from).TotalSeconds);
        int X(DateTimeOffset t) => Math.Clamp((int)Math.Round((t - from).TotalSeconds / span * (dotsWide - 1)), 0, dotsWide - 1);
        int Y(double v) => Math.Clamp((int)Math.Round((v - bottom) / (top - bottom) * (dotsHigh - 1)), 0, dotsHigh - 1);

        for (var i = 0; i < points.Count; i++)
        {
            var (x, y) = (X(points[i].Time), Y(points[i].Mean));
            if (i > 0 && points[i].Time - points[i - 1].Time <= maxGap)
            {
                Line(mean, X(points[i - 1].Time), Y(points[i - 1].Mean), x, y);
            }
            else
            {
                mean[x, y] = true;
            }

            if (showMax)
            {
                max[x, Y(points[i].Max)] = true;
            }
        }

        var lines = new List<string>(height + 2);
        for (var row = 0; row < height; row++)
        {
            var line = new StringBuilder(layout.Width + 16);
            line.Append((labels[row] ?? "").PadLeft(labelWidth)).Append(labels[row] is null ? " │" : " ┤");
            for (var column = 0; column < columns; column++)
            {
                var (meanBits, maxBits) = (Cell(mean, column, row, dotsHigh), Cell(max, column, row, dotsHigh));
                if (meanBits == 0 && maxBits == 0)
                {
                    line.Append(' ');
                }
                else if (meanBits == 0 && layout.Color)
                {
                    line.Append(Dim).Append((char)(0x2800 + maxBits)).Append(Reset);
                }
                else
                {
                    line.Append((char)(0x2800 + (meanBits | maxBits)));
                }
            }

            lines.Add(line.ToString().TrimEnd());
        }

        lines.AddRange(TimeAxis(from, to, labelWidth, columns, layout.Zone));
        return lines;
    }

    /// <summary>Zero (or the lowest value, if below zero) to a round number at or above the highest value.</summary>
    internal static (double Bottom, double Top) Range(IReadOnlyList<MetricPoint> points, bool showMax, string unit)
    {
        var low = points.Count == 0 ? 0 : Math.Min(0, points.Min(p => p.Mean));
        var high = points.Count == 0 ? 0 : points.Max(p => showMax ? Math.Max(p.Max, p.Mean) : p.Mean);
        var top = high <= low ? low + 1 : low + RoundUp(high - low, binary: unit is "B" or "B/s");
        return (low, top);
    }

    /// <summary>
    /// The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above <paramref name="value"/>; for bytes a power of two
    /// × 1024ⁿ, so the labels read 512M, 1G rather than 1000K.
    /// </summary>
    internal static double RoundUp(double value, bool binary)
    {
        var radix = binary ? 1024.0 : 10.0;
        var unit = Math.Pow(radix, Math.Floor(Math.Log(value) / Math.Log(radix)));
        double[] steps = binary ? [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] : [1, 2, 2.5, 5];
        foreach (var step in steps)
        {
            if (step * unit >= value * (1 - 1e-12))
            {
                return step * unit;
            }
        }

        return radix * unit;
    }

    /// <summary>"└──┬───" then a time under each tick: HH:mm:ss up to 10 minutes, HH:mm up to a day, else MM-dd HH:mm.</summary>
    private static IEnumerable<string> TimeAxis(DateTimeOffset from, DateTimeOffset to, int labelWidth, int columns, TimeZoneInfo zone)
    {
        var span = to - from;
        var format = span <= TimeSpan.FromMinutes(10) ? "HH:mm:ss" : span <= TimeSpan.FromDays(1) ? "HH:mm" : "MM-dd HH:mm";
        var every = format.Length + 4;
        var axis = new StringBuilder(new string(' ', labelWidth) + " └");
        var text = new StringBuilder(new string(' ', labelWidth + 2));
        for (var column = 0; column < columns; column++)
        {
            var tick = column % every == 0 && column + format.Length <= columns;
            axis.Append(tick ? '┬' : '─');
            if (tick)
            {
                var time = from + span * (column / (double)Math.Max(1, columns - 1));
                text.Append(TimeZoneInfo.ConvertTime(time, zone).ToString(format, CultureInfo.InvariantCulture).PadRight(every));
            }
        }

        return [axis.ToString(), text.ToString().TrimEnd()];
    }

    /// <summary>The braille bits of one cell: dots 1-2-3-7 down the left column, 4-5-6-8 down the right.</summary>
    private static int Cell(bool[,] dots, int column, int row, int dotsHigh)
    {
        ReadOnlySpan<int> left = [0x01, 0x02, 0x04, 0x40];
        ReadOnlySpan<int> right = [0x08, 0x10, 0x20, 0x80];
        var bits = 0;
        for (var i = 0; i < 4; i++)
        {
            var y = dotsHigh - 1 - (row * 4 + i);
            bits |= (dots[column * 2, y] ? left[i] : 0) | (dots[column * 2 + 1, y] ? right[i] : 0);
        }

        return bits;
    }

    /// <summary>Bresenham: every dot on the line from (x0, y0) to (x1, y1).</summary>
    private static void Line(bool[,] dots, int x0, int y0, int x1, int y1)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
        var error = dx + dy;
        while (true)
        {
            dots[x0, y0] = true;
            if (x0 == x1 && y0 == y1)
            {
                return;
            }

            var doubled = 2 * error;
            if (doubled >= dy)
            {
                error += dy;
                x0 += sx;
            }

            if (doubled <= dx)
            {
                error += dx;
                y0 += sy;
            }
        }
    }
}

using ScottPlot;

namespace Hako.Capacity.Charts;

/// <summary>How to label an aggregate chart.</summary>
public sealed record AggregateChartOptions
{
    public string Title { get; init; } = "Node aggregate demand";

    /// <summary>Time of bucket 0 and the bucket length, for the time axis.</summary>
    public DateTimeOffset Start { get; init; }
    public TimeSpan BucketLength { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Unit shown on the Y axis after dividing the values by <see cref="Scale"/>.</summary>
    public string Unit { get; init; } = "";
    public double Scale { get; init; } = 1;

    public string PredictionLabel { get; init; } = "predicted (1 − ε) demand";
    public string CapacityLabel { get; init; } = "capacity";

    /// <summary>Bucket where the test period starts (backtests); drawn as a vertical line.</summary>
    public int? SplitAt { get; init; }

    public int Width { get; init; } = 1400;
    public int Height { get; init; } = 600;
}

/// <summary>PNG charts of the planner's view of a node.</summary>
public static class ChartRenderer
{
    /// <summary>
    /// Draws the node's combined demand over time against the rule's prediction and the
    /// capacity, with axes, units and a legend, and writes it as a PNG to <paramref name="path"/>.
    /// </summary>
    public static void RenderAggregate(IReadOnlyList<double> series, double prediction, double capacity, string path, AggregateChartOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, RenderAggregatePng(series, prediction, capacity, options));
    }

    /// <summary>The same chart as PNG bytes (hakod serves them; the CLI saves them).</summary>
    public static byte[] RenderAggregatePng(IReadOnlyList<double> series, double prediction, double capacity, AggregateChartOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        options ??= new AggregateChartOptions();
        if (series.Count == 0)
        {
            throw new ArgumentException("Nothing to draw: the series is empty.", nameof(series));
        }
        var scale = options.Scale > 0 ? options.Scale : 1;
        var xs = new double[series.Count];
        var ys = new double[series.Count];
        var start = options.Start.UtcDateTime;
        for (var i = 0; i < series.Count; i++)
        {
            xs[i] = (start + options.BucketLength * i).ToOADate();
            ys[i] = series[i] / scale;
        }

        using var plot = new Plot();
        var demand = plot.Add.ScatterLine(xs, ys);
        demand.LegendText = "combined demand";
        demand.LineWidth = 1;
        demand.Color = Colors.SteelBlue;

        var predicted = plot.Add.HorizontalLine(prediction / scale);
        predicted.LegendText = $"{options.PredictionLabel} = {Format(prediction / scale)} {options.Unit}".TrimEnd();
        predicted.Color = Colors.DarkOrange;
        predicted.LinePattern = LinePattern.Dashed;
        predicted.LineWidth = 2;

        var cap = plot.Add.HorizontalLine(capacity / scale);
        cap.LegendText = $"{options.CapacityLabel} = {Format(capacity / scale)} {options.Unit}".TrimEnd();
        cap.Color = Colors.Crimson;
        cap.LineWidth = 2;

        if (options.SplitAt is { } split && split > 0 && split < series.Count)
        {
            var line = plot.Add.VerticalLine(xs[split]);
            line.LegendText = "train | test";
            line.Color = Colors.Gray;
            line.LinePattern = LinePattern.Dotted;
        }

        plot.Axes.DateTimeTicksBottom();
        plot.Title(options.Title);
        plot.XLabel("time (UTC)");
        plot.YLabel(string.IsNullOrEmpty(options.Unit) ? "demand" : $"demand ({options.Unit})");
        plot.Axes.SetLimitsY(0, Math.Max(ys.Max(), Math.Max(prediction, capacity) / scale) * 1.08);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(options.Width, options.Height, ImageFormat.Png);
    }

    private static string Format(double v) => v.ToString(v >= 100 ? "0" : "0.##", System.Globalization.CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text;
using Hako.Contracts;

namespace Hako.Cli.Output;

/// <summary>Summary of one metric over the range: the lowest and average mean, the highest max, the p95.</summary>
internal sealed record MetricSummary(double Min, double Mean, double Max, double P95);

/// <summary>`hako stats`: a chart and a summary line per metric, or the history as CSV.</summary>
internal static class StatsView
{
    /// <summary>Rows of each metric's chart.</summary>
    public const int ChartHeight = 10;

    /// <summary>
    /// Each metric of <paramref name="history"/> (only <paramref name="metrics"/>, when given, in that order):
    /// a title, the chart (mean, and max dots when the history is aggregated), and its summary line.
    /// </summary>
    public static string Render(UsageHistory history, IReadOnlyList<string>? metrics, ChartLayout layout)
    {
        var aggregate = history.Source == "aggregate";
        var shown = metrics is null
            ? history.Metrics
            : [.. metrics.Select(name => history.Metrics.FirstOrDefault(m => m.Metric == name)).OfType<MetricSeries>()];
        var text = new StringBuilder();
        var zone = layout.Zone;
        text.Append(CultureInfo.InvariantCulture,
            $"{(history.Series == "@node" ? "node" : history.Series)}: {FormatTime(history.From, zone)} to {FormatTime(history.To, zone)}, ")
            .Append(aggregate ? $"{Resolution(history.ResolutionSeconds)} buckets (mean line, max dots)" : $"a sample every {Resolution(history.ResolutionSeconds)}")
            .Append('\n');
        if (shown.Count == 0)
        {
            text.Append("No usage recorded in this range (hakod records running containers every --sample-interval).\n");
            return text.ToString();
        }

        // Points further apart than this were not consecutive samples: leave a gap in the line.
        var maxGap = TimeSpan.FromSeconds(history.ResolutionSeconds * 2.5);
        foreach (var series in shown)
        {
            text.Append('\n').Append(series.Metric);
            if (series.Unit.Length > 0)
            {
                text.Append(" (").Append(series.Unit).Append(')');
            }

            text.Append('\n');
            foreach (var line in TerminalChart.Render(series.Points, aggregate, history.From, history.To, maxGap, series.Unit, layout))
            {
                text.Append(line).Append('\n');
            }

            text.Append(SummaryLine(series)).Append('\n');
        }

        return text.ToString();
    }

    public static string SummaryLine(MetricSeries series)
    {
        if (Summarize(series.Points) is not { } s)
        {
            return "no points";
        }

        string F(double v) => UsageUnits.Format(v, series.Unit);
        return $"min {F(s.Min)}  mean {F(s.Mean)}  max {F(s.Max)}  p95 {F(s.P95)}";
    }

    /// <summary>
    /// Min and mean of the points' means, max of their maxes, and the 95th percentile (nearest rank) of
    /// their p95s: exact for raw samples, where all three are the sample; an upper estimate over buckets.
    /// </summary>
    public static MetricSummary? Summarize(IReadOnlyList<MetricPoint> points)
    {
        if (points.Count == 0)
        {
            return null;
        }

        var p95s = points.Select(p => p.P95).Order().ToArray();
        var rank = (int)Math.Ceiling(0.95 * p95s.Length) - 1;
        return new MetricSummary(points.Min(p => p.Mean), points.Average(p => p.Mean), points.Max(p => p.Max), p95s[Math.Max(0, rank)]);
    }

    /// <summary>RFC 4180 CSV (CRLF, quoted where needed): time,metric,unit,mean,max,p95; ISO 8601 UTC times, invariant numbers.</summary>
    public static string Csv(UsageHistory history)
    {
        var csv = new StringBuilder("time,metric,unit,mean,max,p95\r\n");
        foreach (var series in history.Metrics)
        {
            foreach (var p in series.Points)
            {
                csv.Append(p.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',')
                    .Append(CsvField(series.Metric)).Append(',')
                    .Append(CsvField(series.Unit)).Append(',')
                    .Append(Number(p.Mean)).Append(',')
                    .Append(Number(p.Max)).Append(',')
                    .Append(Number(p.P95)).Append("\r\n");
            }
        }

        return csv.ToString();
    }

    internal static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string FormatTime(DateTimeOffset time, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(time, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>300 → "5m", 10 → "10s", 7200 → "2h".</summary>
    internal static string Resolution(double seconds) =>
        seconds >= 3600 && seconds % 3600 == 0 ? (seconds / 3600).ToString(CultureInfo.InvariantCulture) + "h"
        : seconds >= 60 && seconds % 60 == 0 ? (seconds / 60).ToString(CultureInfo.InvariantCulture) + "m"
        : Math.Round(seconds, 1).ToString("0.#", CultureInfo.InvariantCulture) + "s";
}

using System.Globalization;

namespace Hako.Cli.Output;

/// <summary>
/// Usage values in the units hakod's metric catalogue gives them (MetricSeries.Unit): "cores", "B",
/// "B/s", "ops/s", "pkt/s", "/s", or "" for counts. Short enough for `hako top` columns and chart axes.
/// </summary>
internal static class UsageUnits
{
    private static readonly string[] DecimalSuffixes = ["", "k", "M", "G", "T"];

    /// <summary>1.5G, 12M/s, 0.52 cores, 1.2k ops/s, 17.</summary>
    public static string Format(double value, string unit) => unit switch
    {
        "B" or "B/s" or "" => Short(value, unit),
        _ => Short(value, unit) + " " + unit,
    };

    /// <summary>Without the unit where the chart's title says it: 1.5G, 12M/s, 0.52, 1.2k.</summary>
    public static string Short(double value, string unit) => unit switch
    {
        "cores" => Cores(value),
        "B" => Sizes.Format(ToLong(value)),
        "B/s" => Rate(value),
        _ => Count(value),
    };

    /// <summary>Bytes per second: "0", "512/s", "1.5M/s".</summary>
    private static string Rate(double bytesPerSecond)
    {
        var bytes = ToLong(bytesPerSecond);
        return bytes == 0 ? "0" : Sizes.Format(bytes) + "/s";
    }

    /// <summary>Cores to two decimals at most: 0.5, 1.25, 4.</summary>
    public static string Cores(double cores) => Math.Round(cores, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>CPU the way top shows it, cores × 100: "52.3%" (one decimal below 100%), "250%".</summary>
    public static string CpuPercent(double cores)
    {
        var percent = cores * 100;
        return (percent < 100 ? Math.Round(percent, 1).ToString("0.0", CultureInfo.InvariantCulture)
            : Math.Round(percent).ToString("0", CultureInfo.InvariantCulture)) + "%";
    }

    /// <summary>A part of a whole as a whole percentage, "-" without a whole.</summary>
    public static string Share(double part, double? whole) =>
        whole is > 0 ? Math.Round(part * 100 / whole.Value).ToString("0", CultureInfo.InvariantCulture) + "%" : "-";

    /// <summary>Counts and per-second rates in decimal steps: 7, 0.5, 1.2k, 34M.</summary>
    public static string Count(double value)
    {
        if (value < 0)
        {
            return "-" + Count(-value);
        }

        var unit = 0;
        while (value >= 999.5 && unit < DecimalSuffixes.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        var format = unit == 0 && value == Math.Floor(value) ? "0" : value < 10 ? "0.#" : "0";
        return Math.Round(value, value < 10 ? 1 : 0).ToString(format, CultureInfo.InvariantCulture) + DecimalSuffixes[unit];
    }

    private static long ToLong(double value) =>
        double.IsFinite(value) ? (long)Math.Round(Math.Clamp(value, long.MinValue, long.MaxValue)) : 0;
}

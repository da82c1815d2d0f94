using System.Globalization;

namespace Hako.Cli.Output;

/// <summary>
/// Byte counts the way vzctl and hako's options spell them: binary units, one letter (256M, 1.5G, 512K).
/// The CLI keeps its own copy: it must not depend on Hako.Core.
/// </summary>
internal static class Sizes
{
    private static readonly string[] Suffixes = ["", "K", "M", "G", "T", "P", "E"];

    /// <summary>0 → "0"; 1536 → "1.5K"; 268435456 → "256M"; one decimal below 10 units, whole numbers above.</summary>
    public static string Format(long bytes)
    {
        if (bytes < 0)
        {
            return "-" + Format(-bytes);
        }

        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Suffixes.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        if (unit == 0)
        {
            return bytes.ToString(CultureInfo.InvariantCulture);
        }

        // 1023.6M would round to "1024M": show it in the next unit instead.
        if (Math.Round(value) >= 1024 && unit < Suffixes.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        var text = value < 10
            ? Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture)
            : Math.Round(value).ToString("0", CultureInfo.InvariantCulture);
        return text + Suffixes[unit];
    }

    /// <summary>A limit: null means no limit.</summary>
    public static string FormatLimit(long? bytes) => bytes is { } b ? Format(b) : "unlimited";

    /// <summary>A usage figure: null means not known (e.g. container stopped).</summary>
    public static string FormatUsage(long? bytes) => bytes is { } b ? Format(b) : "-";

    /// <summary>"12M/256M" for tables.</summary>
    public static string UsedOfLimit(long? used, long? limit) => FormatUsage(used) + "/" + FormatLimit(limit);

    public static string FormatCpus(double cpus) => cpus.ToString("0.##", CultureInfo.InvariantCulture);
}

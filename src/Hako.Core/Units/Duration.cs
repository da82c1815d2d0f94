using System.Globalization;

namespace Hako.Core.Units;

/// <summary>Durations as operators write them: "90s", "5m", "24h", "30d", "2w" (one number, one unit).</summary>
public static class Duration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length < 2)
        {
            return false;
        }

        var t = text.Trim();
        var unit = char.ToLowerInvariant(t[^1]) switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            'w' => TimeSpan.FromDays(7),
            _ => TimeSpan.Zero,
        };
        if (unit == TimeSpan.Zero || !double.TryParse(t[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)
            || n <= 0 || n * unit.TotalDays > 3650)
        {
            return false;
        }

        value = unit * n;
        return true;
    }

    /// <summary>Parses or throws an InvalidArgument error naming <paramref name="what"/> and the accepted forms.</summary>
    public static TimeSpan Parse(string text, string what) => TryParse(text, out var v)
        ? v
        : throw new Errors.HakoException(Contracts.ErrorCode.InvalidArgument,
            $"{what} '{text}' is not a duration; use a number and a unit: 30s, 5m, 24h, 30d or 2w");

    /// <summary>A point in time as a duration before <paramref name="now"/> (1h) or an ISO 8601 time (2026-11-26T12:00Z).</summary>
    public static DateTimeOffset ParseSince(string text, DateTimeOffset now, string what)
    {
        if (TryParse(text, out var ago))
        {
            return now - ago;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at;
        }

        throw Errors.HakoException.Invalid($"{what} '{text}' is neither a duration nor a time; use e.g. 30m, 1h, 7d or 2026-11-26T12:00:00Z");
    }

    /// <summary>The shortest exact form: 300 s → "5m", 86400 s → "1d", 90 s → "90s".</summary>
    public static string Format(TimeSpan span)
    {
        foreach (var (unit, suffix) in new[] { (TimeSpan.FromDays(7), "w"), (TimeSpan.FromDays(1), "d"), (TimeSpan.FromHours(1), "h"), (TimeSpan.FromMinutes(1), "m") })
        {
            if (span >= unit && span.Ticks % unit.Ticks == 0)
            {
                return (span.Ticks / unit.Ticks).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }
}

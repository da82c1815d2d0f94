using System.Globalization;
using Hako.Core.Errors;

namespace Hako.Core.Units;

/// <summary>Durations as operators write them: 90s, 15m, 12h, 30d, 2w (one unit, a whole number).</summary>
public static class Duration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        var s = text?.Trim() ?? "";
        if (s.Length < 2 || !long.TryParse(s[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000)
        {
            return false;
        }

        TimeSpan? unit = char.ToLowerInvariant(s[^1]) switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            'w' => TimeSpan.FromDays(7),
            _ => null,
        };
        if (unit is not { } u)
        {
            return false;
        }

        duration = u * n;
        return true;
    }

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

        throw HakoException.Invalid($"{what} '{text}' is neither a duration nor a time; use e.g. 30m, 1h, 7d or 2026-11-26T12:00:00Z");
    }
}

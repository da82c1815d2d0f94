using System.Globalization;
using Hako.Core.Errors;

namespace Hako.Core.Units;

/// <summary>Sizes as operators write them: 512, 64K, 256M, 2G, 1T (powers of 1024), or "unlimited".</summary>
public static class Size
{
    public const string Unlimited = "unlimited";

    /// <summary>
    /// The largest size Hako takes (1024T = 1 PiB). Far above any node, and low enough that sums of many
    /// limits (admission, totals) can never overflow a long.
    /// </summary>
    public const long Max = 1L << 50;

    /// <summary>Parses a size; null means unlimited. <paramref name="what"/> names the setting in the error.</summary>
    public static long? Parse(string text, string what)
    {
        if (!TryParse(text, out var bytes))
        {
            throw HakoException.Invalid(Error(text, what));
        }

        return bytes;
    }

    /// <summary>The message for a text <see cref="TryParse"/> refused: not a size, or too big.</summary>
    public static string Error(string? text, string what) =>
        IsTooBig(text)
            ? $"{what} '{text}' is too big; the most Hako takes is {Format(Max)}"
            : $"{what} '{text}' is not a size; use e.g. 512M, 10G or 'unlimited'";

    public static bool TryParse(string? text, out long? bytes) => TryParseCore(text, out bytes) == Outcome.Ok;

    private static bool IsTooBig(string? text) => TryParseCore(text, out _) == Outcome.TooBig;

    private enum Outcome { Ok, Invalid, TooBig }

    private static Outcome TryParseCore(string? text, out long? bytes)
    {
        bytes = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return Outcome.Invalid;
        }

        var s = text.Trim();
        if (s.Equals(Unlimited, StringComparison.OrdinalIgnoreCase) || s == "max")
        {
            return Outcome.Ok;
        }

        long multiplier = 1;
        if (s.EndsWith("iB", StringComparison.OrdinalIgnoreCase) || (s.Length > 1 && char.ToUpperInvariant(s[^1]) == 'B' && char.IsAsciiLetter(s[^2])))
        {
            s = s[..^(s.EndsWith("iB", StringComparison.OrdinalIgnoreCase) ? 2 : 1)];
        }

        if (s.Length == 0)
        {
            return Outcome.Invalid;
        }

        switch (char.ToUpperInvariant(s[^1]))
        {
            case 'K': multiplier = 1L << 10; s = s[..^1]; break;
            case 'M': multiplier = 1L << 20; s = s[..^1]; break;
            case 'G': multiplier = 1L << 30; s = s[..^1]; break;
            case 'T': multiplier = 1L << 40; s = s[..^1]; break;
            case 'P': multiplier = 4096; s = s[..^1]; break; // pages, as vzctl accepts them
            case 'B': s = s[..^1]; break;
            default: break;
        }

        // ASCII digits with at most one '.', nothing else: no signs, exponents, spaces or other scripts' digits.
        if (s.Length == 0 || s.Count(c => c == '.') > 1 || s.Any(c => !char.IsAsciiDigit(c) && c != '.') || s == ".")
        {
            return Outcome.Invalid;
        }

        // decimal holds 28 digits: anything longer is too big anyway (or a run of zeros, refused as not worth it).
        if (s.Replace(".", "", StringComparison.Ordinal).TrimStart('0').Length > 20)
        {
            return Outcome.TooBig;
        }

        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return Outcome.Invalid;
        }

        // value < 10^20 and multiplier ≤ 2^40 stays below decimal's 7.9 × 10^28: no overflow.
        var result = value * multiplier;
        if (result > Max)
        {
            return Outcome.TooBig;
        }

        bytes = (long)result;
        return Outcome.Ok;
    }

    /// <summary>Formats bytes the way people read them: 256M, 1.5G, 512K.</summary>
    public static string Format(long? bytes)
    {
        if (bytes is null)
        {
            return Unlimited;
        }

        var b = bytes.Value;
        string[] units = ["", "K", "M", "G", "T"];
        double v = b;
        var i = 0;
        while (v >= 1024 && i < units.Length - 1)
        {
            v /= 1024;
            i++;
        }

        return i == 0 ? b.ToString(CultureInfo.InvariantCulture)
            : (v % 1 == 0 ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.#", CultureInfo.InvariantCulture)) + units[i];
    }
}

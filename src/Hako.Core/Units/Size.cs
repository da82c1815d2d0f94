using System.Globalization;
using Hako.Core.Errors;

namespace Hako.Core.Units;

/// <summary>Sizes as operators write them: 512, 64K, 256M, 2G, 1T (powers of 1024), or "unlimited".</summary>
public static class Size
{
    public const string Unlimited = "unlimited";

    /// <summary>Parses a size; null means unlimited. <paramref name="what"/> names the setting in the error.</summary>
    public static long? Parse(string text, string what)
    {
        if (!TryParse(text, out var bytes))
        {
            throw HakoException.Invalid($"{what} '{text}' is not a size; use e.g. 512M, 10G or 'unlimited'");
        }

        return bytes;
    }

    public static bool TryParse(string? text, out long? bytes)
    {
        bytes = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.Equals(Unlimited, StringComparison.OrdinalIgnoreCase) || s == "max")
        {
            return true;
        }

        long multiplier = 1;
        var last = char.ToUpperInvariant(s[^1]);
        if (s.EndsWith("iB", StringComparison.OrdinalIgnoreCase) || (s.Length > 1 && last == 'B' && char.IsLetter(s[^2])))
        {
            s = s[..^(s.EndsWith("iB", StringComparison.OrdinalIgnoreCase) ? 2 : 1)];
            last = char.ToUpperInvariant(s[^1]);
        }

        switch (last)
        {
            case 'K': multiplier = 1L << 10; s = s[..^1]; break;
            case 'M': multiplier = 1L << 20; s = s[..^1]; break;
            case 'G': multiplier = 1L << 30; s = s[..^1]; break;
            case 'T': multiplier = 1L << 40; s = s[..^1]; break;
            case 'P': multiplier = 4096; s = s[..^1]; break; // pages, as vzctl accepts them
            case 'B': s = s[..^1]; break;
            default: break;
        }

        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            return false;
        }

        var result = value * multiplier;
        if (result > long.MaxValue)
        {
            return false;
        }

        bytes = (long)result;
        return true;
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

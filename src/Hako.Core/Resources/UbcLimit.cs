using System.Globalization;
using Hako.Core.Errors;
using Hako.Core.Units;

namespace Hako.Core.Resources;

/// <summary>
/// One beancounter's barrier and limit, in the parameter's own unit (items, bytes or pages).
/// <see cref="Unlimited"/> is LONG_MAX, as the kernel and vzctl write it.
/// </summary>
public readonly record struct UbcLimit(long Barrier, long Limit)
{
    /// <summary>LONG_MAX (9223372036854775807): "no limit" in /proc/user_beancounters and in ve-*.conf files.</summary>
    public const long Unlimited = long.MaxValue;

    public static UbcLimit None { get; } = new(Unlimited, Unlimited);

    public static UbcLimit Both(long value) => new(value, value);

    public bool IsUnlimited => Barrier == Unlimited && Limit == Unlimited;

    /// <summary>Raw numbers, as in a ve-*.conf file: <c>5242880:5592405</c>.</summary>
    public override string ToString() =>
        Barrier.ToString(CultureInfo.InvariantCulture) + ":" + Limit.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// vzctl syntax with exact suffixes, so that <see cref="Parse"/> gives the same numbers back:
    /// <c>14M:16M</c>, <c>0:256M</c> for pages, <c>240</c> when barrier = limit, <c>unlimited</c>.
    /// </summary>
    public string ToVzctl(UbcUnit unit) =>
        Barrier == Limit ? UbcText.Exact(Barrier, unit) : UbcText.Exact(Barrier, unit) + ":" + UbcText.Exact(Limit, unit);

    /// <summary>
    /// Parses vzctl's <c>barrier[:limit]</c>; a single value sets both. Each value is a number, a number with a
    /// suffix, or <c>unlimited</c>. Suffixes (case-insensitive): K, M, G, T (powers of 1024 bytes), P (4 KiB pages),
    /// B (bytes). For byte parameters a page suffix is multiplied by 4096. For <c>*pages</c> parameters a plain
    /// number counts pages and a byte size is converted to pages, rounded up: physpages <c>256M</c> = 65536 pages
    /// (vzctl does the same division; rounding up means the container gets at least what was written).
    /// <c>num*</c> counters take plain counts only, as vzctl's man page says.
    /// </summary>
    /// <exception cref="HakoException">InvalidArgument, naming the flag and showing what to write.</exception>
    public static UbcLimit Parse(UbcParameter parameter, string? text) =>
        TryParse(parameter, text, out var value, out var error) ? value : throw HakoException.Invalid(error);

    public static bool TryParse(UbcParameter parameter, string? text, out UbcLimit value, out string error)
    {
        value = default;
        error = "";
        var parts = (text ?? "").Split(':');
        if (parts.Length is < 1 or > 2
            || !TryParseValue(parameter.Unit, parts[0], out var barrier)
            || !TryParseValue(parameter.Unit, parts[^1], out var limit))
        {
            var why = parameter.Unit == UbcUnit.Items && (text ?? "").Any(char.IsLetter)
                && !(text ?? "").Contains(Size.Unlimited, StringComparison.OrdinalIgnoreCase)
                ? $"{parameter.Name} counts items, so it takes no size suffix; " : "";
            error = $"--{parameter.Name} '{text}' is not barrier[:limit]; {why}use e.g. {Example(parameter.Unit)}";
            return false;
        }

        value = new UbcLimit(barrier, limit);
        return true;
    }

    private static string Example(UbcUnit unit) => unit switch
    {
        UbcUnit.Bytes => "14M:16M",
        UbcUnit.Pages => "64M:70M or 16384:17920 (pages)",
        _ => "240:240",
    };

    private static bool TryParseValue(UbcUnit unit, string text, out long value)
    {
        value = 0;
        var s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        if (s.Equals(Size.Unlimited, StringComparison.OrdinalIgnoreCase))
        {
            value = Unlimited;
            return true;
        }

        // Bytes per unit of the suffix; 0 = no suffix (the parameter's own unit).
        long suffixBytes = char.ToUpperInvariant(s[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            'P' => UbcParameters.PageSize,
            'B' => 1,
            _ => 0,
        };
        if (suffixBytes != 0)
        {
            if (unit == UbcUnit.Items)
            {
                return false;
            }

            s = s[..^1];
        }

        if (s.Length == 0 || !s.All(char.IsAsciiDigit)
            || !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        if (suffixBytes == 0)
        {
            value = number;
            return true;
        }

        var bytes = (Int128)number * suffixBytes;
        Int128 result = unit == UbcUnit.Pages ? (bytes + UbcParameters.PageSize - 1) / UbcParameters.PageSize : bytes;
        if (result > long.MaxValue)
        {
            return false;
        }

        value = (long)result;
        return true;
    }
}

/// <summary>How beancounter values read in messages and in vzctl syntax.</summary>
internal static class UbcText
{
    /// <summary>For people: <c>5.7M</c>, <c>6144 pages (24M)</c>, <c>240</c>, <c>unlimited</c>.</summary>
    public static string Human(long value, UbcUnit unit) => value == UbcLimit.Unlimited ? Size.Unlimited : unit switch
    {
        UbcUnit.Bytes => Size.Format(value),
        UbcUnit.Pages => $"{value.ToString(CultureInfo.InvariantCulture)} pages ({Size.Format(Math.Min(value, long.MaxValue / UbcParameters.PageSize) * UbcParameters.PageSize)})",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Exact, parseable: the largest suffix that divides the value.</summary>
    public static string Exact(long value, UbcUnit unit)
    {
        if (value == UbcLimit.Unlimited)
        {
            return Size.Unlimited;
        }

        if (unit == UbcUnit.Items || value == 0)
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        var bytes = unit == UbcUnit.Pages ? (Int128)value * UbcParameters.PageSize : value;
        foreach (var (suffix, size) in new[] { ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10) })
        {
            if (bytes % size == 0)
            {
                return (bytes / size).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return value.ToString(CultureInfo.InvariantCulture);
    }
}

namespace Hako.Core.Validation;

/// <summary>
/// Names and host names, checked character by character (no regex: .NET's <c>$</c> also matches before a
/// trailing "\n"). Names become paths, LXC names, cgroup dirs and config lines, so only ASCII is taken.
/// </summary>
public static class Names
{
    public const int MaxNameLength = 63;
    public const int MaxHostnameLength = 253;

    /// <summary>Container, template, plan and node names: a DNS label, so they can be hostnames and LXC names.</summary>
    public static string? CheckName(string? name, string what = "Container name")
    {
        if (string.IsNullOrEmpty(name))
        {
            return $"{what} is empty; use lower-case letters, digits and '-', e.g. web1";
        }

        return IsName(name)
            ? null
            : $"{what} '{Printable(name)}' is invalid; use 1-{MaxNameLength} lower-case letters, digits and '-', starting with a letter and not ending with '-', e.g. web1";
    }

    public static bool IsName(string name) =>
        name.Length is >= 1 and <= MaxNameLength
        && char.IsAsciiLetterLower(name[0])
        && name[^1] != '-'
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>RFC 1123 host names: dot-separated labels of 1-63 letters, digits and '-' (not at either end), 253 at most.</summary>
    public static string? CheckHostname(string? hostname) =>
        hostname is not null && IsHostname(hostname)
            ? null
            : $"Hostname '{Printable(hostname)}' is invalid; use a DNS name of at most {MaxHostnameLength} characters: labels of 1-63 letters, digits and '-' (not first or last) separated by dots, e.g. web1.example.com";

    public static bool IsHostname(string hostname)
    {
        if (hostname.Length is 0 or > MaxHostnameLength)
        {
            return false;
        }

        foreach (var label in hostname.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A refused value as it can be shown in one line of an error: control characters escaped, cut at 80.</summary>
    public static string Printable(string? text)
    {
        if (text is null)
        {
            return "";
        }

        var s = string.Concat(text.Take(80).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return text.Length > 80 ? s + "…" : s;
    }
}

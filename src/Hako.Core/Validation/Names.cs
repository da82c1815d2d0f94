using System.Text.RegularExpressions;

namespace Hako.Core.Validation;

public static partial class Names
{
    /// <summary>Container and template names: a DNS label, so they can be hostnames and LXC names.</summary>
    [GeneratedRegex("^[a-z][a-z0-9-]{0,61}[a-z0-9]$|^[a-z]$")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")]
    private static partial Regex HostnameRegex();

    public static string? CheckName(string? name, string what = "Container name")
    {
        if (string.IsNullOrEmpty(name))
        {
            return $"{what} is empty; use lower-case letters, digits and '-', e.g. web1";
        }

        return NameRegex().IsMatch(name)
            ? null
            : $"{what} '{name}' is invalid; use 1-63 lower-case letters, digits and '-', starting with a letter, e.g. web1";
    }

    public static string? CheckHostname(string? hostname) =>
        hostname is not null && HostnameRegex().IsMatch(hostname)
            ? null
            : $"Hostname '{hostname}' is invalid; use a DNS name such as web1.example.com";
}

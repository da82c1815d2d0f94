using System.Net;
using System.Net.Sockets;

namespace Hako.Core.Network;

/// <summary>
/// Strict address text. IPAddress.Parse takes legacy forms ("1.2.3", "010.1.1.1" as octal, "0x7f.1",
/// "127.1") that resolv.conf, LXC and people read differently; Hako takes exactly four decimal octets.
/// </summary>
public static class Ipv4Text
{
    /// <summary>Exactly four decimal octets 0-255, no leading zeros, nothing else.</summary>
    public static bool TryParse(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text is null || text.Length is < 7 or > 15)
        {
            return false;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var p = parts[i];
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0'))
            {
                return false;
            }

            var v = int.Parse(p, System.Globalization.CultureInfo.InvariantCulture);
            if (v > 255)
            {
                return false;
            }

            bytes[i] = (byte)v;
        }

        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>
    /// A nameserver: a strict IPv4 address, or an IPv6 address written with hex digits, ':' and '.' only
    /// (no zone id, no brackets), since it goes into the container's resolv.conf as it is.
    /// </summary>
    public static bool IsNameserver(string? text) =>
        TryParse(text, out _)
        || (text is { Length: > 1 and <= 45 } && text.Contains(':', StringComparison.Ordinal)
            && text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            && IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
            && (!text.Contains('.', StringComparison.Ordinal) || TryParse(text[(text.LastIndexOf(':') + 1)..], out _)));
}

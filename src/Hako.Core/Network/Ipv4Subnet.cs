using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Hako.Core.Errors;

namespace Hako.Core.Network;

/// <summary>An IPv4 subnet such as 10.77.0.0/24; the first host address is the node's gateway on the bridge.</summary>
public sealed record Ipv4Subnet(uint Network, int PrefixLength)
{
    public static Ipv4Subnet Parse(string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !Ipv4Text.TryParse(parts[0], out var ip)
            || parts[1].Length is 0 or > 2 || !parts[1].All(char.IsAsciiDigit) || !int.TryParse(parts[1], out var prefix) || prefix is < 8 or > 30)
        {
            throw HakoException.Invalid($"Subnet '{cidr}' is not an IPv4 CIDR with a prefix of 8..30; use e.g. 10.77.0.0/24");
        }

        var value = ToUInt(ip);
        var mask = Mask(prefix);
        return new Ipv4Subnet(value & mask, prefix);
    }

    private static uint Mask(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);

    public static uint ToUInt(IPAddress ip) => BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());

    public static IPAddress ToAddress(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return new IPAddress(b);
    }

    public uint Broadcast => Network | ~Mask(PrefixLength);

    public IPAddress Gateway => ToAddress(Network + 1);

    public long HostCount => (long)Broadcast - Network - 1;

    public bool Contains(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetwork && (ToUInt(ip) & Mask(PrefixLength)) == Network;

    public override string ToString() => $"{ToAddress(Network)}/{PrefixLength}";

    /// <summary>Checks an address asked for with --ip: inside the subnet, not the network, broadcast or gateway, not taken.</summary>
    public string? CheckRequested(string text, IReadOnlySet<string> taken)
    {
        if (!Ipv4Text.TryParse(text, out var ip))
        {
            return $"IP '{Validation.Names.Printable(text)}' is not an IPv4 address of four decimal numbers 0-255 without leading zeros; use e.g. {ToAddress(Network + 10)}";
        }

        if (!Contains(ip))
        {
            return $"IP {text} is outside the node's subnet {this}; pick one inside it";
        }

        var v = ToUInt(ip);
        if (v == Network || v == Broadcast || v == Network + 1)
        {
            return $"IP {text} is the subnet's network, broadcast or gateway address; pick another";
        }

        return taken.Contains(ip.ToString()) ? $"IP {text} is already used by another container" : null;
    }

    /// <summary>The lowest free host address after the gateway, or null when the subnet is full.</summary>
    public string? Allocate(IReadOnlySet<string> taken)
    {
        for (var v = Network + 2; v < Broadcast; v++)
        {
            var s = ToAddress(v).ToString();
            if (!taken.Contains(s))
            {
                return s;
            }
        }

        return null;
    }
}

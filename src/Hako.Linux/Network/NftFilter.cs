using System.Globalization;
using System.Text;
using System.Text.Json;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Processes;

namespace Hako.Linux.Network;

/// <summary>One container's bridge port and what may come out of it: frames from <see cref="Mac"/>, IPv4 from <see cref="Ipv4"/>.</summary>
public sealed record PortFilter(string Veth, string Mac, string Ipv4);

/// <summary>
/// Anti-spoofing on the node's bridge: one nftables table in the bridge family, owned by one hakod. Each
/// container's host-side veth may send only frames with its own source MAC, IPv4 with its own source address,
/// ARP whose sender MAC and address are its own (or sender 0.0.0.0, an RFC 5227 probe), and IPv6 from link-local
/// addresses; everything else from that port is dropped. Ports that are not in the table (other hakods' veths,
/// the host's own interfaces) are left alone. The lookups are hashed sets keyed by the port's name, so a frame
/// costs the same with 1 or 1000 containers, and a port is named before its veth exists, so a container is
/// filtered from its first frame.
/// </summary>
public static partial class NftFilter
{
    /// <summary>The table of a node: "hako-NODE", the same name as its cgroup subtree, unique per hakod on a machine.</summary>
    public static string TableName(string nodeName)
    {
        var name = "hako-" + nodeName.ToLowerInvariant();
        // nft takes table names only as bare identifiers (a quoted name is a syntax error).
        if (name.Length > 64 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            throw HakoException.Invalid($"Node name '{nodeName}' cannot name an nftables table; use letters, digits and '-'");
        }

        return name;
    }

    /// <summary>
    /// The whole table as one nft script: declaring then deleting the table makes the delete succeed whether or not
    /// it existed, and the new table follows in the same transaction, so the kernel swaps old for new atomically
    /// (no moment without filtering). Nothing outside the table is touched.
    /// </summary>
    public static string Ruleset(string table, IReadOnlyCollection<PortFilter> ports)
    {
        CheckTable(table);
        foreach (var p in ports)
        {
            Check(p);
        }

        var sb = new StringBuilder();
        sb.Append("table bridge ").Append(table).Append('\n');
        sb.Append("delete table bridge ").Append(table).Append('\n');
        sb.Append("table bridge ").Append(table).Append(" {\n");
        sb.Append("\tcomment \"hakod anti-spoofing: rebuilt from its database at start, kept while hakod is down\"\n");
        Set(sb, "ports", "ifname", ports.Select(p => Quote(p.Veth)));
        Set(sb, "macs", "ifname . ether_addr", ports.Select(p => $"{Quote(p.Veth)} . {p.Mac}"));
        Set(sb, "ipv4", "ifname . ipv4_addr", ports.Select(p => $"{Quote(p.Veth)} . {p.Ipv4}"));
        sb.Append("""
            	chain prerouting {
            		type filter hook prerouting priority filter; policy accept;
            		iifname != @ports accept
            		iifname . ether saddr != @macs counter drop
            		ether type vmap { ip : jump from_ipv4, arp : jump from_arp, ip6 : jump from_ipv6 }
            		counter drop
            	}
            	chain from_ipv4 {
            		iifname . ip saddr @ipv4 accept
            		counter drop
            	}
            	chain from_arp {
            		arp htype != 1 counter drop
            		arp ptype != ip counter drop
            		arp hlen != 6 counter drop
            		arp plen != 4 counter drop
            		iifname . arp saddr ether != @macs counter drop
            		iifname . arp saddr ip @ipv4 accept
            		arp saddr ip 0.0.0.0 accept
            		counter drop
            	}
            	chain from_ipv6 {
            		ip6 saddr fe80::/10 accept
            		counter drop
            	}
            }

            """);
        return sb.ToString();
    }

    /// <summary>Adds ports to the table; adding an element that is there already is not an error in nft.</summary>
    public static string AddPorts(string table, IEnumerable<PortFilter> ports) => Elements(table, ports, remove: false);

    /// <summary>Removes ports; each element is added first so that removing one that is gone is not an error.</summary>
    public static string RemovePorts(string table, IEnumerable<PortFilter> ports) => Elements(table, ports, remove: true);

    /// <summary>Deletes the table if it exists (same declare-then-delete idiom as <see cref="Ruleset"/>).</summary>
    public static string DeleteTable(string table)
    {
        CheckTable(table);
        return $"table bridge {table}\ndelete table bridge {table}\n";
    }

    /// <summary>Runs an nft script as one transaction (nft -f -); <paramref name="netns"/> runs it in that network namespace (tests, benchmarks).</summary>
    public static async Task ApplyAsync(string script, string? netns = null, CancellationToken ct = default)
    {
        var r = await RunNftAsync(["-f", "-"], script, netns, ct);
        if (!r.Ok)
        {
            throw new HakoException(ErrorCode.Internal,
                $"nft refused the anti-spoofing rules ({FirstLines(r.Stderr)}); check 'nft --version' (nftables 1.0 or later is needed)");
        }
    }

    /// <summary>
    /// Checks that nft is installed and the kernel has nf_tables with the bridge family, without changing
    /// anything: nft -c sends the transaction to the kernel and has it aborted instead of committed.
    /// </summary>
    public static async Task ProbeAsync(CancellationToken ct = default)
    {
        ProcessResult r;
        try
        {
            r = await RunNftAsync(["-c", "-f", "-"], "add table bridge hako_probe\n", null, ct);
        }
        catch (HakoException e) when (e.Code == ErrorCode.Unsupported)
        {
            throw new HakoException(ErrorCode.Unsupported,
                "Anti-spoofing needs the nft tool, which is not installed; install Debian's nftables package (scripts/deps.sh does), " +
                "or start hakod with --no-antispoof if the node's traffic is filtered elsewhere", e);
        }

        if (!r.Ok)
        {
            throw new HakoException(ErrorCode.Unsupported,
                $"Anti-spoofing needs nftables' bridge family, which this kernel refused ({FirstLines(r.Stderr)}); " +
                "load nf_tables and nft_chain_filter / build the kernel with CONFIG_NF_TABLES_BRIDGE, or start hakod with --no-antispoof if the node's traffic is filtered elsewhere");
        }
    }

    /// <summary>
    /// Frames dropped so far by the table's rules (the sum of their counters), from `nft list table`, whose
    /// rules read e.g. "iifname . ip saddr @ipv4 accept" and "counter packets 3 bytes 252 drop".
    /// </summary>
    public static long ParseDropped(string listing) =>
        DroppedCounter().Matches(listing).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [System.Text.RegularExpressions.GeneratedRegex(@"counter packets (\d+) bytes \d+ drop")]
    private static partial System.Text.RegularExpressions.Regex DroppedCounter();

    /// <summary>The table as the kernel holds it (`nft list table`), or null when it does not exist.</summary>
    public static async Task<string?> ListTableAsync(string table, CancellationToken ct = default)
    {
        CheckTable(table);
        var r = await RunNftAsync(["list", "table", "bridge", table], null, null, ct);
        return r.Ok ? r.Stdout : null;
    }

    /// <summary>The port names in the table as the kernel holds it, or null when the table does not exist.</summary>
    public static async Task<IReadOnlyList<string>?> ListPortsAsync(string table, CancellationToken ct = default)
    {
        CheckTable(table);
        var r = await RunNftAsync(["-j", "list", "set", "bridge", table, "ports"], null, null, ct);
        return r.Ok ? ParsePorts(r.Stdout) : null;
    }

    /// <summary>
    /// Reads the elements of the ports set from `nft -j list set`, e.g.
    /// {"nftables": [{"metainfo": {...}}, {"set": {"family": "bridge", "name": "ports", ..., "elem": ["hk0a1b2c3d4e5f"]}}]}.
    /// </summary>
    public static IReadOnlyList<string> ParsePorts(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var ports = new List<string>();
        foreach (var item in doc.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("set", out var set) && set.TryGetProperty("elem", out var elems))
            {
                ports.AddRange(elems.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
            }
        }

        return ports;
    }

    private static Task<ProcessResult> RunNftAsync(IReadOnlyList<string> args, string? stdin, string? netns, CancellationToken ct) =>
        netns is null
            ? ProcessRunner.RunAsync("nft", args, stdin, TimeSpan.FromSeconds(30), ct)
            : ProcessRunner.RunAsync("ip", ["netns", "exec", netns, "nft", .. args], stdin, TimeSpan.FromSeconds(30), ct);

    private static string Elements(string table, IEnumerable<PortFilter> ports, bool remove)
    {
        CheckTable(table);
        var sb = new StringBuilder();
        foreach (var p in ports)
        {
            Check(p);
            foreach (var (set, element) in new[] { ("ports", Quote(p.Veth)), ("macs", $"{Quote(p.Veth)} . {p.Mac}"), ("ipv4", $"{Quote(p.Veth)} . {p.Ipv4}") })
            {
                sb.Append(CultureInfo.InvariantCulture, $"add element bridge {table} {set} {{ {element} }}\n");
                if (remove)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"delete element bridge {table} {set} {{ {element} }}\n");
                }
            }
        }

        return sb.ToString();
    }

    private static void Set(StringBuilder sb, string name, string type, IEnumerable<string> elements)
    {
        sb.Append("\tset ").Append(name).Append(" {\n\t\ttype ").Append(type).Append('\n');
        var list = elements.ToList();
        if (list.Count > 0)
        {
            sb.Append("\t\telements = { ").AppendJoin(",\n\t\t\t", list).Append(" }\n");
        }

        sb.Append("\t}\n");
    }

    private static string Quote(string veth) => '"' + veth + '"';

    private static string FirstLines(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no message" : string.Join(" / ", lines.Take(3));
    }

    private static void CheckTable(string table)
    {
        if (table.Length is 0 or > 64 || !char.IsAsciiLetter(table[0]) || !table.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw HakoException.Invalid($"'{table}' is not a usable nftables table name (letters, digits, '-' and '_', starting with a letter)");
        }
    }

    /// <summary>Everything goes into nft's own language, so each field is checked to be exactly what it claims.</summary>
    private static void Check(PortFilter p)
    {
        if (p.Veth.Length is 0 or > 15 || !p.Veth.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw HakoException.Invalid($"'{p.Veth}' is not an interface name (1-15 letters, digits, '-', '_' or '.')");
        }

        var octets = p.Mac.Split(':');
        if (octets.Length != 6 || octets.Any(o => o.Length != 2 || !o.All(char.IsAsciiHexDigit)))
        {
            throw HakoException.Invalid($"'{p.Mac}' is not a MAC address (six hex pairs, e.g. 00:16:3e:00:00:02)");
        }

        if (!IsDottedQuad(p.Ipv4))
        {
            throw HakoException.Invalid($"'{p.Ipv4}' is not an IPv4 address (four decimal octets, e.g. 10.77.0.2)");
        }
    }

    private static bool IsDottedQuad(string s)
    {
        var parts = s.Split('.');
        return parts.Length == 4 && parts.All(o => o.Length is > 0 and <= 3 && o.All(char.IsAsciiDigit)
            && int.Parse(o, CultureInfo.InvariantCulture) <= 255 && (o.Length == 1 || o[0] != '0'));
    }
}

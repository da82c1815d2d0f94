using Hako.Linux.Processes;

namespace Hako.Linux.Network;

/// <summary>The node's host bridge, set up with iproute2. Containers' veths are attached to it by LXC.</summary>
public static class Bridge
{
    public static bool Exists(string name) => Directory.Exists($"/sys/class/net/{name}");

    /// <summary>Creates the bridge with the gateway address if missing; idempotent.</summary>
    public static async Task EnsureAsync(string name, string gatewayCidr, CancellationToken ct = default)
    {
        if (name.Length > 15)
        {
            throw Core.Errors.HakoException.Invalid($"Bridge name '{name}' is longer than 15 characters (the kernel's IFNAMSIZ); pick a shorter one");
        }

        if (!Exists(name))
        {
            var r = await ProcessRunner.RunAsync("ip", ["link", "add", "name", name, "type", "bridge"], ct: ct);
            if (!r.Ok && !Exists(name))
            {
                throw new Core.Errors.HakoException(Contracts.ErrorCode.Internal, $"Could not create bridge {name}: {r.Stderr.Trim()}");
            }
        }

        var addrs = await ProcessRunner.CheckAsync("ip", ["-o", "-4", "addr", "show", "dev", name], ct: ct);
        if (!addrs.Contains($" {gatewayCidr} ", StringComparison.Ordinal))
        {
            await ProcessRunner.CheckAsync("ip", ["addr", "add", gatewayCidr, "dev", name], ct: ct);
        }

        await ProcessRunner.CheckAsync("ip", ["link", "set", name, "up"], ct: ct);
    }

    public static async Task DeleteAsync(string name, CancellationToken ct = default)
    {
        if (Exists(name))
        {
            await ProcessRunner.RunAsync("ip", ["link", "del", name], ct: ct);
        }
    }

    /// <summary>
    /// Opt-in NAT to the outside for the node's subnet (off by default, never turned on by tests):
    /// forwarding plus one MASQUERADE rule, tagged with a comment so it can be found and removed.
    /// </summary>
    public static async Task EnableNatAsync(string subnet, string bridge, CancellationToken ct = default)
    {
        await File.WriteAllTextAsync("/proc/sys/net/ipv4/ip_forward", "1", ct);
        string[] rule = ["POSTROUTING", "-s", subnet, "!", "-o", bridge, "-j", "MASQUERADE", "-m", "comment", "--comment", $"hako:{bridge}"];
        var check = await ProcessRunner.RunAsync("iptables", ["-t", "nat", "-C", .. rule], ct: ct);
        if (!check.Ok)
        {
            await ProcessRunner.CheckAsync("iptables", ["-t", "nat", "-A", .. rule], ct: ct);
        }
    }
}

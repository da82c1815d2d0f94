using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Hako.Linux.Processes;

namespace Hako.Integration.Tests.Network;

/// <summary>
/// What a hostile tenant tries from inside its container, as root there: send from an address or MAC that is
/// not its own. Every probe talks only to the test node's bridge address (the gateway) or the test's containers.
/// </summary>
internal sealed class SpoofProbe(HakodNode node)
{
    private readonly string _prefix = node.Subnet[..(node.Subnet.LastIndexOf('.') + 1)];

    public string Gateway => _prefix + "1";

    /// <summary>An address of the node's segment that no container has (allocation starts at .2).</summary>
    public string Foreign => _prefix + "250";

    public async Task<ExecResult> RunAsync(string container, params string[] command)
    {
        var r = await node.ExecAsync(container, command);
        return r;
    }

    public async Task MustRunAsync(string container, params string[] command)
    {
        var r = await node.ExecAsync(container, command);
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', command)} in {container}: exit {r.ExitCode} {r.Stderr}{r.Stdout}");
    }

    /// <summary>
    /// ping from <paramref name="source"/> (an address of the container's eth0) to <paramref name="target"/>: true if
    /// answered. Three tries of one echo each, so a neighbour entry still settling (e.g. just after another
    /// container stopped) is not mistaken for a filter, and "no answer" means three times none.
    /// </summary>
    public async Task<bool> PingAsync(string container, string target, string? source = null)
    {
        string[] cmd = source is null ? ["ping", "-c", "1", "-W", "2", target] : ["ping", "-c", "1", "-W", "2", "-I", source, target];
        for (var i = 0; i < 3; i++)
        {
            if ((await node.ExecAsync(container, cmd)).ExitCode == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The container takes a second address on its eth0, as a tenant can.</summary>
    public Task AddAddressAsync(string container, string ip) =>
        MustRunAsync(container, "ip", "addr", "add", ip + "/24", "dev", "eth0");

    public Task RemoveAddressAsync(string container, string ip) =>
        MustRunAsync(container, "ip", "addr", "del", ip + "/24", "dev", "eth0");

    /// <summary>The MAC the host's bridge (its neighbour table) has learnt for <paramref name="ip"/>, or null.</summary>
    public async Task<string?> HostNeighbourMacAsync(string ip)
    {
        var line = await ProcessRunner.CheckAsync("ip", ["neigh", "show", ip, "dev", node.Bridge]);
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var i = Array.IndexOf(parts, "lladdr");
        return i >= 0 && i + 1 < parts.Length ? parts[i + 1] : null;
    }

    /// <summary>Forgets what the host learnt about the segment's addresses, so the next probe starts from ARP.</summary>
    public Task FlushHostNeighboursAsync() => ProcessRunner.RunAsync("ip", ["neigh", "flush", "dev", node.Bridge]);

    /// <summary>The container's own MAC, as Hako derives it from its address (00:16:3e + the last three octets).</summary>
    public static string MacOf(string ip)
    {
        var b = System.Net.IPAddress.Parse(ip).GetAddressBytes();
        return $"00:16:3e:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}";
    }
}

using System.Net.Http.Json;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Hako.Linux.Processes;

namespace Hako.Integration.Tests.Network;

/// <summary>
/// A tenant who is root in container A tries to talk from addresses that are not its own, on a real hakod with
/// anti-spoofing on (the default) and two busybox containers A and B on its bridge. The same probes succeed on
/// a node started with --no-antispoof (<see cref="AntiSpoofOffTests"/>), so a failure here is the filter's doing.
/// </summary>
public sealed class AntiSpoofTests(NodeFixture fx) : IClassFixture<NodeFixture>
{
    private HakodNode Node => fx.Node;

    private async Task<(string IpA, string IpB, SpoofProbe Probe)> PairAsync(string a, string b)
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        Skip.IfNot(File.Exists("/usr/sbin/nft"), "nft is not installed (scripts/deps.sh installs nftables)");
        await Node.CreateAsync(new CreateContainerRequest { Name = a, Template = "busybox", Disk = "128M", Start = true });
        await Node.CreateAsync(new CreateContainerRequest { Name = b, Template = "busybox", Disk = "128M", Start = true });
        var probe = new SpoofProbe(Node);
        var ipA = (await Node.ShowAsync(a)).Ip!;
        var ipB = (await Node.ShowAsync(b)).Ip!;
        // Own addresses work: the control for every "no answer" below.
        Assert.True(await probe.PingAsync(a, probe.Gateway), $"{a} cannot reach the gateway from its own address\n{Node.Log}");
        Assert.True(await probe.PingAsync(b, probe.Gateway), $"{b} cannot reach the gateway from its own address");
        Assert.True(await probe.PingAsync(a, ipB), $"{a} cannot reach {b} from its own address");
        return (ipA, ipB, probe);
    }

    /// <summary>Frames the node's table has dropped so far (/v1/node antiSpoof.dropped).</summary>
    private async Task<long> DroppedAsync() =>
        (await Node.Http.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo))!.AntiSpoof!.Dropped;

    [SkippableFact]
    public async Task ForeignAddress_OnTheSegment_GetsNoAnswer()
    {
        var (_, ipB, probe) = await PairAsync("sfa", "sfb");
        await probe.AddAddressAsync("sfa", probe.Foreign);
        await probe.FlushHostNeighboursAsync();

        var dropped = await DroppedAsync();
        Assert.False(await probe.PingAsync("sfa", probe.Gateway, probe.Foreign), "the gateway answered a foreign source address");
        Assert.True(await DroppedAsync() > dropped, "no answer, but the table dropped nothing: something else lost the frames");
        Assert.False(await probe.PingAsync("sfa", ipB, probe.Foreign), "the neighbour answered a foreign source address");
        Assert.Null(await probe.HostNeighbourMacAsync(probe.Foreign));

        await probe.RemoveAddressAsync("sfa", probe.Foreign);
        Assert.True(await probe.PingAsync("sfa", probe.Gateway), "its own address stopped working");
        await Node.DestroyAsync("sfa");
        await Node.DestroyAsync("sfb");
    }

    [SkippableFact]
    public async Task NeighboursAddress_GetsNoAnswer_AndTheNeighbourKeepsItsTraffic()
    {
        var (ipA, ipB, probe) = await PairAsync("sna", "snb");
        await probe.AddAddressAsync("sna", ipB);
        await probe.FlushHostNeighboursAsync();

        // Talk from B's address, and announce it (gratuitous ARP, as an address thief does).
        var dropped = await DroppedAsync();
        Assert.False(await probe.PingAsync("sna", probe.Gateway, ipB), "the gateway answered A speaking as B");
        Assert.True(await DroppedAsync() > dropped, "no answer, but the table dropped nothing: something else lost the frames");
        await probe.RunAsync("sna", "arping", "-U", "-c", "2", "-s", ipB, "-I", "eth0", ipB);
        await probe.RunAsync("sna", "arping", "-A", "-c", "2", "-s", ipB, "-I", "eth0", probe.Gateway);
        Assert.NotEqual(SpoofProbe.MacOf(ipA), await probe.HostNeighbourMacAsync(ipB));

        // B keeps its traffic: it reaches the gateway, the host reaches it at B's own MAC.
        Assert.True(await probe.PingAsync("snb", probe.Gateway), "B lost its traffic to A");
        var fromHost = await ProcessRunner.RunAsync("busybox", ["ping", "-c", "2", "-W", "2", "-I", Node.Bridge, ipB]);
        Assert.True(fromHost.Ok, fromHost.Stdout + fromHost.Stderr);
        Assert.Equal(SpoofProbe.MacOf(ipB), await probe.HostNeighbourMacAsync(ipB));

        await probe.RemoveAddressAsync("sna", ipB);
        Assert.True(await probe.PingAsync("sna", probe.Gateway), "A's own address stopped working");
        await Node.DestroyAsync("sna");
        await Node.DestroyAsync("snb");
    }

    [SkippableFact]
    public async Task SpoofedMac_GetsNoAnswer_AndTheRealOneWorksAgain()
    {
        var (ipA, ipB, probe) = await PairAsync("sma", "smb");
        await probe.FlushHostNeighboursAsync();
        await probe.MustRunAsync("sma", "ip", "link", "set", "dev", "eth0", "address", "00:16:3e:aa:bb:cc");
        var dropped = await DroppedAsync();
        Assert.False(await probe.PingAsync("sma", probe.Gateway), "the gateway answered a forged MAC");
        Assert.True(await DroppedAsync() > dropped, "no answer, but the table dropped nothing: something else lost the frames");
        Assert.False(await probe.PingAsync("sma", ipB), "the neighbour answered a forged MAC");

        // Even with B's MAC and B's address.
        await probe.MustRunAsync("sma", "ip", "link", "set", "dev", "eth0", "address", SpoofProbe.MacOf(ipB));
        await probe.AddAddressAsync("sma", ipB);
        Assert.False(await probe.PingAsync("sma", probe.Gateway, ipB), "the gateway answered A with B's MAC and address");
        await probe.RemoveAddressAsync("sma", ipB);

        await probe.MustRunAsync("sma", "ip", "link", "set", "dev", "eth0", "address", SpoofProbe.MacOf(ipA));
        Assert.True(await probe.PingAsync("sma", probe.Gateway), "the real MAC stopped working");
        Assert.True(await probe.PingAsync("smb", probe.Gateway), "B lost its traffic");
        await Node.DestroyAsync("sma");
        await Node.DestroyAsync("smb");
    }

    [SkippableFact]
    public async Task Node_SaysAntiSpoofIsOn_AndCountsItsPorts()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        Skip.IfNot(File.Exists("/usr/sbin/nft"), "nft is not installed (scripts/deps.sh installs nftables)");
        await Node.CreateAsync(new CreateContainerRequest { Name = "spn1", Template = "busybox", Disk = "128M", Start = true });
        await Node.CreateAsync(new CreateContainerRequest { Name = "spn2", Template = "busybox", Disk = "128M", Start = false });
        var node = (await Node.Http.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo))!;
        var a = node.AntiSpoof!;
        Assert.True(a.Enabled);
        Assert.True(a.TablePresent);
        Assert.Equal($"bridge hako-{Node.NodeName}", a.Table);
        // Other tests of this class may run containers too; these two are counted, the stopped one is not up.
        Assert.True(a.Ports >= 2, $"{a.Ports} ports");
        Assert.True(a.PortsUp >= 1 && a.PortsUp < a.Ports, $"{a.PortsUp} of {a.Ports} up");

        var listed = await ProcessRunner.CheckAsync("nft", ["list", "set", "bridge", $"hako-{Node.NodeName}", "ipv4"]);
        Assert.Contains((await Node.ShowAsync("spn1")).Ip! + " ", listed.Replace(",", " ", StringComparison.Ordinal).Replace("}", " ", StringComparison.Ordinal), StringComparison.Ordinal);

        var before = a.Ports;
        await Node.DestroyAsync("spn1");
        await Node.DestroyAsync("spn2");
        var after = (await Node.Http.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo))!.AntiSpoof!;
        Assert.Equal(before - 2, after.Ports);
    }
}

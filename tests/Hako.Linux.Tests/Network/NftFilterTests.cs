using System.Diagnostics;
using System.Globalization;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Network;
using Hako.Linux.Processes;
using Xunit.Abstractions;

namespace Hako.Linux.Tests.Network;

public sealed class NftFilterTests(ITestOutputHelper output)
{
    private static readonly PortFilter A = new("hk0a1b2c3d4e5f", "00:16:3e:4d:00:02", "10.77.0.2");
    private static readonly PortFilter B = new("hk111111111111", "00:16:3e:4d:00:03", "10.77.0.3");

    [Fact]
    public void TableName_IsHakoDashNode_LowerCase()
    {
        Assert.Equal("hako-node1", NftFilter.TableName("Node1"));
        Assert.Throws<HakoException>(() => NftFilter.TableName("a b"));
    }

    [Fact]
    public void Ruleset_DeclaresDeletesAndRecreatesOnlyItsOwnTable()
    {
        var text = NftFilter.Ruleset("hako-n1", [A, B]);
        var lines = text.Split('\n');
        Assert.Equal("table bridge hako-n1", lines[0]);
        Assert.Equal("delete table bridge hako-n1", lines[1]);
        Assert.Equal("table bridge hako-n1 {", lines[2]);
        Assert.DoesNotContain("flush ruleset", text, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.StartsWith("table ", StringComparison.Ordinal) && !l.StartsWith("table bridge hako-n1", StringComparison.Ordinal));
    }

    [Fact]
    public void Ruleset_ListsEachPortWithItsMacAndAddress()
    {
        var text = NftFilter.Ruleset("hako-n1", [A, B]);
        Assert.Contains("\"hk0a1b2c3d4e5f\" . 00:16:3e:4d:00:02", text, StringComparison.Ordinal);
        Assert.Contains("\"hk0a1b2c3d4e5f\" . 10.77.0.2", text, StringComparison.Ordinal);
        Assert.Contains("\"hk111111111111\" . 10.77.0.3", text, StringComparison.Ordinal);
        Assert.Contains("iifname != @ports accept", text, StringComparison.Ordinal);
        Assert.Contains("iifname . ether saddr != @macs counter drop", text, StringComparison.Ordinal);
        Assert.Contains("iifname . arp saddr ether != @macs counter drop", text, StringComparison.Ordinal);
        Assert.Contains("ip6 saddr fe80::/10 accept", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Ruleset_WithNoPorts_HasEmptySets()
    {
        var text = NftFilter.Ruleset("hako-n1", []);
        Assert.DoesNotContain("elements", text, StringComparison.Ordinal);
        Assert.Contains("set ports {", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RemovePorts_AddsEachElementBeforeDeletingIt_SoAGoneElementIsNoError()
    {
        var text = NftFilter.RemovePorts("hako-n1", [A]);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.Equal("add element bridge hako-n1 ports { \"hk0a1b2c3d4e5f\" }", lines[0]);
        Assert.Equal("delete element bridge hako-n1 ports { \"hk0a1b2c3d4e5f\" }", lines[1]);
        Assert.Equal("delete element bridge hako-n1 ipv4 { \"hk0a1b2c3d4e5f\" . 10.77.0.2 }", lines[5]);
    }

    [Theory]
    [InlineData("hk\" } accept #", "00:16:3e:00:00:02", "10.0.0.2")]
    [InlineData("hkaaaaaaaaaaaaaaaa", "00:16:3e:00:00:02", "10.0.0.2")]
    [InlineData("hk01", "00:16:3e:00:00", "10.0.0.2")]
    [InlineData("hk01", "00:16:3e:00:00:zz", "10.0.0.2")]
    [InlineData("hk01", "00:16:3e:00:00:02", "10.0.0.010")]
    [InlineData("hk01", "00:16:3e:00:00:02", "10.0.0")]
    [InlineData("hk01", "00:16:3e:00:00:02", "10.0.0.2/24")]
    [InlineData("hk01", "00:16:3e:00:00:02", "10.0.0.256")]
    public void Ruleset_RefusesFieldsThatAreNotWhatTheyClaim(string veth, string mac, string ip)
    {
        var e = Assert.Throws<HakoException>(() => NftFilter.Ruleset("hako-n1", [new PortFilter(veth, mac, ip)]));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1hako")]
    [InlineData("hako n1")]
    [InlineData("hako;flush ruleset")]
    public void Ruleset_RefusesBadTableNames(string table) =>
        Assert.Throws<HakoException>(() => NftFilter.Ruleset(table, []));

    [Fact]
    public void ParsePorts_ReadsNftJsonOutput()
    {
        // Real output of `nft -j list set bridge hako-x ports` (nftables 1.0.6), shortened.
        const string json = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"set": {"family": "bridge", "name": "ports", "table": "hako-x", "type": "ifname", "handle": 5, "elem": ["hkyyy", "hk000000000000"]}}]}
            """;
        Assert.Equal(["hkyyy", "hk000000000000"], NftFilter.ParsePorts(json));
        const string empty = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"set": {"family": "bridge", "name": "ports", "table": "t3", "type": "ifname", "handle": 1}}]}
            """;
        Assert.Empty(NftFilter.ParsePorts(empty));
    }

    [Fact]
    public void ParseDropped_SumsTheDropCounters()
    {
        // Lines of `nft list table bridge hako-x` (nftables 1.0.6).
        const string listing = "\t\tiifname . ether saddr != @macs counter packets 2 bytes 84 drop\n"
            + "\t\tiifname . ip saddr @ipv4 accept\n\t\tcounter packets 5 bytes 420 drop\n\t\tcounter packets 0 bytes 0 drop\n";
        Assert.Equal(7, NftFilter.ParseDropped(listing));
    }

    [SkippableFact]
    public async Task Apply_InAThrowawayNetns_BuildsUpdatesAndKeepsOtherTables()
    {
        await using var ns = await ScratchNetns.CreateAsync();
        await NftFilter.ApplyAsync("table inet canary {\n chain c { type filter hook input priority 0; policy accept; }\n}\n", ns.Name);
        var before = await ns.NftAsync("list", "table", "inet", "canary");

        await NftFilter.ApplyAsync(NftFilter.Ruleset("hako-t", [A]), ns.Name);
        await NftFilter.ApplyAsync(NftFilter.AddPorts("hako-t", [B]), ns.Name);
        await NftFilter.ApplyAsync(NftFilter.AddPorts("hako-t", [B]), ns.Name); // again: no error
        Assert.Equal([A.Veth, B.Veth], (await ns.NftAsync("-j", "list", "set", "bridge", "hako-t", "ports")) is var j ? NftFilter.ParsePorts(j).Order() : null);

        await NftFilter.ApplyAsync(NftFilter.RemovePorts("hako-t", [A]), ns.Name);
        await NftFilter.ApplyAsync(NftFilter.RemovePorts("hako-t", [A]), ns.Name); // gone already: no error
        Assert.Equal([B.Veth], NftFilter.ParsePorts(await ns.NftAsync("-j", "list", "set", "bridge", "hako-t", "ports")));

        // A rebuild replaces the table in one transaction, whatever was in it.
        await NftFilter.ApplyAsync(NftFilter.Ruleset("hako-t", [A]), ns.Name);
        Assert.Equal([A.Veth], NftFilter.ParsePorts(await ns.NftAsync("-j", "list", "set", "bridge", "hako-t", "ports")));

        // A new address: old entry out, new one in, one transaction.
        var renumbered = A with { Ipv4 = "10.77.0.9", Mac = "00:16:3e:4d:00:09" };
        await NftFilter.ApplyAsync(NftFilter.RemovePorts("hako-t", [A]) + NftFilter.AddPorts("hako-t", [renumbered]), ns.Name);
        var ipv4 = await ns.NftAsync("list", "set", "bridge", "hako-t", "ipv4");
        Assert.Contains("10.77.0.9", ipv4, StringComparison.Ordinal);
        Assert.DoesNotContain("10.77.0.2", ipv4, StringComparison.Ordinal);

        await NftFilter.ApplyAsync(NftFilter.DeleteTable("hako-t"), ns.Name);
        await NftFilter.ApplyAsync(NftFilter.DeleteTable("hako-t"), ns.Name); // gone already: no error
        Assert.Equal(before, await ns.NftAsync("list", "table", "inet", "canary"));
        Assert.DoesNotContain("hako-t", await ns.NftAsync("list", "ruleset"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Rebuild_With1000Ports_IsOneQuickTransaction()
    {
        await using var ns = await ScratchNetns.CreateAsync();
        var ports = Enumerable.Range(0, 1000).Select(i =>
        {
            var ip = $"10.{100 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}";
            var mac = $"00:16:3e:{(i >> 16) & 255:x2}:{(i >> 8) & 255:x2}:{i & 255:x2}";
            return new PortFilter("hk" + i.ToString("x12", CultureInfo.InvariantCulture), mac, ip);
        }).ToList();

        var times = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            await NftFilter.ApplyAsync(NftFilter.Ruleset("hako-t", ports), ns.Name);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        var sw1 = Stopwatch.StartNew();
        await NftFilter.ApplyAsync(NftFilter.AddPorts("hako-t", [A]), ns.Name);
        var add = sw1.Elapsed.TotalMilliseconds;
        Assert.Equal(1001, NftFilter.ParsePorts(await ns.NftAsync("-j", "list", "set", "bridge", "hako-t", "ports")).Count);
        times.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rebuild of 1000 ports: median {times[2]:F0} ms (min {times[0]:F0}, max {times[4]:F0}); add one port to 1000: {add:F0} ms"));
        Assert.True(times[2] < 2000, $"a rebuild of 1000 ports took {times[2]:F0} ms");
    }

    /// <summary>A network namespace of the test's own, so nothing touches the host's ruleset; deleted on dispose.</summary>
    private sealed class ScratchNetns : IAsyncDisposable
    {
        private ScratchNetns(string name) => Name = name;

        public string Name { get; }

        public static async Task<ScratchNetns> CreateAsync()
        {
            Skip.IfNot(Environment.IsPrivilegedProcess, "needs root to create a network namespace");
            Skip.IfNot(File.Exists("/usr/sbin/nft"), "nft is not installed (scripts/deps.sh installs nftables)");
            var name = $"hknft{Guid.NewGuid():N}"[..14];
            await ProcessRunner.CheckAsync("ip", ["netns", "add", name]);
            var ns = new ScratchNetns(name);
            var probe = await ProcessRunner.RunAsync("ip", ["netns", "exec", name, "nft", "-c", "add table bridge probe"]);
            if (!probe.Ok)
            {
                await ns.DisposeAsync();
                Skip.If(true, $"this kernel has no nftables bridge family: {probe.Stderr.Trim()}");
            }

            return ns;
        }

        public Task<string> NftAsync(params string[] args) => ProcessRunner.CheckAsync("ip", ["netns", "exec", Name, "nft", .. args]);

        public async ValueTask DisposeAsync() => await ProcessRunner.RunAsync("ip", ["netns", "del", Name]);
    }
}

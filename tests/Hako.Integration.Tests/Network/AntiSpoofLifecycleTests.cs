using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Hako.Linux.Processes;

namespace Hako.Integration.Tests.Network;

/// <summary>
/// Anti-spoofing across hakod's own life: the host's ruleset outside hakod's table is never touched, the filter
/// stays while hakod is down (crashed), is rebuilt at the next start, and --no-antispoof leaves containers free
/// (the control showing the probes of <see cref="AntiSpoofTests"/> do detect spoofing).
/// </summary>
public sealed partial class AntiSpoofLifecycleTests
{
    private static void SkipUnlessRunnable()
    {
        Skip.IfNot(HakodNode.CanRun(out var reason), reason);
        Skip.IfNot(File.Exists("/usr/sbin/nft"), "nft is not installed (scripts/deps.sh installs nftables)");
    }

    /// <summary>`nft list ruleset` without the tables of test hakods (bridge hako-*), which come and go with parallel tests.</summary>
    private static async Task<string> HostRulesetWithoutHakoTablesAsync() =>
        HakoTable().Replace(await ProcessRunner.CheckAsync("nft", ["list", "ruleset"]), "");

    [GeneratedRegex(@"^table bridge hako-[^\n]*\{\n(?:[^\n]*\n)*?\}\n", RegexOptions.Multiline)]
    private static partial Regex HakoTable();

    [SkippableFact]
    public async Task HostRuleset_OutsideHakodsTable_IsByteIdentical_AndFilteringSurvivesACrashAndRestart()
    {
        SkipUnlessRunnable();
        var canary = $"hkcanary{Environment.ProcessId}";
        await ProcessRunner.CheckAsync("nft", ["-f", "-"],
            $"table inet {canary} {{\n\tset s {{ type ipv4_addr; elements = {{ 192.0.2.1 }} }}\n\tchain c {{ type filter hook input priority 0; policy accept; ip saddr @s counter accept; }}\n}}\n");
        await using var node = new HakodNode();
        try
        {
            var before = await HostRulesetWithoutHakoTablesAsync();
            Assert.Contains(canary, before, StringComparison.Ordinal);

            await node.StartAsync();
            await node.BuildBusyboxAsync();
            await node.CreateAsync(new CreateContainerRequest { Name = "lra", Template = "busybox", Disk = "128M", Start = true });
            await node.CreateAsync(new CreateContainerRequest { Name = "lrb", Template = "busybox", Disk = "128M", Start = true });
            var probe = new SpoofProbe(node);
            var ipB = (await node.ShowAsync("lrb")).Ip!;
            Assert.True(await probe.PingAsync("lra", probe.Gateway), node.Log);
            await probe.AddAddressAsync("lra", ipB);
            Assert.False(await probe.PingAsync("lra", probe.Gateway, ipB), "A spoke as B");

            // hakod dies: the containers keep running and stay filtered.
            await node.StopDaemonAsync(kill: true);
            Assert.False(await LxcPingAsync(node, "lra", probe.Gateway, ipB), "A spoke as B while hakod was down");
            Assert.True(await LxcPingAsync(node, "lrb", probe.Gateway, null), "B lost its traffic while hakod was down");

            // The next hakod rebuilds the table from its database (one transaction) and the filter holds.
            await node.StartAsync(clean: false);
            var status = (await node.Http.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo))!.AntiSpoof!;
            Assert.Equal((2, 2), (status.Ports, status.PortsUp));
            Assert.Contains("rebuilt with 2 container port(s)", node.Log, StringComparison.Ordinal);
            Assert.False(await probe.PingAsync("lra", probe.Gateway, ipB), "A spoke as B after the restart");
            await probe.RemoveAddressAsync("lra", ipB);
            Assert.True(await probe.PingAsync("lra", probe.Gateway), "A's own address stopped working after the restart");

            // A graceful stop leaves the table too (containers keep running).
            await node.StopDaemonAsync();
            Assert.Contains($"table bridge hako-{node.NodeName}", await ProcessRunner.CheckAsync("nft", ["list", "tables"]), StringComparison.Ordinal);
            await node.StartAsync(clean: false);
            await node.DestroyAsync("lra");
            await node.DestroyAsync("lrb");
            Assert.Equal(before, await HostRulesetWithoutHakoTablesAsync());
        }
        finally
        {
            await ProcessRunner.RunAsync("nft", ["delete", "table", "inet", canary]);
        }
    }

    /// <summary>ping inside a container with hakod down: lxc-attach directly.</summary>
    private static async Task<bool> LxcPingAsync(HakodNode node, string name, string target, string? source)
    {
        string[] ping = source is null ? ["ping", "-c", "2", "-W", "2", target] : ["ping", "-c", "2", "-W", "2", "-I", source, target];
        var r = await ProcessRunner.RunAsync("lxc-attach", ["-P", Path.Combine(node.DataDir, "lxc"), "-n", name, "--", .. ping]);
        return r.Ok;
    }

    [SkippableFact]
    public async Task Start_WithoutNft_FailsWithWhatToDo()
    {
        SkipUnlessRunnable();
        Skip.If(File.Exists("/usr/bin/nft") || File.Exists("/bin/nft"), "nft is also in /usr/bin or /bin: cannot hide it with PATH");
        Skip.IfNot(File.Exists("/usr/bin/ip") || File.Exists("/bin/ip"), "ip is only in an sbin dir: hiding nft with PATH would hide it too");
        await using var node = new HakodNode();
        node.ExtraEnvironment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => node.StartAsync());
        Assert.Contains("Anti-spoofing needs the nft tool", e.Message, StringComparison.Ordinal);
        Assert.Contains("--no-antispoof", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task NoAntiSpoof_LeavesContainersFree_AndNodeSaysOff()
    {
        SkipUnlessRunnable();
        await using var node = new HakodNode();
        node.ExtraArgs.Add("--no-antispoof");
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        Assert.DoesNotContain($"hako-{node.NodeName}", await ProcessRunner.CheckAsync("nft", ["list", "tables"]), StringComparison.Ordinal);
        var info = (await node.Http.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo))!;
        Assert.False(info.AntiSpoof!.Enabled);

        await node.CreateAsync(new CreateContainerRequest { Name = "ofa", Template = "busybox", Disk = "128M", Start = true });
        var probe = new SpoofProbe(node);

        // Unfiltered, each probe of AntiSpoofTests gets its answer: there, "no answer" is the filter's doing.
        await probe.AddAddressAsync("ofa", probe.Foreign);
        await probe.FlushHostNeighboursAsync();
        Assert.True(await probe.PingAsync("ofa", probe.Gateway, probe.Foreign), "even unfiltered, a foreign source got no answer: the probe proves nothing");
        await probe.RemoveAddressAsync("ofa", probe.Foreign);

        // (A speaking as B is not part of this control: unfiltered, whether the host's reply reaches A or B depends
        // on a race of ARP answers and of B's namespace teardown. Filtered, it is dropped by the same source check
        // as the foreign address above.)
        await probe.MustRunAsync("ofa", "ip", "link", "set", "dev", "eth0", "address", "00:16:3e:aa:bb:cc");
        await probe.FlushHostNeighboursAsync();
        Assert.True(await probe.PingAsync("ofa", probe.Gateway), "even unfiltered, a forged MAC got no answer: the probe proves nothing");
        await node.DestroyAsync("ofa");
    }
}

using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;

namespace Hako.Integration.Tests;

public sealed class ResourceLimitTests(NodeFixture fx) : IClassFixture<NodeFixture>
{
    private HakodNode Node => fx.Node;

    private async Task<LimitEvent?> WaitForEvent(string name, string counter)
    {
        for (var i = 0; i < 50; i++)
        {
            var e = (await Node.ShowAsync(name)).Events.FirstOrDefault(e => e.Counter == counter);
            if (e is not null)
            {
                return e;
            }

            await Task.Delay(200);
        }

        return null;
    }

    [SkippableFact]
    public async Task Memory_AllocationPastLimit_IsKilledInsideOnly_AndShowsEvent()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "mem1", Template = "busybox", Memory = "64M", Swap = "0", Disk = "256M", Start = true });
        await Node.CreateAsync(new CreateContainerRequest { Name = "mem2", Template = "busybox", Memory = "64M", Disk = "256M", Start = true });

        // dd with a 200M block allocates and touches a 200M buffer: far past the 64M limit.
        var r = await Node.ExecAsync("mem1", "dd", "if=/dev/zero", "of=/dev/null", "bs=200M", "count=1");
        Assert.NotEqual(0, r.ExitCode);

        Assert.Equal("running", (await Node.ShowAsync("mem1")).State);
        Assert.Equal(0, (await Node.ExecAsync("mem1", "true")).ExitCode);
        Assert.Equal(0, (await Node.ExecAsync("mem2", "true")).ExitCode);
        var e = await WaitForEvent("mem1", "oom_kill") ?? await WaitForEvent("mem1", "memory.failcnt");
        Assert.NotNull(e);
        Assert.True(e!.Count >= 1);
        Assert.Empty((await Node.ShowAsync("mem2")).Events);

        await Node.DestroyAsync("mem1");
        await Node.DestroyAsync("mem2");
    }

    [SkippableFact]
    public async Task Lxcfs_MeminfoInsideShowsTheContainersMemoryLimit()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        Skip.IfNot(File.Exists("/var/lib/lxcfs/proc/meminfo"), "lxcfs is not running on this host (scripts/deps.sh starts it)");
        await Node.CreateAsync(new CreateContainerRequest { Name = "meminfo1", Template = "busybox", Memory = "64M", Swap = "0", Disk = "256M", Start = true });
        var meminfo = (await Node.ExecAsync("meminfo1", "head", "-1", "/proc/meminfo")).Stdout;
        Assert.Contains("65536 kB", meminfo);
        await Node.DestroyAsync("meminfo1");
    }

    [SkippableFact]
    public async Task Processes_ForkBombIsContained_AndContainerCanStillBeStopped()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "fork1", Template = "busybox", Processes = 64, Disk = "256M", Start = true });
        var bomb = Node.ExecAsync("fork1", "sh", "-c", "b() { b | b & }; b; sleep 3");
        var e = await WaitForEvent("fork1", "pids.max");
        Assert.NotNull(e);
        Assert.True((await Node.ShowAsync("fork1")).Usage!.Processes <= 64);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await Node.StopAsync("fork1", force: true);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30));
        Assert.Equal("stopped", (await Node.ShowAsync("fork1")).State);
        await bomb.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
        await Node.DestroyAsync("fork1");
    }

    [SkippableFact]
    public async Task Disk_WritePastQuota_HitsEnospcNearQuota()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "disk1", Template = "busybox", Disk = "64M", Start = true });
        var df = (await Node.ExecAsync("disk1", "df", "-m", "/")).Stdout;
        Assert.Matches(@"overlay\s+(5\d|6\d)\s", df); // df / inside shows the quota, not the host disk
        var r = await Node.ExecAsync("disk1", "dd", "if=/dev/zero", "of=/root/fill", "bs=1M", "count=200");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("No space left on device", r.Stderr);
        var size = long.Parse((await Node.ExecAsync("disk1", "stat", "-c", "%s", "/root/fill")).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(size, 50L << 20, 64L << 20);
        var e = await WaitForEvent("disk1", "diskspace"); // ENOSPC shows in the counters
        Assert.NotNull(e);
        await Node.DestroyAsync("disk1");
    }

    [SkippableFact]
    public async Task Unprivileged_InitIsNotHostRoot_AndDangerousThingsFail()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "unpriv1", Template = "busybox", Disk = "256M", Start = true });
        var info = await Node.ShowAsync("unpriv1");
        Assert.NotNull(info.InitPid);
        var uidLine = File.ReadLines($"/proc/{info.InitPid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        Assert.Equal("100000", uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        Assert.Equal(100000, info.HostRootUid);

        Assert.NotEqual(0, (await Node.ExecAsync("unpriv1", "mknod", "/tmp/sda", "b", "8", "0")).ExitCode);
        var loop = Directory.EnumerateFiles("/dev", "loop*").FirstOrDefault(f => char.IsDigit(f[^1])) ?? "/dev/loop0";
        Assert.NotEqual(0, (await Node.ExecAsync("unpriv1", "sh", "-c", $"mkdir -p /mnt/x && mount {loop} /mnt/x")).ExitCode);
        Assert.NotEqual(0, (await Node.ExecAsync("unpriv1", "sh", "-c", "echo h > /proc/sysrq-trigger")).ExitCode);
        await Node.DestroyAsync("unpriv1");
    }

    [SkippableFact]
    public async Task Privileged_IsAnExplicitOptIn_WithRootOwnedFiles()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        // The operator opts the node in (hakod --allow-privileged); the shared node refuses it (Hostile/BadInputHostileTests).
        await using var node = new HakodNode();
        node.ExtraArgs.Add("--allow-privileged");
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        await PrivilegedOn(node);
    }

    private static async Task PrivilegedOn(HakodNode Node)
    {
        await Node.CreateAsync(new CreateContainerRequest { Name = "priv1", Template = "busybox", Disk = "256M", Privileged = true, Start = true });
        var info = await Node.ShowAsync("priv1");
        Assert.True(info.Privileged);
        Assert.Equal(0, info.HostRootUid);
        var uidLine = File.ReadLines($"/proc/{info.InitPid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        Assert.Equal("0", uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        // Its template copy has owners back at 0, so files inside are root's, not uid 100000's.
        Assert.Equal("0:0", (await Node.ExecAsync("priv1", "stat", "-c", "%u:%g", "/bin/busybox")).Stdout.Trim());
        await Node.DestroyAsync("priv1");
    }

    [SkippableFact]
    public async Task Template_SecondContainer_AddsUnderOneMegabyte()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "share1", Template = "busybox", Disk = "1G", Start = true });
        var before = await DuKb(Node.DataDir);
        await Node.CreateAsync(new CreateContainerRequest { Name = "share2", Template = "busybox", Disk = "1G", Start = true });
        var after = await DuKb(Node.DataDir);
        Assert.True(after - before < 1024, $"second container added {after - before} KB");
        // Both see the template's busybox through their overlay: one file on disk.
        Assert.Equal(0, (await Node.ExecAsync("share2", "test", "-x", "/bin/busybox")).ExitCode);
        await Node.DestroyAsync("share1");
        await Node.DestroyAsync("share2");
    }

    [SkippableFact]
    public async Task Network_TwoContainersReachEachOtherOverTheBridge()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "net1", Template = "busybox", Disk = "256M", Start = true });
        await Node.CreateAsync(new CreateContainerRequest { Name = "net2", Template = "busybox", Disk = "256M", Start = true });
        var ip2 = (await Node.ShowAsync("net2")).Ip!;
        var ping = await Node.ExecAsync("net1", "ping", "-c", "2", "-W", "3", ip2);
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);

        // Each has its own routing table: a route added in net1 does not appear in net2 or on the host.
        Assert.Equal(0, (await Node.ExecAsync("net1", "ip", "route", "add", "198.51.100.0/24", "dev", "eth0")).ExitCode);
        Assert.Contains("198.51.100.0/24", (await Node.ExecAsync("net1", "ip", "route")).Stdout);
        Assert.DoesNotContain("198.51.100.0/24", (await Node.ExecAsync("net2", "ip", "route")).Stdout);
        var hostRoutes = await Hako.Linux.Processes.ProcessRunner.CheckAsync("ip", ["route"]);
        Assert.DoesNotContain("198.51.100.0/24", hostRoutes);
        await Node.DestroyAsync("net1");
        await Node.DestroyAsync("net2");
    }

    private static async Task<long> DuKb(string dir)
    {
        var o = await Hako.Linux.Processes.ProcessRunner.CheckAsync("du", ["-sk", "-x", dir]);
        return long.Parse(o.Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}

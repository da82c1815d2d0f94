using System.Net;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Hako.Linux.Mounts;

namespace Hako.Integration.Tests;

/// <summary>hakod's own lifecycle: restarts, crashes and neighbours. Each test runs its own nodes.</summary>
public sealed class DaemonTests
{
    [SkippableFact]
    public async Task Restart_KeepsContainersRunningAndStateIntact()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode();
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        await node.CreateAsync(new CreateContainerRequest { Name = "keep1", Template = "busybox", Memory = "128M", Disk = "256M", Start = true });
        var before = await node.ShowAsync("keep1");

        await node.StopDaemonAsync();
        Assert.True(Directory.Exists($"/proc/{before.InitPid}"), "container init died with hakod");
        await node.StartAsync(clean: false);

        var after = await node.ShowAsync("keep1");
        Assert.Equal("running", after.State);
        Assert.Equal(before.InitPid, after.InitPid);
        Assert.Equal(before.Ip, after.Ip);
        Assert.Equal(128L << 20, after.Limits.MemoryBytes);
        Assert.Equal("keep1", (await node.ExecAsync("keep1", "hostname")).Stdout.Trim());
    }

    [SkippableFact]
    public async Task KillDuringCreate_ThenRestart_LeavesNoOrphans()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode();
        node.ExtraEnvironment["HAKO_TEST_CREATE_DELAY_MS"] = "3000";
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        var accepted = await node.TryCreateAsync(new CreateContainerRequest { Name = "crash1", Template = "busybox", Disk = "256M" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        // Wait until the private area is mounted (the create is half done), then crash hakod.
        var image = Path.Combine(node.DataDir, "private", "crash1");
        for (var i = 0; i < 100 && !MountTool.IsMounted(Path.Combine(node.DataDir, "lxc", "crash1", "rootfs")); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(MountTool.IsMounted(image), "the create did not get as far as mounting");
        await node.StopDaemonAsync(kill: true);

        node.ExtraEnvironment.Clear();
        await node.StartAsync(clean: false);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("/v1/containers/crash1")).StatusCode);
        Assert.Empty(await node.ListAsync());
        Assert.DoesNotContain(MountInfo.Read(), m => m.MountPoint.StartsWith(node.DataDir + "/", StringComparison.Ordinal));
        Assert.Empty(HostCleanup.LoopDevicesUnder(node.DataDir));
        Assert.False(Directory.Exists(Path.Combine(node.DataDir, "lxc", "crash1")));
        Assert.False(File.Exists(image + ".img"));

        // The name and address are free again.
        await node.CreateAsync(new CreateContainerRequest { Name = "crash1", Template = "busybox", Disk = "256M" });
    }

    [SkippableFact]
    public async Task TwoNodes_OnOneMachine_RunSideBySide()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var a = new HakodNode();
        await using var b = new HakodNode();
        await a.StartAsync();
        await b.StartAsync();
        await Task.WhenAll(a.BuildBusyboxAsync(), b.BuildBusyboxAsync());
        // The same container name on both: LXC paths, cgroups, images and addresses must not collide.
        await a.CreateAsync(new CreateContainerRequest { Name = "same", Template = "busybox", Disk = "256M", Start = true });
        await b.CreateAsync(new CreateContainerRequest { Name = "same", Template = "busybox", Disk = "256M", Start = true });
        var ia = await a.ShowAsync("same");
        var ib = await b.ShowAsync("same");
        Assert.Equal("running", ia.State);
        Assert.Equal("running", ib.State);
        Assert.NotEqual(ia.InitPid, ib.InitPid);
        Assert.NotEqual(ia.Ip, ib.Ip);
        Assert.True(Directory.Exists($"/sys/fs/cgroup/pids/hako-{a.NodeName}/same") || Directory.Exists($"/sys/fs/cgroup/hako-{a.NodeName}/same"));

        await a.DestroyAsync("same");
        Assert.Equal("running", (await b.ShowAsync("same")).State);
    }

    [SkippableFact]
    public async Task SecondHakod_OnSameDataDir_IsRefused()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode();
        await node.StartAsync();
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet", [Paths.Hakod, "--data-dir", node.DataDir, "--socket", node.Socket + "2", "--bridge", node.Bridge, "--subnet", node.Subnet])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.NotEqual(0, p.ExitCode);
        Assert.Contains("Another hakod is already running on data dir", err);
    }
}

using System.Net;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Hako.Linux.Mounts;

namespace Hako.Integration.Tests;

public sealed class ContainerLifecycleTests(NodeFixture fx) : IClassFixture<NodeFixture>
{
    private HakodNode Node => fx.Node;

    [SkippableFact]
    public async Task Lifecycle_CreateStartExecStopStartDestroy_LeavesNothingBehind()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest
        {
            Name = "life1", Template = "busybox", Memory = "256M", Swap = "0", Cpus = 1, CpuLimit = "50%",
            Disk = "1G", Hostname = "life1.example.test", Nameservers = ["198.51.100.53"],
        });
        var info = await Node.ShowAsync("life1");
        Assert.Equal("stopped", info.State);
        Assert.Equal(256L << 20, info.Limits.MemoryBytes);
        Assert.Equal(50, info.Limits.CpuLimitPercent);

        await Node.StartAsync("life1");
        Assert.Equal("running", (await Node.ShowAsync("life1")).State);
        var host = await Node.ExecAsync("life1", "hostname");
        Assert.Equal("life1.example.test", host.Stdout.Trim());
        Assert.Contains("nameserver 198.51.100.53", (await Node.ExecAsync("life1", "cat", "/etc/resolv.conf")).Stdout);

        await Node.StopAsync("life1");
        Assert.Equal("stopped", (await Node.ShowAsync("life1")).State);
        await Node.StartAsync("life1");
        await Node.MustSucceed(Node.Http.PostAsync("/v1/containers/life1/restart", null));
        Assert.Equal("running", (await Node.ShowAsync("life1")).State);

        await Node.DestroyAsync("life1");
        var missing = await Node.Http.GetAsync("/v1/containers/life1");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(Node.DataDir, "lxc", "life1")));
        Assert.False(File.Exists(Path.Combine(Node.DataDir, "private", "life1.img")));
        Assert.DoesNotContain(MountInfo.Read(), m => m.MountPoint.Contains("/life1", StringComparison.Ordinal) && m.MountPoint.StartsWith(Node.DataDir, StringComparison.Ordinal));
        Assert.Empty(HostCleanup.LoopDevicesUnder(Node.DataDir + "/private/life1"));
    }

    [SkippableFact]
    public async Task Exec_PassesStdoutStderrAndExitCode()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "exec1", Template = "busybox", Disk = "256M", Start = true });
        var r = await Node.ExecAsync("exec1", "sh", "-c", "echo out; echo err >&2; exit 7");
        Assert.Equal(7, r.ExitCode);
        Assert.Equal("out\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);

        // The CLI's local path: lxc-attach with the container's LXC path streams and passes the exit code.
        var info = await Node.ShowAsync("exec1");
        var attach = await Hako.Linux.Processes.ProcessRunner.RunAsync("lxc-attach",
            Hako.Runtime.Lxc.LxcDriver.AttachArgs(info.LxcPath!, "exec1", ["sh", "-c", "hostname; exit 3"]));
        Assert.Equal(3, attach.ExitCode);
        Assert.Equal("exec1", attach.Stdout.Trim());
        await Node.DestroyAsync("exec1");
    }

    [SkippableFact]
    public async Task Exec_OnStoppedContainer_Is409NotRunning()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "stopped1", Template = "busybox", Disk = "256M" });
        var r = await Node.PostAsync("/v1/containers/stopped1/exec", new ExecRequest { Command = ["true"] }, HakoJsonContext.Default.ExecRequest);
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        var p = await HakodNode.ProblemAsync(r);
        Assert.Equal("NotRunning", p.Code);
        Assert.Contains("hako start stopped1", p.Detail);
        await Node.DestroyAsync("stopped1");
    }

    [SkippableFact]
    public async Task Set_Memory_AppliesLiveAndPersists()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "set1", Template = "busybox", Memory = "256M", Disk = "256M", Start = true });
        await Patch("set1", new UpdateContainerRequest { Memory = "512M", Hostname = "renamed", Processes = 100 });
        // The kernel's own limit file: cgroup v1 memory.limit_in_bytes, or v2 memory.max.
        var v1 = $"/sys/fs/cgroup/memory/hako-{Node.NodeName}/set1/memory.limit_in_bytes";
        var v2 = $"/sys/fs/cgroup/hako-{Node.NodeName}/set1/memory.max";
        var limitFile = File.Exists(v1) ? v1 : v2;
        Assert.True(File.Exists(limitFile), $"neither {v1} nor {v2} exists");
        Assert.Equal((512L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(limitFile).Trim());

        Assert.Equal("renamed", (await Node.ExecAsync("set1", "hostname")).Stdout.Trim());
        Assert.Equal(512L << 20, (await Node.ShowAsync("set1")).Limits.MemoryBytes);
        await Node.StopAsync("set1", force: true);
        await Node.StartAsync("set1");
        var info = await Node.ShowAsync("set1");
        Assert.Equal(512L << 20, info.Limits.MemoryBytes);
        Assert.Equal(100, info.Limits.Processes);
        Assert.Equal("renamed", (await Node.ExecAsync("set1", "hostname")).Stdout.Trim());
        await Node.DestroyAsync("set1");
    }

    [SkippableFact]
    public async Task Set_Disk_GrowsOfflineAndOnlineWhereTheKernelAllows()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "grow1", Template = "busybox", Disk = "128M" });
        await Patch("grow1", new UpdateContainerRequest { Disk = "256M" }); // stopped: offline grow
        await Node.StartAsync("grow1");
        Assert.InRange(await DfMegabytes("grow1"), 200, 256);

        // Online grow needs CAP_SYS_RESOURCE for ext4's resize ioctl; some sandboxes drop it.
        var r = await Node.Http.PatchAsync("/v1/containers/grow1",
            System.Net.Http.Json.JsonContent.Create(new UpdateContainerRequest { Disk = "512M" }, HakoJsonContext.Default.UpdateContainerRequest));
        if (HasCapSysResource())
        {
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            Assert.InRange(await DfMegabytes("grow1"), 440, 512);
        }
        else
        {
            Console.WriteLine("online disk grow: this host lacks CAP_SYS_RESOURCE; checking that it fails loudly and changes nothing");
            var p = await HakodNode.ProblemAsync(r);
            Assert.Equal("Unsupported", p.Code);
            Assert.Contains("CAP_SYS_RESOURCE", p.Detail);
            Assert.Equal(256L << 20, (await Node.ShowAsync("grow1")).Limits.DiskBytes);
            Assert.InRange(await DfMegabytes("grow1"), 200, 256);
        }

        await Node.DestroyAsync("grow1");
    }

    private async Task Patch(string name, UpdateContainerRequest req)
    {
        var r = await Node.Http.PatchAsync($"/v1/containers/{name}",
            System.Net.Http.Json.JsonContent.Create(req, HakoJsonContext.Default.UpdateContainerRequest));
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>The size of / as df inside the container reports it (ext4 keeps some for its journal and inodes).</summary>
    private async Task<long> DfMegabytes(string name)
    {
        var line = (await Node.ExecAsync(name, "df", "-m", "/")).Stdout.Split('\n')[1];
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>CAP_SYS_RESOURCE is bit 24 of CapEff in /proc/self/status.</summary>
    private static bool HasCapSysResource()
    {
        var hex = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapEff:", StringComparison.Ordinal))[7..].Trim();
        return (Convert.ToUInt64(hex, 16) & (1UL << 24)) != 0;
    }

    [SkippableFact]
    public async Task Destroy_WhileAnotherOperationRuns_Is409Busy()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "busy1", Template = "busybox", Disk = "256M", Start = true });
        // A clean busybox shutdown takes about two seconds: long enough to collide with.
        var stopping = await Node.PostAsync("/v1/containers/busy1/stop", new StopRequest { TimeoutSeconds = 20 }, HakoJsonContext.Default.StopRequest);
        var destroy = await Node.Http.DeleteAsync("/v1/containers/busy1?force=true");
        Assert.Equal(HttpStatusCode.Conflict, destroy.StatusCode);
        Assert.Equal("Busy", (await HakodNode.ProblemAsync(destroy)).Code);
        await Node.WaitAsync(stopping);
        await Node.DestroyAsync("busy1");
    }
}

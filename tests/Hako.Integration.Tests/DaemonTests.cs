using System.Net;
using System.Net.Http.Json;
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

/// <summary>hakod's settings, its TCP listener and its start-up reconcile.</summary>
public sealed class DaemonSettingsTests
{
    [SkippableFact]
    public async Task Listen_Tcp_RequiresTheBearerToken()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode();
        var port = 20000 + Environment.ProcessId % 20000;
        node.ExtraArgs.AddRange(["--listen", $"127.0.0.1:{port}", "--insecure-http"]);
        await node.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var denied = await http.GetAsync("/v1/node");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal("Unauthorized", (await HakodNode.ProblemAsync(denied)).Code);

        var token = File.ReadAllText(Path.Combine(node.DataDir, "api.token")).Trim();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(node.DataDir, "api.token")));
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/node")).StatusCode);
        // The unix socket is for root only.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(node.Socket));
    }

    [SkippableFact]
    public async Task ConfigFile_IsRead_AndFlagsWin()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode();
        Directory.CreateDirectory(node.DataDir);
        var config = Path.Combine(node.DataDir, "hakod.json");
        File.WriteAllText(config, $$"""{ "nodeName": "fromfile", "subnet": "{{node.Subnet}}", "bridge": "ignored0" }""");
        node.ExtraArgs.AddRange(["--config", config]);
        await node.StartAsync(clean: false);
        var info = await node.Http.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo);
        Assert.Equal(node.NodeName, info!.NodeName); // --node-name on the command line wins over the file
        Assert.Equal(node.Bridge, info.Bridge);
    }

    [SkippableFact]
    public async Task BadSettings_ExitWithEveryProblem()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet", [Paths.Hakod, "--subnet", "10.1.2.3", "--bridge", "this-name-is-far-too-long", "--frobnicate"])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("unknown option '--frobnicate'", err);
        Assert.Contains("use e.g. 10.77.0.0/24", err);
        Assert.Contains("--bridge", err);
    }

    [SkippableFact]
    public async Task Reconcile_RepairsMissingMountsAndConfig_AndRestartsWhatShouldRun()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode();
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        await node.CreateAsync(new CreateContainerRequest { Name = "drift1", Template = "busybox", Disk = "256M" });
        await node.CreateAsync(new CreateContainerRequest { Name = "drift2", Template = "busybox", Disk = "256M", Start = true });
        await node.StopDaemonAsync();

        // Behind hakod's back: drift1 loses its mounts and config (as after a host reboot or a careless
        // operator), drift2 is killed although it should be running.
        var rootfs = Path.Combine(node.DataDir, "lxc", "drift1", "rootfs");
        await Hako.Linux.Processes.ProcessRunner.CheckAsync("umount", [rootfs]);
        await Hako.Linux.Processes.ProcessRunner.CheckAsync("umount", [Path.Combine(node.DataDir, "private", "drift1")]);
        File.Delete(Path.Combine(node.DataDir, "lxc", "drift1", "config"));
        await Hako.Linux.Processes.ProcessRunner.CheckAsync("lxc-stop", ["-P", Path.Combine(node.DataDir, "lxc"), "-n", "drift2", "-k"]);

        await node.StartAsync(clean: false);
        Assert.True(MountTool.IsMounted(rootfs));
        Assert.True(File.Exists(Path.Combine(node.DataDir, "lxc", "drift1", "config")));
        Assert.Equal("stopped", (await node.ShowAsync("drift1")).State);
        Assert.Equal("running", (await node.ShowAsync("drift2")).State);
        await node.StartAsync("drift1");
        Assert.Equal("drift1", (await node.ExecAsync("drift1", "hostname")).Stdout.Trim());
    }

    [SkippableFact]
    public async Task HostBoot_StartsOnbootContainersOnly()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode();
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        await node.CreateAsync(new CreateContainerRequest { Name = "boot1", Template = "busybox", Disk = "256M", OnBoot = true });
        await node.CreateAsync(new CreateContainerRequest { Name = "boot2", Template = "busybox", Disk = "256M", Start = true });
        await node.StopDaemonAsync();
        await node.StartAsync(clean: false);
        Assert.Equal("stopped", (await node.ShowAsync("boot1")).State); // a hakod restart is not a boot

        // Simulate a host reboot: containers gone, and a boot id hakod has not seen.
        await node.StopDaemonAsync();
        await Hako.Linux.Processes.ProcessRunner.CheckAsync("lxc-stop", ["-P", Path.Combine(node.DataDir, "lxc"), "-n", "boot2", "-k"]);
        File.WriteAllText(Path.Combine(node.DataDir, "boot_id"), "00000000-0000-0000-0000-000000000000\n");
        await node.StartAsync(clean: false);
        Assert.Equal("running", (await node.ShowAsync("boot1")).State);
        Assert.Equal("stopped", (await node.ShowAsync("boot2")).State);
    }
}

public sealed class AdmissionRatioTests
{
    [SkippableFact]
    public async Task BestEffort_StopsAtTheOvercommitRatio()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode();
        var ram = Hako.Linux.Procfs.ProcMeminfo.Read().MemTotalBytes;
        // Leave 1G usable and allow 1.5x of it for best-effort limits: two 512M containers fit, a third does not.
        node.ExtraArgs.AddRange(["--reserve-memory", $"{(ram >> 20) - 1024}M", "--overcommit-memory", "1.5"]);
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        await node.CreateAsync(new CreateContainerRequest { Name = "be1", Template = "busybox", Memory = "512M", Disk = "256M" });
        await node.CreateAsync(new CreateContainerRequest { Name = "be2", Template = "busybox", Memory = "512M", Disk = "256M" });
        var r = await node.TryCreateAsync(new CreateContainerRequest { Name = "be3", Template = "busybox", Memory = "1G", Disk = "256M" });
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        var p = await HakodNode.ProblemAsync(r);
        Assert.Contains("memory", p.Detail);
        Console.WriteLine(p.Detail);
        Assert.Contains("fits", p.Detail); // what would fit
        Assert.DoesNotContain(await node.ListAsync(), c => c.Name == "be3");
        await node.CreateAsync(new CreateContainerRequest { Name = "be3", Template = "busybox", Memory = "512M", Disk = "256M" });

        var info = await node.Http.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo);
        Assert.Equal(1.5, info!.OvercommitRatios!.Memory);
        Assert.Null(info.OvercommitRatios.Cpu);

        // Admission at start: the node shrinks (operator raises the reserve, no overcommit) while all are stopped;
        // what is running must still fit, so the first start fits and the second is refused.
        await node.StopDaemonAsync();
        node.ExtraArgs.Clear();
        node.ExtraArgs.AddRange(["--reserve-memory", $"{(ram >> 20) - 600}M", "--overcommit-memory", "1"]);
        await node.StartAsync(clean: false);
        await node.StartAsync("be1");
        var refused = await node.Http.PostAsync("/v1/containers/be2/start", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("stopped", (await node.ShowAsync("be2")).State);
    }
}

public sealed class DataDirTests
{
    [SkippableFact]
    public async Task DataDir_UnderAPrivateParent_IsRefusedWithTheFix()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        var parent = Directory.CreateTempSubdirectory("hako-private-").FullName;
        File.SetUnixFileMode(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet",
                [Paths.Hakod, "--data-dir", Path.Combine(parent, "data"), "--socket", Path.Combine(parent, "s.sock"), "--bridge", "hkbpriv", "--subnet", "10.249.0.0/24"])
            { RedirectStandardError = true, RedirectStandardOutput = true };
            using var p = System.Diagnostics.Process.Start(psi)!;
            var err = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.Equal(1, p.ExitCode);
            Assert.Contains($"chmod o+x {parent}", err);
        }
        finally
        {
            Directory.Delete(parent, true);
        }
    }
}

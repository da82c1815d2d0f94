using System.Net;
using System.Net.Http.Json;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;

namespace Hako.Integration.Tests;

/// <summary>Issue 3: plans, ubc mode, beancounters, validation, CPU shares and caps, admission.</summary>
public sealed class ResourceModelTests(NodeFixture fx) : IClassFixture<NodeFixture>
{
    private HakodNode Node => fx.Node;

    private async Task<ContainerInfo> Patch(string name, UpdateContainerRequest req)
    {
        var r = await Node.Http.PatchAsync($"/v1/containers/{name}", JsonContent.Create(req, HakoJsonContext.Default.UpdateContainerRequest));
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, body);
        return System.Text.Json.JsonSerializer.Deserialize(body, HakoJsonContext.Default.ContainerInfo)!;
    }

    [SkippableFact]
    public async Task Plan_SetsLimits_FlagsOverride_AndSwitchingKeepsTheOverrides()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "plan1", Template = "busybox", Plan = "small", Disk = "256M" });
        var info = await Node.ShowAsync("plan1");
        Assert.Equal("small", info.Plan);
        Assert.Equal(512L << 20, info.Limits.MemoryBytes); // from the plan
        Assert.Equal(256L << 20, info.Limits.DiskBytes);   // explicit flag wins
        Assert.Equal(256L << 20, info.Guarantees!.MemoryBytes);

        info = await Patch("plan1", new UpdateContainerRequest { Plan = "medium" });
        Assert.Equal("medium", info.Plan);
        Assert.Equal(2L << 30, info.Limits.MemoryBytes);
        Assert.Equal(256L << 20, info.Limits.DiskBytes); // the explicit disk survives the switch
        await Node.DestroyAsync("plan1");
    }

    [SkippableFact]
    public async Task Plans_CreateListSplitRemove()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var r = await Node.PostAsync("/v1/plans", new CreatePlanRequest { Name = "tiny", Base = "small", Memory = "128M", Description = "test" },
            HakoJsonContext.Default.CreatePlanRequest);
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var plans = await Node.Http.GetFromJsonAsync("/v1/plans", HakoJsonContext.Default.ListPlanInfo);
        Assert.Contains(plans!, p => p.Name == "tiny" && p.Limits.MemoryBytes == 128L << 20 && !p.BuiltIn);
        Assert.Contains(plans!, p => p.Name == "vps-basic" && p.Mode == "ubc" && p.BuiltIn);

        foreach (var n in new[] { 1, 10, 100 })
        {
            var split = await Node.PostAsync("/v1/plans/split", new SplitPlanRequest { Count = n, Save = false }, HakoJsonContext.Default.SplitPlanRequest);
            Assert.True(split.IsSuccessStatusCode, await split.Content.ReadAsStringAsync());
        }

        var builtIn = await Node.Http.DeleteAsync("/v1/plans/small");
        Assert.Equal(HttpStatusCode.Conflict, builtIn.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Node.Http.DeleteAsync("/v1/plans/tiny")).StatusCode);
    }

    [SkippableFact]
    public async Task Ubc_ValidationErrorsRefuse_NamingTheRule_AndLeaveNothing()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var r = await Node.TryCreateAsync(new CreateContainerRequest
        {
            Name = "ubcbad", Template = "busybox", Disk = "256M",
            Resources = new ResourceSettings
            {
                Mode = "ubc",
                Beancounters = new Dictionary<string, string> { ["numproc"] = "240:240", ["kmemsize"] = "1M:1M", ["dcachesize"] = "1M:1M" },
            },
        });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var p = await HakodNode.ProblemAsync(r);
        Assert.Contains(p.Errors!, e => e.Contains("kmemsize", StringComparison.Ordinal));
        Assert.DoesNotContain(await Node.ListAsync(), c => c.Name == "ubcbad");
    }

    [SkippableFact]
    public async Task Ubc_ReportHasTheKernelLayout_AndNumprocFailcntRisesOnForkPastTheLimit()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest
        {
            Name = "ubc1", Template = "busybox", Disk = "256M", Start = true,
            Resources = new ResourceSettings { Mode = "ubc", Beancounters = new Dictionary<string, string> { ["numproc"] = "40:40", ["physpages"] = "0:128M" } },
        });
        var before = await Node.Http.GetFromJsonAsync("/v1/containers/ubc1/ubc", HakoJsonContext.Default.BeancounterReport);
        Assert.StartsWith("Version: 2.5\n", before!.Text);
        Assert.Contains("uid  resource", before.Text);
        Assert.Contains("ubc1:", before.Text);
        var numproc = before.Rows.Single(x => x.Resource == "numproc");
        Assert.Equal(40, numproc.Limit);
        Assert.InRange(numproc.Held, 1, 40);
        Assert.Equal("enforced", numproc.Enforcement);

        await Node.ExecAsync("ubc1", "sh", "-c", "for i in $(seq 60); do sleep 5 & done; wait");
        var after = await Node.Http.GetFromJsonAsync("/v1/containers/ubc1/ubc", HakoJsonContext.Default.BeancounterReport);
        Assert.True(after!.Rows.Single(x => x.Resource == "numproc").FailCnt > 0, after.Text);
        Assert.True(after.Rows.Single(x => x.Resource == "numproc").MaxHeld >= 30, after.Text);

        var valid = await Node.Http.PostAsync("/v1/containers/ubc1/validate", null);
        var report = await valid.Content.ReadFromJsonAsync(HakoJsonContext.Default.ValidationReport);
        Assert.DoesNotContain(report!.Findings, f => f.Severity == "error");
        Assert.True(valid.IsSuccessStatusCode);
        await Node.DestroyAsync("ubc1");
    }

    [SkippableFact]
    public async Task Ubc_MemoryPastPhyspages_IsKilled_WithFailcnt()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest
        {
            Name = "ubcmem", Template = "busybox", Disk = "256M", Start = true,
            Resources = new ResourceSettings { Mode = "ubc", Beancounters = new Dictionary<string, string> { ["physpages"] = "0:64M", ["swappages"] = "0:0" } },
        });
        var r = await Node.ExecAsync("ubcmem", "dd", "if=/dev/zero", "of=/dev/null", "bs=200M", "count=1");
        Assert.NotEqual(0, r.ExitCode);
        var report = await Node.Http.GetFromJsonAsync("/v1/containers/ubcmem/ubc", HakoJsonContext.Default.BeancounterReport);
        Assert.True(report!.Rows.Single(x => x.Resource == "physpages").FailCnt > 0, report.Text);
        Assert.Equal("running", (await Node.ShowAsync("ubcmem")).State);
        await Node.DestroyAsync("ubcmem");
    }

    [SkippableFact]
    public async Task CpuLimit50_KeepsABusyLoopNearHalfACpu()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "cap1", Template = "busybox", Disk = "256M", CpuLimit = "50%", Start = true });
        var busy = Node.ExecAsync("cap1", "sh", "-c", "timeout 6 sh -c 'while :; do :; done'; true");
        await Task.Delay(1000);
        var t0 = (await Node.ShowAsync("cap1")).Usage!.CpuSeconds!.Value;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(3000);
        var t1 = (await Node.ShowAsync("cap1")).Usage!.CpuSeconds!.Value;
        var share = (t1 - t0) / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"cpulimit 50%: busy loop used {share:P0} of one CPU");
        Assert.InRange(share, 0.35, 0.6);
        await busy;
        await Node.DestroyAsync("cap1");
    }

    [SkippableFact]
    public async Task CpuUnits_OneToThree_OnOneCpu_ShareAboutOneToThree()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "w1", Template = "busybox", Disk = "256M", CpuUnits = 500, Start = true, Resources = new ResourceSettings { CpuMask = "0" } });
        await Node.CreateAsync(new CreateContainerRequest { Name = "w3", Template = "busybox", Disk = "256M", CpuUnits = 1500, Start = true, Resources = new ResourceSettings { CpuMask = "0" } });
        var loops = new[] { "w1", "w3" }.Select(n => Node.ExecAsync(n, "sh", "-c", "timeout 10 sh -c 'while :; do :; done'; true")).ToList();
        // Both loops must be running before the window opens (exec can be slow on a loaded host).
        async Task<double> Cpu(string n) => (await Node.ShowAsync(n)).Usage!.CpuSeconds!.Value;
        for (var i = 0; i < 30 && ((await Node.ShowAsync("w1")).Usage!.Processes < 3 || (await Node.ShowAsync("w3")).Usage!.Processes < 3); i++)
        {
            await Task.Delay(100);
        }

        await Task.Delay(1000);
        var a0 = await Cpu("w1");
        var b0 = await Cpu("w3");
        await Task.Delay(4000);
        var a = await Cpu("w1") - a0;
        var b = await Cpu("w3") - b0;
        Console.WriteLine($"cpuunits 500:1500 on CPU 0: {a:F2}s vs {b:F2}s (ratio {b / a:F2})");
        Assert.InRange(b / a, 2.0, 4.5);
        await Task.WhenAll(loops);
        await Node.DestroyAsync("w1");
        await Node.DestroyAsync("w3");
    }

    [SkippableFact]
    public async Task IoLimit_KeepsDirectIoNearTheLimit_AndIoIsReported()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest
        {
            Name = "io1", Template = "busybox", Disk = "256M", Start = true, Resources = new ResourceSettings { IoLimit = "5M" },
        });
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var dd = await Node.ExecAsync("io1", "dd", "if=/dev/zero", "of=/root/f", "bs=1M", "count=20", "oflag=direct");
        var seconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"iolimit 5M: 20M of direct writes took {seconds:F1}s ({20 / seconds:F1} MB/s)");
        Assert.Equal(0, dd.ExitCode);
        Assert.InRange(seconds, 3.0, 8.0);
        var usage = (await Node.ShowAsync("io1")).Usage!;
        Assert.True(usage.IoWriteBytes >= 20L << 20, $"io write bytes {usage.IoWriteBytes}");
        await Node.DestroyAsync("io1");
    }

    [SkippableFact]
    public async Task Admission_GuaranteedCannotOversubscribe_RefusalLeavesNothing()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var node = await Node.Http.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo);
        var usable = node!.Capacity.MemoryBytes - node.Reserve!.MemoryBytes - node.CommittedGuarantees!.MemoryBytes;
        var big = usable * 6 / 10 / (1L << 20);
        var plan = await Node.PostAsync("/v1/plans", new CreatePlanRequest
        {
            Name = "half", Memory = $"{big}M", Cpus = 1, Disk = "256M", Resources = new ResourceSettings { Kind = "guaranteed" },
        }, HakoJsonContext.Default.CreatePlanRequest);
        Assert.True(plan.IsSuccessStatusCode, await plan.Content.ReadAsStringAsync());
        await Node.CreateAsync(new CreateContainerRequest { Name = "g1", Template = "busybox", Plan = "half" });
        var refused = await Node.TryCreateAsync(new CreateContainerRequest { Name = "g2", Template = "busybox", Plan = "half" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var p = await HakodNode.ProblemAsync(refused);
        Assert.Equal("InsufficientResources", p.Code);
        Assert.Contains("memory", p.Detail);
        Assert.Contains("fits", p.Detail);
        Assert.DoesNotContain(await Node.ListAsync(), c => c.Name == "g2");
        Assert.False(Directory.Exists(Path.Combine(Node.DataDir, "lxc", "g2")));
        await Node.DestroyAsync("g1");
        await Node.Http.DeleteAsync("/v1/plans/half");
    }
}

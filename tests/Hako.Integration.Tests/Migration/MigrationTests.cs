using System.Net;
using System.Net.Http.Json;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Hako.Linux.Processes;
using Xunit.Abstractions;

namespace Hako.Integration.Tests.Migration;

/// <summary>Migration between two real hakod nodes (issue 5): live, stopped, template transfer, failures, evacuate.</summary>
public sealed class MigrationTests(ITestOutputHelper output)
{
    private static void SkipIfCannotRun()
    {
        Skip.IfNot(HakodNode.CanRun(out var reason), reason);
    }

    [SkippableFact]
    public async Task Migrate_RunningContainerWithWriter_RunsOnTargetWithSameAddressAndHostname_FileIntactAndContinuing()
    {
        SkipIfCannotRun();
        await using var pair = await NodePair.StartAsync();
        await pair.CreateWriterAsync("mig1");
        var before = await pair.Source.ShowAsync("mig1");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few usage samples to move
        var migrationStart = DateTimeOffset.UtcNow;

        var report = await pair.MigrateAsync("mig1");
        output.WriteLine($"passes {report.Passes.Count}, sent {report.BytesSent} of {report.ContainerBytes}, downtime {report.DowntimeMilliseconds:0} ms, notes: {string.Join(" / ", report.Notes)}; " +
            string.Join(", ", report.DowntimeSteps!.Select(kv => $"{kv.Key} {kv.Value:0} ms")));

        Assert.Equal("live", report.Mode);
        Assert.True(report.TemplateSent, "the target had no busybox template, so it must have been sent");
        Assert.True(report.Passes.Count >= 2, "a live pass and the frozen final pass");
        Assert.True(report.Passes[0].Live && !report.Passes[^1].Live);
        Assert.NotNull(report.DowntimeMilliseconds);
        Assert.True(report.DowntimeMilliseconds < 5000, $"downtime {report.DowntimeMilliseconds} ms");
        Assert.Contains(report.Notes, n => n.Contains("CRIU", StringComparison.Ordinal) && n.Contains("stateless", StringComparison.Ordinal));

        var after = await pair.Target.ShowAsync("mig1");
        Assert.Equal("running", after.State);
        Assert.Equal(before.Ip, after.Ip);
        Assert.Equal("mig1.example.test", (await pair.Target.ExecAsync("mig1", "hostname")).Stdout.Trim());
        Assert.Equal(before.Limits.DiskBytes, after.Limits.DiskBytes);

        // Intact: every number once, in order, no torn line; and the writer goes on from where it stopped.
        var lines = await NodePair.ReadLogAsync(pair.Target, "mig1");
        await NodePair.WaitForLinesAsync(pair.Target, "mig1", lines.Length + 20);
        var later = await NodePair.ReadLogAsync(pair.Target, "mig1");
        Assert.Equal(Enumerable.Range(1, later.Length), later);
        Assert.True(later.Length >= lines.Length + 20);

        await NodePair.AssertNothingLeftAsync(pair.Source, "mig1");

        // The usage history moved with it (samples from before the migration are on the target), and both
        // nodes' event logs say where it went.
        var history = await pair.Target.Http.GetFromJsonAsync("/v1/containers/mig1/stats?since=5m&resource=cpu", HakoJsonContext.Default.UsageHistory);
        Assert.Contains(history!.Metrics.Single().Points, pt => pt.Time < migrationStart);
        var sourceEvents = await pair.Source.Http.GetFromJsonAsync("/v1/events?container=mig1&type=migrated", HakoJsonContext.Default.ListEventInfo);
        Assert.Contains(sourceEvents!, e => e.Detail!.Contains(pair.Target.NodeName, StringComparison.Ordinal));
        var targetEvents = await pair.Target.Http.GetFromJsonAsync("/v1/events?container=mig1&type=migrated", HakoJsonContext.Default.ListEventInfo);
        Assert.Contains(targetEvents!, e => e.Detail!.Contains(pair.Source.NodeName, StringComparison.Ordinal));

        // The address answers from its new node on the shared segment.
        var ping = await ProcessRunner.RunAsync("busybox", ["ping", "-c", "1", "-W", "2", after.Ip!]);
        Assert.True(ping.Ok, ping.Stdout + ping.Stderr);
    }

    [SkippableFact]
    public async Task Migrate_StoppedContainer_MovesStopped_AndTheTemplateIsSentOnlyOnce()
    {
        SkipIfCannotRun();
        await using var pair = await NodePair.StartAsync();
        await pair.Source.CreateAsync(new CreateContainerRequest { Name = "cold1", Template = "busybox", Disk = "256M", Memory = "128M" });
        await pair.Source.CreateAsync(new CreateContainerRequest { Name = "cold2", Template = "busybox", Disk = "256M" });

        var first = await pair.MigrateAsync("cold1");
        Assert.Equal("stopped", first.Mode);
        Assert.True(first.TemplateSent);
        Assert.Single(first.Passes);
        Assert.Null(first.DowntimeMilliseconds);

        // Renumbered on the way (nodes on another subnet): the target takes the new address and rewrites /etc/hosts.
        var newIp = pair.Source.Subnet.Replace(".0/24", ".200", StringComparison.Ordinal);
        var second = await pair.MigrateAsync("cold2", new MigrateRequest { Target = pair.Target.NodeName, Ip = newIp });
        Assert.False(second.TemplateSent, "the target has busybox with the same content hash now");
        Assert.Equal(0, second.TemplateBytes);
        Assert.Equal(newIp, (await pair.Target.ShowAsync("cold2")).Ip);
        await pair.Target.StartAsync("cold2");
        Assert.Contains(newIp, (await pair.Target.ExecAsync("cold2", "cat", "/etc/hosts")).Stdout, StringComparison.Ordinal);

        var moved = await pair.Target.ShowAsync("cold1");
        Assert.Equal("stopped", moved.State);
        Assert.Equal(128L << 20, moved.Limits.MemoryBytes);
        await pair.Target.StartAsync("cold1");
        Assert.Equal("cold1", (await pair.Target.ExecAsync("cold1", "hostname")).Stdout.Trim());
        await NodePair.AssertNothingLeftAsync(pair.Source, "cold1");
        await NodePair.AssertNothingLeftAsync(pair.Source, "cold2");
    }

    [SkippableFact]
    public async Task Migrate_TargetKilledMidCopy_SourceKeepsRunning_AndNothingIsLeftOnEitherNode()
    {
        SkipIfCannotRun();
        await using var pair = await NodePair.StartAsync(t => t.ExtraEnvironment["HAKO_TEST_RECEIVE_DELAY_MS"] = "3000");
        await pair.CreateWriterAsync("kill1");
        var accepted = await pair.StartMigrationAsync("kill1");

        // The target holds the container as "incoming" while the first pass is on its way: kill it then.
        await WaitUntilAsync(async () => (await NodePair.FindAsync(pair.Target, "kill1"))?.State == "incoming");
        await pair.Target.StopDaemonAsync(kill: true);

        var op = await pair.Source.WaitAsync(accepted);
        Assert.Equal("failed", op.Status);
        output.WriteLine(op.Error?.Detail);
        Assert.Equal("rolled-back", op.Migration?.Phase);
        Assert.Equal("running", (await pair.Source.ShowAsync("kill1")).State);
        var lines = await NodePair.ReadLogAsync(pair.Source, "kill1");
        await NodePair.WaitForLinesAsync(pair.Source, "kill1", lines.Length + 10); // not frozen

        // The target's next start rolls the half-received container back.
        await pair.Target.StartAsync(clean: false);
        await NodePair.AssertNothingLeftAsync(pair.Target, "kill1");
    }

    [SkippableFact]
    public async Task Migrate_WhenTheTargetCannotStartItAfterTheSourceStopped_SourceRunsItAgain_FileIntact()
    {
        SkipIfCannotRun();
        await using var pair = await NodePair.StartAsync(t => t.ExtraEnvironment["HAKO_TEST_FAIL_COMMIT"] = "1");
        await pair.CreateWriterAsync("sw1");

        var op = await pair.Source.WaitAsync(await pair.StartMigrationAsync("sw1"));
        Assert.Equal("failed", op.Status);
        Assert.Contains("HAKO_TEST_FAIL_COMMIT", op.Error!.Detail, StringComparison.Ordinal);
        Assert.Equal("rolled-back", op.Migration!.Phase);

        // The source killed its copy for the switch; the undo started it again from the same private area.
        Assert.Equal("running", (await pair.Source.ShowAsync("sw1")).State);
        var lines = await NodePair.ReadLogAsync(pair.Source, "sw1");
        await NodePair.WaitForLinesAsync(pair.Source, "sw1", lines.Length + 10);
        var later = await NodePair.ReadLogAsync(pair.Source, "sw1");
        Assert.Equal(Enumerable.Range(1, later.Length), later);
        await NodePair.AssertNothingLeftAsync(pair.Target, "sw1");
    }

    [SkippableFact]
    public async Task Migrate_WhenTheTargetRefusesTheCall_NothingIsTouched()
    {
        SkipIfCannotRun();
        await using var pair = await NodePair.StartAsync();
        await pair.CreateWriterAsync("ref1");

        // A token that no longer matches: the target answers 401 to the first call.
        await pair.Target.StopDaemonAsync();
        File.Delete(Path.Combine(pair.Target.DataDir, "api.token"));
        await pair.Target.StartAsync(clean: false);
        var op = await pair.Source.WaitAsync(await pair.StartMigrationAsync("ref1"));
        Assert.Equal("failed", op.Status);
        Assert.Contains("token", op.Error!.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Null(op.Migration?.TemplateSent == true ? "template sent" : null);

        // Nothing listens on the port any more.
        await pair.Target.StopDaemonAsync();
        op = await pair.Source.WaitAsync(await pair.StartMigrationAsync("ref1"));
        Assert.Equal("failed", op.Status);
        output.WriteLine(op.Error!.Detail);
        Assert.Contains("not reachable", op.Error!.Detail, StringComparison.Ordinal);

        Assert.Equal("running", (await pair.Source.ShowAsync("ref1")).State);
        await pair.Target.StartAsync(clean: false);
        await NodePair.AssertNothingLeftAsync(pair.Target, "ref1");
        Assert.Empty(await pair.Target.Http.GetFromJsonAsync("/v1/templates", HakoJsonContext.Default.ListTemplateInfo) ?? []);
    }

    [SkippableFact]
    public async Task Migrate_WhenTheTargetDiskFillsMidCopy_SourceKeepsRunning_AndNothingIsLeft()
    {
        SkipIfCannotRun();
        var fsImage = Path.Combine(Path.GetTempPath(), $"hako-smallfs-{Environment.ProcessId}.img");
        var mount = Path.Combine(Path.GetTempPath(), $"hako-smallfs-{Environment.ProcessId}");
        Directory.CreateDirectory(mount);
        await ProcessRunner.CheckAsync("truncate", ["-s", "160M", fsImage]);
        await ProcessRunner.CheckAsync("mkfs.ext4", ["-q", "-F", "-m", "0", fsImage]);
        await ProcessRunner.CheckAsync("mount", ["-o", "loop", fsImage, mount]);
        try
        {
            // No quota (so both nodes allow it): the private area is a plain directory on the target's (small) data-dir filesystem.
            await using var pair = await NodePair.StartAsync(t => t.ExtraEnvironment["HAKO_TEST_RECEIVE_DELAY_MS"] = "2000", targetDataDir: mount,
                bothArgs: ["--allow-unlimited-disk"]);
            await pair.Source.CreateAsync(new CreateContainerRequest { Name = "full1", Template = "busybox", Disk = "unlimited", Start = true });
            await pair.Source.ExecAsync("full1", "dd", "if=/dev/urandom", "of=/blob", "bs=1M", "count=60");

            var accepted = await pair.StartMigrationAsync("full1");
            await WaitUntilAsync(async () => (await NodePair.FindAsync(pair.Target, "full1"))?.State == "incoming");
            // Something else takes the target's disk while the copy is on its way.
            var free = new DriveInfo(mount).AvailableFreeSpace;
            await ProcessRunner.CheckAsync("fallocate", ["-l", (free - (4L << 20)).ToString(System.Globalization.CultureInfo.InvariantCulture), Path.Combine(mount, "balloon")]);

            var op = await pair.Source.WaitAsync(accepted);
            Assert.Equal("failed", op.Status);
            output.WriteLine(op.Error?.Detail);
            Assert.Equal(nameof(ErrorCode.InsufficientResources), op.Error!.Code);
            Assert.Equal("running", (await pair.Source.ShowAsync("full1")).State);
            await NodePair.AssertNothingLeftAsync(pair.Target, "full1");
            File.Delete(Path.Combine(mount, "balloon"));

            // With the space back, the same migration goes through.
            var report = await pair.MigrateAsync("full1");
            Assert.Equal("running", (await pair.Target.ShowAsync("full1")).State);
            output.WriteLine($"sent {report.BytesSent} for {report.ContainerBytes}");
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", ["-l", mount]);
            File.Delete(fsImage);
            Directory.Delete(mount, true);
        }
    }

    [SkippableFact]
    public async Task Migrate_WhenTheAddressIsTakenOnTheTarget_IsRefusedBeforeAnythingIsTouched()
    {
        SkipIfCannotRun();
        await using var pair = await NodePair.StartAsync();
        await pair.Source.CreateAsync(new CreateContainerRequest { Name = "ip1", Template = "busybox", Disk = "256M" });
        var ip = (await pair.Source.ShowAsync("ip1")).Ip!;
        await pair.Target.BuildBusyboxAsync();
        await pair.Target.CreateAsync(new CreateContainerRequest { Name = "other", Template = "busybox", Disk = "256M", Ip = ip });

        var op = await pair.Source.WaitAsync(await pair.StartMigrationAsync("ip1"));
        Assert.Equal("failed", op.Status);
        Assert.Contains("already used", op.Error!.Detail, StringComparison.Ordinal);
        Assert.Contains("--ip", op.Error!.Detail, StringComparison.Ordinal);
        Assert.Equal("stopped", (await pair.Source.ShowAsync("ip1")).State);
        await NodePair.AssertNothingLeftAsync(pair.Target, "ip1");
    }

    [SkippableFact]
    public async Task Evacuate_MovesEveryContainer_AndTheNodeTakesNothingNewUntilRestore()
    {
        SkipIfCannotRun();
        await using var pair = await NodePair.StartAsync();
        await pair.CreateWriterAsync("ev1");
        await pair.Source.CreateAsync(new CreateContainerRequest { Name = "ev2", Template = "busybox", Disk = "256M", Start = true });
        await pair.Source.CreateAsync(new CreateContainerRequest { Name = "ev3", Template = "busybox", Disk = "256M" });
        var ips = (await pair.Source.ListAsync()).ToDictionary(c => c.Name, c => c.Ip);

        var op = await pair.Source.MustSucceed(pair.Source.PostAsync("/v1/node/evacuate", new EvacuateRequest(), HakoJsonContext.Default.EvacuateRequest));
        var summary = op.Evacuation!;
        Assert.Equal(3, summary.Containers.Count);
        Assert.All(summary.Containers, c => Assert.Equal("moved", c.Status));
        Assert.Empty(await pair.Source.ListAsync());
        var moved = (await pair.Target.ListAsync()).ToDictionary(c => c.Name);
        Assert.Equal("running", moved["ev1"].State);
        Assert.Equal("running", moved["ev2"].State);
        Assert.Equal("stopped", moved["ev3"].State);
        Assert.All(ips, kv => Assert.Equal(kv.Value, moved[kv.Key].Ip));

        var node = await pair.Source.Http.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo);
        Assert.True(node!.Evacuated);
        var refused = await pair.Source.TryCreateAsync(new CreateContainerRequest { Name = "new1", Template = "busybox", Disk = "256M" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("hako node restore", (await HakodNode.ProblemAsync(refused)).Detail, StringComparison.Ordinal);

        var restored = await pair.Source.Http.PostAsync("/v1/node/restore", null);
        Assert.True(restored.IsSuccessStatusCode);
        await pair.Source.CreateAsync(new CreateContainerRequest { Name = "new1", Template = "busybox", Disk = "256M" });
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("condition not met within 15 s");
    }
}

using System.Net.Http.Json;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Hako.Integration.Tests.Migration;

/// <summary>
/// Issue 9, crash repair: a source hakod killed (-9) while the container is frozen for the final pass, and an
/// incoming migration whose source never comes back. The target holds every pass for a while
/// (HAKO_TEST_RECEIVE_DELAY_MS) so the kill lands in the phase wanted; its lease is shortened (--incoming-lease).
/// </summary>
public sealed class MigrationCrashTests(ITestOutputHelper output)
{
    private static void SkipIfCannotRun()
    {
        Skip.IfNot(HakodNode.CanRun(out var reason), reason);
    }

    /// <summary>The kernel's freezer state of the container's cgroup: v1 freezer.state, or v2 cgroup.freeze as FROZEN/THAWED.</summary>
    private static string FreezerState(HakodNode node, string name)
    {
        var v1 = $"/sys/fs/cgroup/freezer/hako-{node.NodeName.ToLowerInvariant()}/{name}/freezer.state";
        if (File.Exists(v1))
        {
            return File.ReadAllText(v1).Trim();
        }

        var v2 = $"/sys/fs/cgroup/hako-{node.NodeName.ToLowerInvariant()}/{name}/cgroup.freeze";
        return File.Exists(v2) ? File.ReadAllText(v2).Trim() == "1" ? "FROZEN" : "THAWED" : "missing";
    }

    private static async Task<OperationInfo> WaitForPhaseAsync(HakodNode node, string operationId, string phase)
    {
        for (var i = 0; i < 1200; i++)
        {
            var op = (await node.Http.GetFromJsonAsync($"/v1/operations/{operationId}", HakoJsonContext.Default.OperationInfo))!;
            if (op.Migration?.Phase == phase)
            {
                return op;
            }

            Assert.True(op.Status == "running", $"migration ended ({op.Status}, {op.Migration?.Phase}) before phase {phase}: {op.Error?.Detail}");
            await Task.Delay(25);
        }

        throw new TimeoutException($"migration never reached phase {phase}");
    }

    private static async Task<string> OperationIdAsync(HttpResponseMessage accepted)
    {
        var body = await accepted.Content.ReadAsStringAsync();
        Assert.True(accepted.StatusCode == System.Net.HttpStatusCode.Accepted, body);
        return System.Text.Json.JsonSerializer.Deserialize(body, HakoJsonContext.Default.OperationInfo)!.Id;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{what} within {within.TotalSeconds:0} s");
    }

    [SkippableFact]
    public async Task Migrate_SourceKilledWhileFrozen_AfterRestartTheContainerRunsThawed_AndTheTargetReleasedIt()
    {
        SkipIfCannotRun();
        await using var pair = await NodePair.StartAsync(t =>
        {
            t.ExtraEnvironment["HAKO_TEST_RECEIVE_DELAY_MS"] = "2500";
            t.ExtraArgs.AddRange(["--incoming-lease", "5s"]);
        });
        await pair.CreateWriterAsync("frz1");
        var id = await OperationIdAsync(await pair.StartMigrationAsync("frz1"));

        // The final pass runs with the container frozen; the target holds it 2.5 s: kill the source then.
        await WaitForPhaseAsync(pair.Source, id, "final-copy");
        Assert.Equal("FROZEN", FreezerState(pair.Source, "frz1"));
        await pair.Source.StopDaemonAsync(kill: true);
        await Task.Delay(500);
        Assert.Equal("FROZEN", FreezerState(pair.Source, "frz1")); // what issue 9 found: frozen with nobody to thaw it

        await pair.Source.StartAsync(clean: false);
        Assert.Contains("left frozen by a migration", pair.Source.Log, StringComparison.Ordinal);
        Assert.Equal("THAWED", FreezerState(pair.Source, "frz1"));
        Assert.Equal("running", (await pair.Source.ShowAsync("frz1")).State);
        var lines = await NodePair.ReadLogAsync(pair.Source, "frz1");
        await NodePair.WaitForLinesAsync(pair.Source, "frz1", lines.Length + 10); // it runs, not just exists
        Assert.Equal(Enumerable.Range(1, lines.Length), lines); // nothing lost or written twice by the interruption

        // The source's repair told the target; the lease would have released it anyway.
        await WaitUntilAsync(async () => await NodePair.FindAsync(pair.Target, "frz1") is null, TimeSpan.FromSeconds(20),
            "the target did not release its incoming copy");
        await NodePair.AssertNothingLeftAsync(pair.Target, "frz1");

        // And the container can be migrated again afterwards.
        pair.Target.ExtraEnvironment.Clear();
        var again = await pair.Source.WaitAsync(await pair.StartMigrationAsync("frz1", new MigrateRequest { Target = pair.Target.NodeName, Offline = true }));
        Assert.True(again.Status == "succeeded", again.Error?.Detail);
        Assert.Equal("running", (await pair.Target.ShowAsync("frz1")).State);
    }

    [SkippableFact]
    public async Task IncomingMigration_WhoseSourceDied_IsReleasedWhenItsLeaseExpires()
    {
        SkipIfCannotRun();
        await using var pair = await NodePair.StartAsync(t =>
        {
            // Each pass is held 8 s: the kill below lands while pass 1 is in flight, so the lease counts from the kill.
            t.ExtraEnvironment["HAKO_TEST_RECEIVE_DELAY_MS"] = "8000";
            t.ExtraArgs.AddRange(["--incoming-lease", "4s"]);
        });
        await pair.CreateWriterAsync("lease1");
        var id = await OperationIdAsync(await pair.StartMigrationAsync("lease1"));
        await WaitForPhaseAsync(pair.Source, id, "copying"); // pass 1 is on its way: the target holds it 8 s
        Assert.Equal("incoming", (await NodePair.FindAsync(pair.Target, "lease1"))?.State);

        // The source dies and never comes back to abort: only the lease can free name, address and area.
        await pair.Source.StopDaemonAsync(kill: true);
        var killedAt = DateTime.UtcNow;
        Assert.Equal("incoming", (await NodePair.FindAsync(pair.Target, "lease1"))?.State);
        Assert.True(File.Exists(Path.Combine(pair.Target.DataDir, "private", "lease1.img")));

        await WaitUntilAsync(async () => await NodePair.FindAsync(pair.Target, "lease1") is null, TimeSpan.FromSeconds(30),
            "the incoming row outlived its lease");
        var after = DateTime.UtcNow - killedAt;
        output.WriteLine($"released {after.TotalSeconds:0.0} s after the source died (lease 4 s)");
        // The lease runs from the end of the last call (the broken pass); the sweep looks every second.
        Assert.True(after >= TimeSpan.FromSeconds(3), $"released after {after.TotalSeconds:0.0} s, before the lease ran out");
        await NodePair.AssertNothingLeftAsync(pair.Target, "lease1");
        Assert.Contains("releasing it", pair.Target.Log, StringComparison.Ordinal);

        // The source, restarted, keeps its container running (it was never frozen).
        await pair.Source.StartAsync(clean: false);
        Assert.Equal("running", (await pair.Source.ShowAsync("lease1")).State);
    }
}

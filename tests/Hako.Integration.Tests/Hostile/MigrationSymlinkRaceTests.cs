using System.Diagnostics;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Hako.Integration.Tests.Migration;
using Xunit.Abstractions;

namespace Hako.Integration.Tests.Hostile;

/// <summary>
/// Issue 9, hole 1: root in the container swaps a directory <c>/a</c> holding <c>a/evil</c> with a symlink
/// <c>/a -&gt; host dir</c> in a loop while the container is migrated back and forth, live and offline. Neither end
/// may follow the symlink: nothing appears in the host dir (target side), and no host file's content appears in
/// the container (source side). Rounds: HAKO_HOSTILE_ROUNDS (default 3 live + 3 offline).
/// </summary>
public sealed class MigrationSymlinkRaceTests(ITestOutputHelper output)
{
    private static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("HAKO_HOSTILE_ROUNDS"), out var n) && n > 0 ? n : 3;

    [SkippableFact]
    public async Task Migrate_WhileTheTenantSwapsADirectoryWithASymlinkToTheHost_NeverWritesOrReadsThroughIt()
    {
        Skip.IfNot(HakodNode.CanRun(out var reason), reason);
        using var host = new HostDir();
        await using var pair = await NodePair.StartAsync();
        // The target learns the source too, so the container can come back.
        var added = await pair.Target.PostAsync("/v1/nodes",
            new AddNodeRequest { Name = pair.Source.NodeName, Url = pair.Source.Url, Token = pair.Source.Token }, HakoJsonContext.Default.AddNodeRequest);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        await pair.Source.CreateAsync(new CreateContainerRequest { Name = "hostile1", Template = "busybox", Disk = "1G", Start = true });
        await pair.Source.ExecAsync("hostile1", "sh", "-c", $"""
            cat > /swap.sh <<'W'
            i=0
            while true; do
              i=$((i+1))
              rm -rf /x.d /x.l; mkdir /x.d; echo "evil $i" > /x.d/evil; ln -s {host.Path} /x.l
              rm -rf /a; mv /x.d /a
              usleep 3000
              echo "evil again $i" > /a/evil 2>/dev/null
              rm -rf /a; mv /x.l /a
              usleep 3000
            done
            W
            echo '::respawn:/bin/sh /swap.sh' >> /etc/inittab
            kill -HUP 1
            """);
        await Task.Delay(500);

        HakodNode from = pair.Source, to = pair.Target;
        var clock = Stopwatch.StartNew();
        for (var round = 1; round <= Rounds; round++)
        {
            foreach (var offline in new[] { false, true })
            {
                var op = await from.MustSucceed(from.PostAsync("/v1/containers/hostile1/migrate",
                    new MigrateRequest { Target = to.NodeName, Offline = offline }, HakoJsonContext.Default.MigrateRequest));
                var m = op.Migration!;
                output.WriteLine($"round {round} {(offline ? "offline" : "live")} {from.NodeName} -> {to.NodeName}: {m.Passes.Count} passes, " +
                    $"{m.BytesSent} bytes, {string.Join(" ", m.Passes.Select(p => $"[{p.Entries} sent, {p.Deleted} deleted]"))}");
                host.AssertUntouched();
                Assert.Equal("running", (await to.ShowAsync("hostile1")).State);
                (from, to) = (to, from);
                await Task.Delay(300); // let the loop run on its new node
            }
        }

        // The container lives on `from` now (the last target). Nothing of the host inside it, nothing of it on the host.
        host.AssertUntouched();
        foreach (var node in new[] { pair.Source, pair.Target })
        {
            Assert.Empty(host.FilesHoldingCanary(Path.Combine(node.DataDir, "private")));
        }

        var inside = await from.ExecAsync("hostile1", "sh", "-c", $"grep -rl {host.Canary} /bin /etc /root /tmp /x.d /a/ 2>/dev/null; true");
        Assert.Equal("", inside.Stdout.Trim());
        var listing = await from.ExecAsync("hostile1", "sh", "-c", "ls -la /a /x.d /x.l 2>&1 | head -5");
        output.WriteLine($"{Rounds * 2} migrations in {clock.Elapsed.TotalSeconds:0} s; /a now: {listing.Stdout.Trim()}");
    }
}

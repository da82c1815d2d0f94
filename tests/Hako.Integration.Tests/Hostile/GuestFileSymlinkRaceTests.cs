using System.Net;
using System.Net.Http.Json;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Hako.Integration.Tests.Hostile;

/// <summary>
/// Issue 9, hole 2: while root in the container swaps /etc with a symlink to a host directory in a loop, hakod
/// rewrites /etc/hostname, /etc/hosts and /etc/resolv.conf (hako set --hostname / --nameserver). Nothing may be
/// written on the host; each call succeeds or is refused with Conflict (409), never a 500.
/// </summary>
public sealed class GuestFileSymlinkRaceTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task SetHostnameAndNameserver_WhileTheTenantSwapsEtcWithASymlinkToTheHost_NeverWritesOnTheHost()
    {
        Skip.IfNot(HakodNode.CanRun(out var reason), reason);
        using var host = new HostDir();
        await using var node = new HakodNode();
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        await node.CreateAsync(new CreateContainerRequest { Name = "etcswap", Template = "busybox", Start = true });
        await node.ExecAsync("etcswap", "sh", "-c", $"""
            cat > /swap.sh <<'W'
            while true; do
              [ -L /etc ] || [ -e /etc.d ] || mv /etc /etc.d
              [ -e /etc ] || ln -s {host.Path} /etc
              usleep 2000
              [ -L /etc ] && rm /etc
              [ -e /etc ] || mv /etc.d /etc
              usleep 2000
            done
            W
            echo '::respawn:/bin/sh /swap.sh' >> /etc/inittab
            kill -HUP 1
            """);

        var outcomes = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < 50; i++)
        {
            var req = i % 2 == 0
                ? new UpdateContainerRequest { Hostname = $"swap{i}.example.test" }
                : new UpdateContainerRequest { Nameservers = [$"10.9.9.{i}"] };
            var r = await node.Http.PatchAsJsonAsync("/v1/containers/etcswap", req, HakoJsonContext.Default.UpdateContainerRequest);
            outcomes[r.StatusCode] = outcomes.GetValueOrDefault(r.StatusCode) + 1;
            if (!r.IsSuccessStatusCode)
            {
                var problem = await HakodNode.ProblemAsync(r);
                Assert.True(r.StatusCode == HttpStatusCode.Conflict, $"call {i}: {(int)r.StatusCode} {problem.Detail}");
            }

            host.AssertUntouched();
        }

        output.WriteLine(string.Join(", ", outcomes.Select(kv => $"{(int)kv.Key}: {kv.Value}")));
        Assert.True(outcomes.GetValueOrDefault(HttpStatusCode.OK) > 0, "some calls must get through while /etc is a directory");
        host.AssertUntouched();
    }
}

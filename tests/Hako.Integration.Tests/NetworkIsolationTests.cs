using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Hako.Linux.Processes;

namespace Hako.Integration.Tests;

/// <summary>
/// Each container has its own network stack: iptables rules its root adds apply in that container only.
/// Busybox has no iptables, so the test imports a template of busybox plus the host's iptables (nft
/// backend) and its libraries, as an OS template tarball (which also exercises `template import`).
/// </summary>
public sealed class NetworkIsolationTests(NodeFixture fx) : IClassFixture<NodeFixture>
{
    private HakodNode Node => fx.Node;

    [SkippableFact]
    public async Task Iptables_RulesAddedInsideAffectOnlyThatContainer()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var iptables = "/usr/sbin/xtables-nft-multi";
        Skip.IfNot(File.Exists(iptables), "the host has no iptables-nft (xtables-nft-multi) to put into the test template");

        var staging = Directory.CreateTempSubdirectory("hako-ipt-").FullName;
        var tarball = staging + ".tar.gz";
        try
        {
            await ProcessRunner.CheckAsync("cp", ["-a", Path.Combine(Node.DataDir, "templates", "busybox", "rootfs") + "/.", staging]);
            var files = new List<string> { iptables };
            files.AddRange(Directory.EnumerateFiles("/usr/lib/x86_64-linux-gnu/xtables"));
            var ldd = await ProcessRunner.CheckAsync("ldd", [iptables]);
            files.AddRange(ldd.Split('\n').Select(l => l.Split("=>").Last().Trim().Split(' ')[0]).Where(p => p.StartsWith('/')));
            foreach (var f in files.Distinct())
            {
                await ProcessRunner.CheckAsync("cp", ["-L", "--parents", f, staging]);
            }

            File.CreateSymbolicLink(Path.Combine(staging, "usr/sbin/iptables"), "xtables-nft-multi");
            await ProcessRunner.CheckAsync("tar", ["-czf", tarball, "--numeric-owner", "--owner=0", "--group=0", "-C", staging, "."]);
            await Node.MustSucceed(Node.PostAsync("/v1/templates/import", new ImportTemplateRequest { Name = "bbipt", Path = tarball },
                HakoJsonContext.Default.ImportTemplateRequest));
        }
        finally
        {
            await ProcessRunner.RunAsync("rm", ["-rf", staging, tarball]);
        }

        await Node.CreateAsync(new CreateContainerRequest { Name = "fw1", Template = "bbipt", Disk = "256M", Start = true });
        await Node.CreateAsync(new CreateContainerRequest { Name = "fw2", Template = "bbipt", Disk = "256M", Start = true });
        var ip1 = (await Node.ShowAsync("fw1")).Ip!;
        var ip2 = (await Node.ShowAsync("fw2")).Ip!;
        Assert.Equal(0, (await Node.ExecAsync("fw1", "ping", "-c", "1", "-W", "2", ip2)).ExitCode);

        var add = await Node.ExecAsync("fw1", "iptables", "-A", "OUTPUT", "-d", ip2, "-j", "DROP");
        Assert.True(add.ExitCode == 0, add.Stderr);
        Assert.Contains($"-d {ip2}/32 -j DROP", (await Node.ExecAsync("fw1", "iptables", "-S", "OUTPUT")).Stdout);
        Assert.NotEqual(0, (await Node.ExecAsync("fw1", "ping", "-c", "1", "-W", "1", ip2)).ExitCode);

        // The neighbour and the host do not have the rule.
        Assert.DoesNotContain("DROP", (await Node.ExecAsync("fw2", "iptables", "-S", "OUTPUT")).Stdout);
        Assert.DoesNotContain(ip2 + "/32", await ProcessRunner.CheckAsync("iptables", ["-S", "OUTPUT"]));

        await Node.DestroyAsync("fw1");
        await Node.DestroyAsync("fw2");
        Assert.True((await Node.Http.DeleteAsync("/v1/templates/bbipt")).IsSuccessStatusCode);
    }
}

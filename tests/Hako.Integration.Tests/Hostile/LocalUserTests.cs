using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Hako.Linux.Files;
using Hako.Linux.Processes;
using Xunit.Abstractions;

namespace Hako.Integration.Tests.Hostile;

/// <summary>
/// Issue 9, a hostile local user: another account on the host (here `nobody`) must not read the database
/// (peers' tokens), its WAL, the customers' raw disks, the API token or LXC configs, nor list the data dir —
/// while containers, whose root is host uid 100000, still start and run.
/// </summary>
public sealed class LocalUserTests(ITestOutputHelper output)
{
    private static void SkipIfCannotRun()
    {
        Skip.IfNot(HakodNode.CanRun(out var reason), reason);
        Skip.IfNot(File.Exists("/usr/bin/setpriv"), "setpriv (util-linux) is missing");
    }

    /// <summary>Runs a command as nobody:nogroup with no supplementary groups.</summary>
    private static Task<ProcessResult> AsNobodyAsync(params string[] command) =>
        ProcessRunner.RunAsync("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", .. command]);

    private async Task AssertNobodyIsRefusedAsync(HakodNode node, string container)
    {
        var d = node.DataDir;
        string[] files =
        [
            Path.Combine(d, "hako.db"), Path.Combine(d, "hako.db-wal"), Path.Combine(d, "private", container + ".img"),
            Path.Combine(d, "api.token"), Path.Combine(d, "lxc", container, "config"), Path.Combine(d, "lxc", container, "lxc.log"),
        ];
        foreach (var file in files)
        {
            Assert.True(File.Exists(file), $"{file} should exist for this test to mean something");
            var r = await AsNobodyAsync("cat", file);
            output.WriteLine($"nobody: cat {file} -> exit {r.ExitCode} {r.Stderr.Trim()}");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("Permission denied", r.Stderr, StringComparison.Ordinal);
        }

        foreach (var dir in new[] { d, Path.Combine(d, "lxc"), Path.Combine(d, "private"), Path.Combine(d, "templates") })
        {
            var ls = await AsNobodyAsync("ls", dir);
            output.WriteLine($"nobody: ls {dir} -> exit {ls.ExitCode} {ls.Stderr.Trim()}");
            Assert.NotEqual(0, ls.ExitCode);
            Assert.Contains("Permission denied", ls.Stderr, StringComparison.Ordinal);
        }

        // Container root may pass through on the way to its rootfs, but read nothing of hakod's.
        var root = await ProcessRunner.RunAsync("setpriv", ["--reuid=100000", "--regid=100000", "--clear-groups", "cat", Path.Combine(d, "hako.db")]);
        Assert.NotEqual(0, root.ExitCode);
        var rootLs = await ProcessRunner.RunAsync("setpriv", ["--reuid=100000", "--regid=100000", "--clear-groups", "ls", d]);
        Assert.NotEqual(0, rootLs.ExitCode);

        // The modes themselves: nothing for group or others but the ACL's search bit on the rootfs path.
        Assert.Equal(0, (int)new DirectoryInfo(d).UnixFileMode & 0b000_110_111);
        foreach (var file in files)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Contains(PosixAcl.ReadUserEntries(Path.Combine(d, "lxc", container)), e => e.Uid == 100000 && e.Perm == 1);
    }

    private static async Task AssertRunsAsync(HakodNode node, string name)
    {
        Assert.Equal("running", (await node.ShowAsync(name)).State);
        var r = await node.ExecAsync(name, "sh", "-c", "echo ok > /tmp/probe && cat /tmp/probe && umask");
        Assert.Equal("ok\n0022\n", r.Stdout); // the customer's processes keep the usual umask
    }

    [SkippableFact]
    public async Task LocalUser_CannotReadDatabaseWalImagesTokensOrConfigs_WhileContainersStartAndRun()
    {
        SkipIfCannotRun();
        await using var node = new HakodNode(listen: true);
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        await node.CreateAsync(new CreateContainerRequest { Name = "lu1", Template = "busybox", Disk = "256M", Start = true });
        await AssertRunsAsync(node, "lu1");

        await AssertNobodyIsRefusedAsync(node, "lu1");

        // Stop and start again: LXC enters the rootfs as uid 100000 through the 0700 dirs.
        await node.StopAsync("lu1", force: true);
        await node.StartAsync("lu1");
        await AssertRunsAsync(node, "lu1");
    }

    [SkippableFact]
    public async Task Start_OnADataDirLeftOpenByAnOlderHakod_ClosesItAndContainersStillRun()
    {
        SkipIfCannotRun();
        await using var node = new HakodNode(listen: true);
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        await node.CreateAsync(new CreateContainerRequest { Name = "old1", Template = "busybox", Disk = "256M", Start = true });
        await node.StopDaemonAsync();

        // What an older hakod left: a 0711 data dir, 0755 dirs, 0644 db, WAL, images, tokens and configs, no ACLs.
        var d = node.DataDir;
        foreach (var dir in new[] { d, Path.Combine(d, "lxc"), Path.Combine(d, "lxc", "old1") })
        {
            PosixAcl.SetTraverseOnly(dir, []);
        }

        UnixFile.Chmod(d, 0b111_001_001);
        foreach (var dir in new[] { "lxc", "private", "templates", "lxc/old1", "templates/busybox" })
        {
            UnixFile.Chmod(Path.Combine(d, dir), 0b111_101_101);
        }

        foreach (var file in Directory.EnumerateFiles(d).Concat(Directory.EnumerateFiles(Path.Combine(d, "private")))
            .Concat(Directory.EnumerateFiles(Path.Combine(d, "lxc", "old1"))).Where(f => !f.EndsWith(".sock", StringComparison.Ordinal)))
        {
            UnixFile.Chmod(file, 0b110_100_100);
        }

        Assert.Equal(0, (await AsNobodyAsync("cat", Path.Combine(d, "api.token"))).ExitCode); // open, as reported in issue 9

        await node.StartAsync(clean: false);
        await AssertRunsAsync(node, "old1"); // hakod's restart never touched the running container
        await AssertNobodyIsRefusedAsync(node, "old1");
        await node.StopAsync("old1", force: true);
        await node.StartAsync("old1");
        await AssertRunsAsync(node, "old1");
    }
}

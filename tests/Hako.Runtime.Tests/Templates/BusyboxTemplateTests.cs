using System.Diagnostics;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Processes;
using Hako.Runtime.Templates;
using Xunit.Abstractions;

namespace Hako.Runtime.Tests.Templates;

public sealed class BusyboxTemplateTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _data = new();

    public void Dispose() => _data.Dispose();

    [SkippableFact]
    public async Task BuildBusybox_MakesCompleteRootfsOwnedByShiftedRoot()
    {
        Skip.IfNot(TestHost.IsRoot, TestHost.NeedsRoot);
        var store = new TemplateStore(_data.Path);
        var progress = new ProgressLog();

        var sw = Stopwatch.StartNew();
        var t = await store.BuildBusyboxAsync("busybox", progress);
        sw.Stop();
        output.WriteLine($"busybox build: {sw.ElapsedMilliseconds} ms, {t.SizeBytes} bytes, {t.Files} files, {t.ContentHash}");

        var rootfs = Path.Join(_data.Path, "templates/busybox/rootfs");
        Assert.Equal(rootfs, t.RootfsPath);
        Assert.Equal("100000:100000 755 directory", await TestHost.StatAsync(rootfs));
        Assert.Equal("100000:100000 755 regular file", await TestHost.StatAsync(Path.Join(rootfs, "bin/busybox")));
        Assert.Equal("100000:100000 777 symbolic link", await TestHost.StatAsync(Path.Join(rootfs, "sbin/init")));
        Assert.Equal("/bin/busybox", new FileInfo(Path.Join(rootfs, "sbin/init")).LinkTarget);
        Assert.Equal("100000:100000 1777 directory", await TestHost.StatAsync(Path.Join(rootfs, "tmp")));
        Assert.Equal("100000:100000 700 directory", await TestHost.StatAsync(Path.Join(rootfs, "root")));
        Assert.Equal("100000:100000 755 regular file", await TestHost.StatAsync(Path.Join(rootfs, "etc/init.d/rcS")));
        Assert.Equal("100000:100000 600 regular file", await TestHost.StatAsync(Path.Join(rootfs, "etc/shadow")));

        foreach (var d in new[] { "proc", "sys", "dev/pts", "run", "home", "var/log", "usr/bin", "usr/sbin", "mnt" })
        {
            Assert.True(Directory.Exists(Path.Join(rootfs, d)), d);
        }

        foreach (var applet in new[] { "init", "sh", "ip", "ping", "dd", "mount", "umount", "df", "ps", "hostname", "free", "top", "wget", "nc" })
        {
            var found = new[] { "bin", "sbin", "usr/bin", "usr/sbin" }
                .Select(d => Path.Join(rootfs, d, applet))
                .Any(p => new FileInfo(p).LinkTarget == "/bin/busybox");
            Assert.True(found, $"applet {applet} has no symlink to /bin/busybox");
        }

        Assert.Equal("::sysinit:/etc/init.d/rcS\n::shutdown:/bin/umount -a -r\n", File.ReadAllText(Path.Join(rootfs, "etc/inittab")));
        var rcs = File.ReadAllText(Path.Join(rootfs, "etc/init.d/rcS"));
        Assert.StartsWith("#!/bin/sh\n", rcs);
        Assert.Contains("mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp", rcs);
        Assert.Contains("ip link set lo up", rcs);
        Assert.Contains("hostname -F /etc/hostname", rcs);
        Assert.StartsWith("root:x:0:0:root:/root:/bin/sh\n", File.ReadAllText(Path.Join(rootfs, "etc/passwd")));
        Assert.StartsWith("root:!:", File.ReadAllText(Path.Join(rootfs, "etc/shadow")));
        Assert.Contains("ID=busybox\n", File.ReadAllText(Path.Join(rootfs, "etc/os-release")));
        Assert.Contains("export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n", File.ReadAllText(Path.Join(rootfs, "etc/profile")));

        Assert.Equal("busybox", t.Source);
        Assert.Equal("SIGUSR2", t.HaltSignal);
        Assert.Equal("/sbin/init", t.Init);
        Assert.Equal(100000, t.UidBase);
        Assert.Matches("^sha256:[0-9a-f]{64}$", t.ContentHash);
        var json = File.ReadAllText(Path.Join(_data.Path, "templates/busybox/template.json"));
        Assert.Contains("\"haltSignal\": \"SIGUSR2\"", json);
        Assert.Contains("\"init\": \"/sbin/init\"", json);
        Assert.Contains($"\"contentHash\": \"{t.ContentHash}\"", json);

        // Size is du's disk usage; Files counts every entry below the rootfs.
        var du = long.Parse((await ProcessRunner.CheckAsync("du", ["-s", "-B1", rootfs])).Split('\t')[0]);
        Assert.Equal(du, t.SizeBytes);
        var find = (await ProcessRunner.CheckAsync("find", [rootfs, "-mindepth", "1", "-printf", "x"])).Length;
        Assert.Equal(find, t.Files);

        Assert.Equal(t, store.Get("busybox"));
        Assert.Equal(100, progress.Reports[^1].Percent);
        Assert.True(progress.Reports.Select(r => r.Percent).SequenceEqual(progress.Reports.Select(r => r.Percent).Order()),
            "progress went backwards: " + string.Join(", ", progress.Reports));
        Assert.Equal(["busybox"], TestHost.Leftovers(_data.Path));
    }

    [SkippableFact]
    public async Task BuildBusybox_TwiceFromSameBusybox_GivesSameHash()
    {
        Skip.IfNot(TestHost.IsRoot, TestHost.NeedsRoot);
        var store = new TemplateStore(_data.Path);

        var sw = Stopwatch.StartNew();
        var a = await store.BuildBusyboxAsync("a");
        var first = sw.ElapsedMilliseconds;
        var b = await store.BuildBusyboxAsync("b");
        output.WriteLine($"first build {first} ms, second {sw.ElapsedMilliseconds - first} ms");

        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.Equal(a.Files, b.Files);
    }

    [SkippableFact]
    public async Task ListGetRemove_ReflectWhatIsOnDisk()
    {
        Skip.IfNot(TestHost.IsRoot, TestHost.NeedsRoot);
        var store = new TemplateStore(_data.Path);
        Assert.Empty(store.List());
        Assert.Null(store.Get("web"));
        Assert.False(store.Exists("web"));

        await store.BuildBusyboxAsync("web");
        await store.BuildBusyboxAsync("db");

        Assert.Equal(["db", "web"], store.List().Select(t => t.Name));
        Assert.True(store.Exists("web"));
        Assert.NotNull(store.Get("web"));

        store.Remove("web");

        Assert.Null(store.Get("web"));
        Assert.Equal(["db"], store.List().Select(t => t.Name));
        Assert.Equal(["db"], TestHost.Leftovers(_data.Path));
        var missing = Assert.Throws<HakoException>(() => store.Remove("web"));
        Assert.Equal(ErrorCode.NotFound, missing.Code);
    }

    [SkippableFact]
    public async Task BuildBusybox_WhenNameTaken_FailsWithAlreadyExists()
    {
        Skip.IfNot(TestHost.IsRoot, TestHost.NeedsRoot);
        var store = new TemplateStore(_data.Path);
        var first = await store.BuildBusyboxAsync("busybox");

        var e = await Assert.ThrowsAsync<HakoException>(() => store.BuildBusyboxAsync("busybox"));

        Assert.Equal(ErrorCode.AlreadyExists, e.Code);
        Assert.Contains("'busybox' already exists", e.Message);
        Assert.Equal(first, store.Get("busybox"));
        Assert.Equal(["busybox"], TestHost.Leftovers(_data.Path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Busybox")]
    [InlineData("../etc")]
    [InlineData(".tmp-x")]
    [InlineData("a_b")]
    public async Task Build_WhenNameInvalid_FailsWithInvalidArgumentAndCreatesNothing(string name)
    {
        var store = new TemplateStore(_data.Path);

        var e = await Assert.ThrowsAsync<HakoException>(() => store.BuildBusyboxAsync(name));
        var i = await Assert.ThrowsAsync<HakoException>(() => store.ImportAsync(name, "/nonexistent.tar.gz"));
        var d = await Assert.ThrowsAsync<HakoException>(() => store.BuildDebootstrapAsync(name));

        Assert.All([e, i, d], x => Assert.Equal(ErrorCode.InvalidArgument, x.Code));
        Assert.Contains("Template name", e.Message);
        Assert.False(Directory.Exists(Path.Join(_data.Path, "templates")));
    }

    [SkippableFact]
    public async Task BuildBusybox_WhenBusyboxIsDynamic_FailsNamingBusyboxStatic()
    {
        Skip.IfNot(TestHost.IsRoot, TestHost.NeedsRoot);
        var store = new TemplateStore(_data.Path) { BusyboxPath = "/bin/ls" };

        var e = await Assert.ThrowsAsync<HakoException>(() => store.BuildBusyboxAsync("busybox"));

        Assert.Equal(ErrorCode.Unsupported, e.Code);
        Assert.Contains("dynamically linked", e.Message);
        Assert.Contains("busybox-static", e.Message);
        Assert.Empty(TestHost.Leftovers(_data.Path));
    }

    [Fact]
    public async Task BuildBusybox_WhenBusyboxMissing_FailsNamingBusyboxStatic()
    {
        var store = new TemplateStore(_data.Path) { BusyboxPath = "/nonexistent/busybox" };

        var e = await Assert.ThrowsAsync<HakoException>(() => store.BuildBusyboxAsync("busybox"));

        Assert.Equal(ErrorCode.Unsupported, e.Code);
        Assert.Contains("apt-get install busybox-static", e.Message);
        Assert.Empty(TestHost.Leftovers(_data.Path));
    }

    [SkippableFact]
    public async Task BuildBusybox_WhenCancelled_LeavesNothing()
    {
        Skip.IfNot(TestHost.IsRoot, TestHost.NeedsRoot);
        var store = new TemplateStore(_data.Path);
        using var cts = new CancellationTokenSource();
        var progress = new CancelAt(cts, percent: 30);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.BuildBusyboxAsync("busybox", progress, cts.Token));

        Assert.Empty(TestHost.Leftovers(_data.Path));
        Assert.Null(store.Get("busybox"));
    }

    [SkippableFact]
    public void ElfCheck_TellsStaticFromDynamic()
    {
        Skip.IfNot(File.Exists("/bin/busybox"), "busybox-static is not installed");
        Assert.False(ElfFile.IsDynamic("/bin/busybox"));
        Assert.True(ElfFile.IsDynamic("/bin/ls"));
        Assert.Null(ElfFile.IsDynamic("/etc/passwd"));
    }

    private sealed class CancelAt(CancellationTokenSource cts, int percent) : IProgress<(int Percent, string Step)>
    {
        public void Report((int Percent, string Step) value)
        {
            if (value.Percent >= percent)
            {
                cts.Cancel();
            }
        }
    }
}

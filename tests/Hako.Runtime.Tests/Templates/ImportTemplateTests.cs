using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Runtime.Templates;

namespace Hako.Runtime.Tests.Templates;

/// <summary>
/// Tarballs made here from a busybox rootfs owned by 0:0 (as an OS template cache is), plus a
/// setuid file, a file of uid 1000 and a symlink pointing at a host directory.
/// </summary>
public sealed class TarballFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public string Dir => _dir.Path;

    public string Sentinel => _dir.Sub("host-dir/keep");

    public Dictionary<string, string> Tarballs { get; } = [];

    public string? SkipReason { get; }

    public TarballFixture()
    {
        if (!TestHost.IsRoot)
        {
            SkipReason = TestHost.NeedsRoot;
            return;
        }

        Task.Run(BuildAsync).GetAwaiter().GetResult();
    }

    private async Task BuildAsync()
    {
        var store = new TemplateStore(_dir.Sub("scratch"));
        var t = await store.BuildBusyboxAsync("src");
        var src = _dir.Sub("myroot");
        await TestHost.RunAsync("cp", "-a", t.RootfsPath, src);
        await TestHost.RunAsync("chown", "-R", "-h", "0:0", src);
        File.WriteAllText(Path.Join(src, "usr/bin/suid"), "#!/bin/sh\n");
        await TestHost.RunAsync("chmod", "4755", Path.Join(src, "usr/bin/suid"));
        Directory.CreateDirectory(Path.Join(src, "home/user"));
        await TestHost.RunAsync("chown", "1000:1000", Path.Join(src, "home/user"));
        Directory.CreateDirectory(Path.GetDirectoryName(Sentinel)!);
        File.WriteAllText(Sentinel, "host file");
        File.CreateSymbolicLink(Path.Join(src, "mnt/host"), Path.GetDirectoryName(Sentinel)!);

        // gz with "./" prefixes, xz with one top-level directory, zst with bare names; misleading file names on purpose.
        Tarballs["gz"] = _dir.Sub("a.tar.xz");
        await TestHost.RunAsync("tar", "--numeric-owner", "-czf", Tarballs["gz"], "-C", src, ".");
        Tarballs["xz"] = _dir.Sub("b.tgz");
        await TestHost.RunAsync("tar", "--numeric-owner", "-cJf", Tarballs["xz"], "-C", _dir.Path, "myroot");
        Tarballs["zst"] = _dir.Sub("c.tar");
        var top = Directory.GetFileSystemEntries(src).Select(Path.GetFileName).OfType<string>().ToArray();
        await TestHost.RunAsync("tar", ["--numeric-owner", "--zstd", "-cf", Tarballs["zst"], "-C", src, .. top]);

        File.WriteAllText(_dir.Sub("evil"), "outside");
        Tarballs["dotdot"] = _dir.Sub("dotdot.tar.gz");
        await TestHost.RunAsync("tar", "-P", "-czf", Tarballs["dotdot"], "-C", src, ".", "../evil");
        Tarballs["absolute"] = _dir.Sub("absolute.tar.gz");
        await TestHost.RunAsync("tar", "-P", "-czf", Tarballs["absolute"], "-C", src, ".", _dir.Sub("evil"));

        var notRootfs = _dir.Sub("notrootfs");
        Directory.CreateDirectory(Path.Join(notRootfs, "docs"));
        File.WriteAllText(Path.Join(notRootfs, "docs/readme.txt"), "just files");
        Tarballs["notrootfs"] = _dir.Sub("notrootfs.tar.gz");
        await TestHost.RunAsync("tar", "-czf", Tarballs["notrootfs"], "-C", notRootfs, ".");

        Tarballs["text"] = _dir.Sub("text.tar.gz");
        File.WriteAllText(Tarballs["text"], "this is not a tarball\n");
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class ImportTemplateTests(TarballFixture fixture) : IClassFixture<TarballFixture>, IDisposable
{
    private readonly TempDir _data = new();

    public void Dispose() => _data.Dispose();

    [SkippableTheory]
    [InlineData("gz")]
    [InlineData("xz")]
    [InlineData("zst")]
    public async Task Import_ShiftsOwnershipAndKeepsModes(string kind)
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var store = new TemplateStore(_data.Path);
        var progress = new ProgressLog();

        var t = await store.ImportAsync("imported", fixture.Tarballs[kind], progress);

        var rootfs = t.RootfsPath;
        Assert.Equal("100000:100000 755 directory", await TestHost.StatAsync(rootfs));
        Assert.Equal("100000:100000 755 regular file", await TestHost.StatAsync(Path.Join(rootfs, "bin/busybox")));
        Assert.Equal("100000:100000 777 symbolic link", await TestHost.StatAsync(Path.Join(rootfs, "sbin/init")));
        Assert.Equal("100000:100000 1777 directory", await TestHost.StatAsync(Path.Join(rootfs, "tmp")));
        Assert.Equal("100000:100000 4755 regular file", await TestHost.StatAsync(Path.Join(rootfs, "usr/bin/suid")));
        Assert.Equal("101000:101000 755 directory", await TestHost.StatAsync(Path.Join(rootfs, "home/user")));
        Assert.Equal("import", t.Source);
        Assert.Equal("SIGUSR2", t.HaltSignal); // /sbin/init is busybox
        Assert.Equal("/sbin/init", t.Init);
        Assert.StartsWith("BusyBox", t.Description);
        Assert.Equal(100, progress.Reports[^1].Percent);
        Assert.Equal(["imported"], TestHost.Leftovers(_data.Path));

        // Removing follows no symlink out of the template.
        store.Remove("imported");
        Assert.True(File.Exists(fixture.Sentinel));
        Assert.Empty(TestHost.Leftovers(_data.Path));
    }

    [SkippableFact]
    public async Task Import_OfSameRootfsInAnyLayout_GivesSameHash()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var store = new TemplateStore(_data.Path);

        var hashes = new List<string>();
        foreach (var kind in new[] { "gz", "xz", "zst" })
        {
            hashes.Add((await store.ImportAsync(kind, fixture.Tarballs[kind])).ContentHash);
        }

        Assert.Single(hashes.Distinct());
    }

    [SkippableTheory]
    [InlineData("dotdot", "../evil")]
    [InlineData("absolute", "/")]
    public async Task Import_WhenTarballEscapesRootfs_IsRejectedAndLeavesNothing(string kind, string shown)
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var store = new TemplateStore(_data.Path);

        var e = await Assert.ThrowsAsync<HakoException>(() => store.ImportAsync("evil", fixture.Tarballs[kind]));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("absolute paths or '..'", e.Message);
        Assert.Contains(shown, e.Message);
        Assert.Empty(TestHost.Leftovers(_data.Path));
        Assert.False(store.Exists("evil"));
    }

    [SkippableFact]
    public async Task Import_WhenTarballIsNotRootfs_IsRejectedAndLeavesNothing()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var store = new TemplateStore(_data.Path);

        var e = await Assert.ThrowsAsync<HakoException>(() => store.ImportAsync("docs", fixture.Tarballs["notrootfs"]));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("does not look like an OS rootfs", e.Message);
        Assert.Contains("no /etc", e.Message);
        Assert.Empty(TestHost.Leftovers(_data.Path));
    }

    [SkippableFact]
    public async Task Import_WhenFileIsNotTarball_IsRejectedBeforeAnyWork()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var store = new TemplateStore(_data.Path);

        var e = await Assert.ThrowsAsync<HakoException>(() => store.ImportAsync("text", fixture.Tarballs["text"]));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("is not a tar archive", e.Message);
        Assert.Empty(TestHost.Leftovers(_data.Path));
    }

    [Fact]
    public async Task Import_WhenTarballMissing_FailsWithNotFound()
    {
        var store = new TemplateStore(_data.Path);

        var e = await Assert.ThrowsAsync<HakoException>(() => store.ImportAsync("x", _data.Sub("nope.tar.gz")));

        Assert.Equal(ErrorCode.NotFound, e.Code);
        Assert.Empty(TestHost.Leftovers(_data.Path));
    }

    [SkippableFact]
    public async Task Import_WhenIdsOutsideRange_IsRejectedAndLeavesNothing()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var shifted = new TemplateStore(_data.Sub("other"));
        var t = await shifted.BuildBusyboxAsync("b");
        var tarball = _data.Sub("shifted.tar.gz");
        await TestHost.RunAsync("tar", "--numeric-owner", "-czf", tarball, "-C", t.RootfsPath, ".");
        var store = new TemplateStore(_data.Path);

        var e = await Assert.ThrowsAsync<HakoException>(() => store.ImportAsync("again", tarball));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("outside 0-65535", e.Message);
        Assert.Contains("already shifted", e.Message);
        Assert.Empty(TestHost.Leftovers(_data.Path));
    }

    [Theory]
    [InlineData("bin/sh", false)]
    [InlineData("./etc/passwd", false)]
    [InlineData("./", false)]
    [InlineData("a..b/c", false)]
    [InlineData("../evil", true)]
    [InlineData("./etc/../../evil", true)]
    [InlineData("/etc/passwd", true)]
    public void UnsafeEntries_FlagsAbsoluteAndDotDot(string entry, bool flagged) =>
        Assert.Equal(flagged, TemplateStore.UnsafeEntries([entry]).Count == 1);
}

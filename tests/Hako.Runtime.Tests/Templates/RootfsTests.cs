using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Runtime.Templates;

namespace Hako.Runtime.Tests.Templates;

public sealed class RootfsTests : IDisposable
{
    private readonly TempDir _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Resolve_FollowsAbsoluteSymlinksInsideRootNotOnHost()
    {
        Directory.CreateDirectory(_root.Sub("usr/lib/systemd"));
        File.WriteAllText(_root.Sub("usr/lib/systemd/systemd"), "");
        File.CreateSymbolicLink(_root.Sub("lib"), "usr/lib");
        Directory.CreateDirectory(_root.Sub("usr/sbin"));
        File.CreateSymbolicLink(_root.Sub("sbin"), "/usr/sbin"); // absolute: must not mean the host's /usr/sbin
        File.CreateSymbolicLink(_root.Sub("usr/sbin/init"), "/lib/systemd/systemd");
        File.CreateSymbolicLink(_root.Sub("escape"), "../../../../etc");

        Assert.Equal(_root.Sub("usr/lib/systemd/systemd"), RootfsPath.Resolve(_root.Path, "/sbin/init"));
        Assert.Equal(("/sbin/init", "SIGRTMIN+3"), TemplateStore.DetectInit(_root.Path));
        Assert.Null(RootfsPath.Resolve(_root.Path, "/sbin/ls")); // exists on the host, not in the rootfs
        Assert.Null(RootfsPath.Resolve(_root.Path, "/escape/passwd"));
    }

    [Fact]
    public void DetectInit_WithoutSystemd_UsesSigpwr()
    {
        Directory.CreateDirectory(_root.Sub("sbin"));
        File.WriteAllText(_root.Sub("sbin/init"), "");

        Assert.Equal(("/sbin/init", "SIGPWR"), TemplateStore.DetectInit(_root.Path));
    }

    [Fact]
    public void Resolve_WhenSymlinksLoop_ReturnsNull()
    {
        File.CreateSymbolicLink(_root.Sub("a"), "b");
        File.CreateSymbolicLink(_root.Sub("b"), "/a");

        Assert.Null(RootfsPath.Resolve(_root.Path, "/a/x"));
    }

    [Fact]
    public void DebootstrapArguments_AreMinbaseBookwormWithSystemd()
    {
        var args = TemplateStore.DebootstrapArguments("/data/templates/.tmp-debian-12-x/rootfs", TemplateStore.DefaultDebianMirror);

        Assert.Equal(
            ["--variant=minbase", "--include=systemd,systemd-sysv,iproute2,ifupdown,procps", "bookworm",
             "/data/templates/.tmp-debian-12-x/rootfs", "http://deb.debian.org/debian"],
            args);
    }

    [Fact]
    public async Task BuildDebootstrap_WhenDebootstrapMissing_FailsClearlyAndCreatesNothing()
    {
        var store = new TemplateStore(_root.Path) { DebootstrapPath = "/nonexistent/debootstrap" };

        var e = await Assert.ThrowsAsync<HakoException>(() => store.BuildDebootstrapAsync("debian-12", null));

        Assert.Equal(ErrorCode.Unsupported, e.Code);
        Assert.Contains("apt-get install debootstrap", e.Message);
        Assert.Empty(TestHost.Leftovers(_root.Path));
    }

    [Fact]
    public async Task BuildDebootstrap_WhenMirrorIsNotUrl_FailsWithInvalidArgument()
    {
        var store = new TemplateStore(_root.Path);

        var e = await Assert.ThrowsAsync<HakoException>(() => store.BuildDebootstrapAsync("debian-12", "deb.debian.org"));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Empty(TestHost.Leftovers(_root.Path));
    }
}

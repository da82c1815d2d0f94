using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Processes;
using Hako.Runtime.Archives;
using Hako.Runtime.Templates;

namespace Hako.Runtime.Tests.Templates;

/// <summary>
/// Issue 9, hole 3: what a template import keeps of a hostile tarball (device nodes dropped, file capabilities
/// dropped, setuid kept since every owner ends up in the container's range, escapes refused) and how a template
/// received from a peer is checked (template.json covered by the hash, LXC values validated).
/// </summary>
public sealed class TemplatePolicyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<string> BusyboxRootAsync()
    {
        var t = await new TemplateStore(_dir.Sub("scratch")).BuildBusyboxAsync("src");
        var src = _dir.Sub("root");
        await TestHost.RunAsync("cp", "-a", t.RootfsPath, src);
        await TestHost.RunAsync("chown", "-R", "-h", "0:0", src);
        return src;
    }

    [SkippableFact]
    public async Task Import_DropsDeviceNodesAndFileCapabilities_KeepsSetuidOfFilesInTheRange_AndSaysWhatItDropped()
    {
        Skip.IfNot(TestHost.IsRoot, TestHost.NeedsRoot);
        var src = await BusyboxRootAsync();
        Directory.CreateDirectory(Path.Join(src, "dev"));
        await TestHost.RunAsync("mknod", Path.Join(src, "dev/sda"), "b", "8", "0");
        await TestHost.RunAsync("mknod", Path.Join(src, "dev/mem"), "c", "1", "1");
        await File.WriteAllTextAsync(Path.Join(src, "usr/bin/suidroot"), "#!/bin/sh\n");
        await TestHost.RunAsync("chmod", "4755", Path.Join(src, "usr/bin/suidroot"));
        await File.WriteAllTextAsync(Path.Join(src, "usr/bin/capped"), "#!/bin/sh\n");
        await TestHost.RunAsync("setcap", "cap_sys_admin+ep", Path.Join(src, "usr/bin/capped"));
        var tarball = _dir.Sub("hostile.tar.gz");
        await TestHost.RunAsync("tar", "--numeric-owner", "--xattrs", "--xattrs-include=*", "-czf", tarball, "-C", src, ".");
        var store = new TemplateStore(_dir.Sub("data"));

        var t = await store.ImportAsync("hostile", tarball);

        Assert.False(File.Exists(Path.Join(t.RootfsPath, "dev/sda")));
        Assert.False(File.Exists(Path.Join(t.RootfsPath, "dev/mem")));
        Assert.Equal("100000:100000 4755 regular file", await TestHost.StatAsync(Path.Join(t.RootfsPath, "usr/bin/suidroot")));
        Assert.Equal("", (await ProcessRunner.CheckAsync("getcap", [Path.Join(t.RootfsPath, "usr/bin/capped")])).Trim());
        Assert.Contains("2 device node(s)", t.Dropped);
        Assert.Contains("1 file capability(ies)", t.Dropped);
        Assert.Equal(t.Dropped, store.Get("hostile")!.Dropped);
    }

    [SkippableFact]
    public async Task Import_OfAnEntryThroughASymlinkTheTarballMade_IsRefusedAndWritesNothingOnTheHost()
    {
        Skip.IfNot(TestHost.IsRoot, TestHost.NeedsRoot);
        var src = await BusyboxRootAsync();
        var host = _dir.Sub("host");
        Directory.CreateDirectory(host);
        var links = _dir.Sub("links");
        Directory.CreateDirectory(links);
        File.CreateSymbolicLink(Path.Join(links, "lnk"), host);
        var through = _dir.Sub("through");
        Directory.CreateDirectory(Path.Join(through, "lnk"));
        await File.WriteAllTextAsync(Path.Join(through, "lnk/evil"), "evil");
        var tarball = _dir.Sub("through.tar.gz");
        // "lnk" as a symlink to a host dir, then "lnk/evil": GNU tar itself would refuse to follow here only by luck of its options.
        await TestHost.RunAsync("tar", "--numeric-owner", "-czf", tarball, "-C", src, ".", "-C", links, "lnk", "-C", through, "lnk/evil");
        var store = new TemplateStore(_dir.Sub("data"));

        var e = await Assert.ThrowsAsync<HakoException>(() => store.ImportAsync("through", tarball));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("below a symlink", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(host));
        Assert.Empty(TestHost.Leftovers(_dir.Sub("data")));
    }

    /// <summary>A template as a peer would send it, with template.json changed by <paramref name="edit"/> on the way.</summary>
    private async Task<HakoException> ReceiveTamperedAsync(Func<string, string> edit)
    {
        var sender = new TemplateStore(_dir.Sub("sender"));
        var t = await sender.BuildBusyboxAsync("bb");
        var copy = _dir.Sub("copy");
        await TestHost.RunAsync("cp", "-a", Path.GetDirectoryName(t.RootfsPath)!, copy);
        var meta = Path.Join(copy, "template.json");
        await File.WriteAllTextAsync(meta, edit(await File.ReadAllTextAsync(meta)));
        var receiver = new TemplateStore(_dir.Sub("receiver"));

        await using var tar = PackStream.StartTree(copy);
        var e = await Assert.ThrowsAsync<HakoException>(() => receiver.ReceiveAsync("bb", t.ContentHash, tar.Output));
        Assert.False(receiver.Exists("bb"));
        Assert.Empty(TestHost.Leftovers(_dir.Sub("receiver")));
        return e;
    }

    [SkippableFact]
    public async Task Receive_WhenTemplateJsonInitWasChanged_FailsTheHashCheck()
    {
        Skip.IfNot(TestHost.IsRoot, TestHost.NeedsRoot);

        var e = await ReceiveTamperedAsync(json => json.Replace("\"init\": \"/sbin/init\"", "\"init\": \"/bin/sh\"", StringComparison.Ordinal));

        Assert.Contains("content hash", e.Message);
    }

    [SkippableFact]
    public async Task Receive_WhenInitHasANewline_IsRefusedAsInvalid()
    {
        Skip.IfNot(TestHost.IsRoot, TestHost.NeedsRoot);

        var e = await ReceiveTamperedAsync(json => json.Replace("\"init\": \"/sbin/init\"", "\"init\": \"/sbin/init\\nlxc.mount.entry = / host none bind 0 0\"", StringComparison.Ordinal));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("Init '/sbin/init\\x0alxc.mount.entry", e.Message);
    }

    [Theory]
    [InlineData("/sbin/init", "SIGPWR", 0)]
    [InlineData("/lib/systemd/systemd", "SIGRTMIN+3", 0)]
    [InlineData("sbin/init", "SIGUSR2", 1)]
    [InlineData("/sbin/init --foo", "SIGUSR2", 1)]
    [InlineData("/sbin/../init", "SIGUSR2", 1)]
    [InlineData("/sbin/init", "SIGPWR\nlxc.x = y", 1)]
    [InlineData("/sbin/init\r", "KILL", 2)]
    public void CheckLxcValues_AcceptsAbsolutePlainPathsAndSignalNamesOnly(string init, string halt, int problems) =>
        Assert.Equal(problems, Template.CheckLxcValues(init, halt).Count);
}

using Hako.Linux.Processes;
using Hako.Runtime.Migration;

namespace Hako.Runtime.Tests.Migration;

/// <summary>A pass's tar carries what an overlay upper dir holds: owners, whiteouts, opaque xattrs, hard links.</summary>
public sealed class TarStreamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hako-tar-").FullName;

    [SkippableFact]
    public async Task CreateThenExtract_KeepsOwnersWhiteoutsXattrsAndHardLinks()
    {
        Skip.IfNot(Environment.UserName == "root", "mknod, chown and trusted.* xattrs need root");
        var src = Path.Combine(_dir, "src");
        var dst = Path.Combine(_dir, "dst");
        Directory.CreateDirectory(Path.Combine(src, "opaque"));
        Directory.CreateDirectory(dst);
        await File.WriteAllTextAsync(Path.Combine(src, "file"), "hello");
        await ProcessRunner.CheckAsync("chown", ["100000:100007", Path.Combine(src, "file")]);
        await ProcessRunner.CheckAsync("ln", [Path.Combine(src, "file"), Path.Combine(src, "link")]);
        await ProcessRunner.CheckAsync("mknod", [Path.Combine(src, "whiteout"), "c", "0", "0"]);
        await ProcessRunner.CheckAsync("setfattr", ["-n", "trusted.overlay.opaque", "-v", "y", Path.Combine(src, "opaque")]);

        var plan = TreeDiff.Compute(null, await TreeScan.ScanAsync(src));
        await using (var tar = TarStream.Create(src, plan.Send, recursive: false, live: false))
        {
            var extract = TarStream.ExtractAsync(tar.Output, dst);
            Assert.True(await extract > 0);
            await tar.CompleteAsync();
        }

        var ls = await ProcessRunner.CheckAsync("stat", ["-c", "%n %u %g %F %h %t:%T", Path.Combine(dst, "file"), Path.Combine(dst, "whiteout")]);
        Assert.Contains($"{dst}/file 100000 100007 regular file 2", ls);
        Assert.Contains($"{dst}/whiteout 0 0 character special file 1 0:0", ls);
        Assert.Equal("y", (await ProcessRunner.CheckAsync("getfattr", ["--only-values", "-n", "trusted.overlay.opaque", Path.Combine(dst, "opaque")])).Trim());
    }

    public void Dispose() => Directory.Delete(_dir, true);
}

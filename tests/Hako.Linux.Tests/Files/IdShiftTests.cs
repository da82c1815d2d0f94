using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Files;
using Hako.Linux.Processes;

namespace Hako.Linux.Tests.Files;

public sealed class IdShiftTests : IDisposable
{
    private readonly string _root = Path.Join(Path.GetTempPath(), "hako-idshift-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _outside = Path.Join(Path.GetTempPath(), "hako-idshift-host-" + Guid.NewGuid().ToString("N")[..12]);

    public IdShiftTests()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(_outside, "host");
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        File.Delete(_outside);
    }

    private static async Task<string> StatAsync(string path) =>
        (await ProcessRunner.CheckAsync("stat", ["-c", "%u:%g %a", path])).Trim();

    [Fact]
    public async Task List_KeepsNamesWithSpacesAndNewlines()
    {
        File.WriteAllText(Path.Join(_root, "with space"), "12345");
        File.WriteAllText(Path.Join(_root, "new\nline"), "");
        File.CreateSymbolicLink(Path.Join(_root, "link"), "target with space");

        var entries = await FileTree.ListAsync(_root);

        Assert.Equal(["", "link", "new\nline", "with space"], entries.Select(e => e.RelativePath).Order(StringComparer.Ordinal));
        Assert.Equal(5, entries.Single(e => e.RelativePath == "with space").Size);
        Assert.Equal('d', entries.Single(e => e.RelativePath == "").Type);
        var link = entries.Single(e => e.RelativePath == "link");
        Assert.True(link.IsSymlink);
        Assert.Equal("target with space", link.LinkTarget);
    }

    [SkippableFact]
    public async Task Shift_AddsOffsetKeepsSetuidAndNeverFollowsSymlinks()
    {
        Skip.IfNot(Environment.UserName == "root", "needs root to chown");
        var suid = Path.Join(_root, "suid");
        File.WriteAllText(suid, "");
        UnixFile.Chmod(suid, Convert.ToInt32("6755", 8));
        var user = Path.Join(_root, "user");
        Directory.CreateDirectory(user);
        UnixFile.Lchown(user, 1000, 1001);
        File.CreateSymbolicLink(Path.Join(_root, "escape"), _outside);
        var before = await StatAsync(_outside);

        IdShift.Shift(_root, await FileTree.ListAsync(_root), 100000, 65536);

        Assert.Equal("100000:100000 6755", await StatAsync(suid));
        Assert.Equal("101000:101001 755", await StatAsync(user));
        Assert.Equal("100000:100000 777", await StatAsync(Path.Join(_root, "escape")));
        Assert.Equal(before, await StatAsync(_outside));
    }

    [SkippableFact]
    public async Task Shift_WhenIdOutsideRange_ChangesNothing()
    {
        Skip.IfNot(Environment.UserName == "root", "needs root to chown");
        var far = Path.Join(_root, "far");
        File.WriteAllText(far, "");
        UnixFile.Lchown(far, 70000, 0);

        var entries = await FileTree.ListAsync(_root);
        var e = Assert.Throws<HakoException>(() => IdShift.Shift(_root, entries, 100000, 65536));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("/far (70000:0)", e.Message);
        Assert.StartsWith("0:0", await StatAsync(_root));
    }

    [Fact]
    public void Lchown_WhenPathMissing_ThrowsNotFoundNamingPath()
    {
        var e = Assert.Throws<HakoException>(() => UnixFile.Lchown(Path.Join(_root, "nope"), 0, 0));

        Assert.Equal(ErrorCode.NotFound, e.Code);
        Assert.Contains("lchown failed on '" + Path.Join(_root, "nope") + "'", e.Message);
    }
}

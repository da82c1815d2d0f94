using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Files;

namespace Hako.Linux.Tests.Files;

/// <summary>The kernel (openat2 RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH) refuses every way out of a tenant's tree.</summary>
public sealed class RootedDirectoryTests : IDisposable
{
    private readonly string _root = Path.Join(Path.GetTempPath(), "hako-rooted-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _host = Path.Join(Path.GetTempPath(), "hako-rooted-host-" + Guid.NewGuid().ToString("N")[..12]);

    public RootedDirectoryTests()
    {
        Directory.CreateDirectory(Path.Join(_root, "dir"));
        Directory.CreateDirectory(_host);
        File.WriteAllText(Path.Join(_host, "canary"), "host");
        File.CreateSymbolicLink(Path.Join(_root, "abs"), _host);
        File.CreateSymbolicLink(Path.Join(_root, "rel"), "dir");
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_host, recursive: true);
    }

    [Fact]
    public void OpenDirectory_ThroughAbsoluteSymlink_IsRefusedNotFollowed()
    {
        using var root = RootedDirectory.Open(_root);

        var e = Assert.Throws<UnsafePathException>(() => root.OpenDirectory("abs"));
        Assert.Equal(ErrorCode.Conflict, e.Code);
        Assert.Contains("symlink", e.Message);
        Assert.Throws<UnsafePathException>(() => root.OpenParent("abs/canary", out _));
    }

    [Fact]
    public void OpenDirectory_ThroughRelativeSymlinkInsideTheTree_IsRefusedToo()
    {
        using var root = RootedDirectory.Open(_root);

        Assert.Throws<UnsafePathException>(() => root.OpenDirectory("rel"));
        using var dir = root.OpenDirectory("dir");
        Assert.Equal("dir", dir.Relative);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("dir/../..")]
    [InlineData("/etc")]
    [InlineData("dir/./x")]
    [InlineData("")]
    public void OpenParent_WithDotDotOrAbsolutePath_IsRefused(string path)
    {
        using var root = RootedDirectory.Open(_root);

        Assert.Throws<UnsafePathException>(() => root.OpenParent(path, out _));
    }

    [Fact]
    public void CreateFile_OverAnExistingSymlink_FailsAndNeverWritesTheTarget()
    {
        using var root = RootedDirectory.Open(_root);
        File.CreateSymbolicLink(Path.Join(_root, "dir", "passwd"), Path.Join(_host, "canary"));
        using var dir = root.OpenDirectory("dir");

        var e = Assert.Throws<HakoException>(() => dir.CreateFile("passwd", 0b110_100_100));
        Assert.Equal(ErrorCode.AlreadyExists, e.Code);
        Assert.Equal("host", File.ReadAllText(Path.Join(_host, "canary")));
    }

    [Fact]
    public void Rename_OntoASymlink_ReplacesTheLinkItself()
    {
        using var root = RootedDirectory.Open(_root);
        File.CreateSymbolicLink(Path.Join(_root, "dir", "hostname"), Path.Join(_host, "canary"));
        using var dir = root.OpenDirectory("dir");
        using (var f = new FileStream(dir.CreateFile(".tmp", 0b110_100_100), FileAccess.Write))
        {
            f.Write("ct\n"u8);
        }

        dir.Rename(".tmp", "hostname");

        Assert.Null(new FileInfo(Path.Join(_root, "dir", "hostname")).LinkTarget);
        Assert.Equal("ct\n", File.ReadAllText(Path.Join(_root, "dir", "hostname")));
        Assert.Equal("host", File.ReadAllText(Path.Join(_host, "canary")));
    }

    [Fact]
    public void OpenFileForRead_OfASymlink_IsRefused()
    {
        using var root = RootedDirectory.Open(_root);
        File.CreateSymbolicLink(Path.Join(_root, "dir", "leak"), Path.Join(_host, "canary"));
        using var dir = root.OpenDirectory("dir");

        Assert.Throws<UnsafePathException>(() => dir.OpenFileForRead("leak", out _));
    }

    [Fact]
    public void Remove_OfADirectoryHoldingASymlinkToTheHost_RemovesTheLinkNotTheHostFiles()
    {
        File.CreateSymbolicLink(Path.Join(_root, "dir", "host"), _host);
        File.WriteAllText(Path.Join(_root, "dir", "file"), "x");
        using var root = RootedDirectory.Open(_root);

        Assert.True(root.Remove("dir"));
        Assert.False(root.Remove("abs/canary")); // through a symlink: cannot be in the tree, nothing removed

        Assert.False(Directory.Exists(Path.Join(_root, "dir")));
        Assert.True(File.Exists(Path.Join(_host, "canary")));
    }

    [Fact]
    public void Stat_DoesNotFollowTheLastSymlink_AndCreateParentsRefusesASymlinkedComponent()
    {
        using var root = RootedDirectory.Open(_root);

        Assert.True(root.Stat("abs")!.Value.IsSymlink);
        Assert.Null(root.Stat("missing/x"));
        Assert.Throws<UnsafePathException>(() => root.CreateParents("abs/sub/file", 0, 0, out _));
        using var made = root.CreateParents("new/sub/file", 0, 0, out var name);
        Assert.Equal("file", name);
        Assert.True(Directory.Exists(Path.Join(_root, "new", "sub")));
        Assert.False(Directory.Exists(Path.Join(_host, "sub")));
    }

    [Fact]
    public void Xattrs_AreReadAndWrittenOnTheEntryItself_ByteExact()
    {
        File.WriteAllText(Path.Join(_root, "dir", "f"), "");
        using var root = RootedDirectory.Open(_root);
        using var dir = root.OpenDirectory("dir");
        byte[] value = [0, 1, 2, 255, 0];

        dir.SetXattr("f", "trusted.hako-test", value);

        var attrs = dir.GetXattrs("f");
        Assert.Equal(value, attrs.Single(a => a.Key == "trusted.hako-test").Value);
        dir.RemoveXattr("f", "trusted.hako-test");
        Assert.DoesNotContain(dir.GetXattrs("f"), a => a.Key == "trusted.hako-test");
    }
}

using Hako.Linux.Files;

namespace Hako.Linux.Tests.Files;

public sealed class SecretFileAndAclTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hako-secret-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SecretFile_IsCreated0600_AndTryCreateNeverOverwrites()
    {
        var file = Path.Combine(_dir, "api.token");
        Assert.True(SecretFile.TryCreate(file, "first\n"));
        Assert.False(SecretFile.TryCreate(file, "second\n"));
        Assert.Equal("first\n", File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        SecretFile.Write(file, "replaced\n");
        Assert.Equal("replaced\n", File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(["api.token"], Directory.EnumerateFiles(_dir).Select(Path.GetFileName)); // no temp file left
    }

    [Fact]
    public void TraverseOnlyAcl_GivesEachUidSearchOnly_AndNothingToOthers_AndCanBeTakenBack()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "lxc")).FullName;
        PosixAcl.SetTraverseOnly(dir, [165536, 100000]);
        Assert.Equal([(100000, 1), (165536, 1)], PosixAcl.ReadUserEntries(dir)); // sorted by uid, x only
        // The mode shows the ACL: owner rwx, group bits = the mask (--x), others nothing.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute,
            File.GetUnixFileMode(dir));

        PosixAcl.SetTraverseOnly(dir, []);
        Assert.Empty(PosixAcl.ReadUserEntries(dir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
    }
}

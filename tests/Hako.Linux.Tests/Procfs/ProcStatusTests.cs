using Hako.Linux.Procfs;

namespace Hako.Linux.Tests.Procfs;

public sealed class ProcStatusTests
{
    [Theory]
    // NSpid lines as the kernel prints them: a container's init (host pid 3211, pid 1 inside), a process
    // inside (pid 7 inside) and a host process with no nested namespace.
    [InlineData("NSpid:\t3211\t1", true)]
    [InlineData("NSpid:\t3260\t7", false)]
    [InlineData("NSpid:\t1", false)]
    public void IsNamespaceInit_ReadsTheLastNSpidField(string nspid, bool expected)
    {
        var root = Directory.CreateTempSubdirectory("proc-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "42"));
            File.WriteAllText(Path.Combine(root, "42", "status"), $"Name:\tinit\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t3211\nNgid:\t0\nPid:\t3211\nPPid:\t3190\n{nspid}\nNSpgid:\t3211\t1\n");
            Assert.Equal(expected, ProcStatus.IsNamespaceInit(42, root));
            Assert.False(ProcStatus.IsNamespaceInit(43, root));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void IsNamespaceInit_ThisProcess_IsNot() => Assert.False(ProcStatus.IsNamespaceInit(Environment.ProcessId));
}

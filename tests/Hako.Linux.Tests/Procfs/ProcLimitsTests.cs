using Hako.Linux.Procfs;

namespace Hako.Linux.Tests.Procfs;

public sealed class ProcLimitsTests
{
    // /proc/self/limits of hakod on this host (root without CAP_SYS_RESOURCE).
    private const string Limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max file size             unlimited            unlimited            bytes
        Max processes             96365                96365                processes
        Max open files            1048576              20000                files
        Max locked memory         8388608              8388608              bytes
        Max pending signals       96365                96365                signals
        """;

    [Fact]
    public void ClampPrlimitLines_LowersHardAndSoftToOurOwnHardLimit()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, Limits);
        try
        {
            Assert.Equal(20000, ProcLimits.Hard("nofile", path));
            var lines = ProcLimits.ClampPrlimitLines(
                ["lxc.prlimit.nofile = 9312:32000", "lxc.prlimit.memlock = 4096:4096", "lxc.pty.max = 4", "lxc.prlimit.sigpending = unlimited"], path).ToList();
            Assert.Equal(["lxc.prlimit.nofile = 9312:20000", "lxc.prlimit.memlock = 4096:4096", "lxc.pty.max = 4", "lxc.prlimit.sigpending = unlimited"], lines);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using Hako.Core.Errors;
using Hako.Linux.Procfs;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Procfs;

public sealed class ProcMeminfoTests
{
    [Fact]
    public void Read_ParsesRealMeminfo()
    {
        // Fixtures/proc/meminfo: "MemTotal:       24684092 kB", "MemAvailable:   24244460 kB", no swap.
        var info = ProcMeminfo.Read(FixtureTree.PathOf("proc/meminfo"));
        Assert.Equal(24684092L * 1024, info.MemTotalBytes);
        Assert.Equal(24244460L * 1024, info.MemAvailableBytes);
        Assert.Equal(0, info.SwapTotalBytes);
        Assert.Equal(0, info.SwapFreeBytes);
    }

    [Fact]
    public void Parse_WithSwap()
    {
        var info = ProcMeminfo.Parse("MemTotal:        2000 kB\nMemFree: 10 kB\nMemAvailable:    1000 kB\nSwapTotal:  512 kB\nSwapFree:  256 kB\nHugePages_Total:       0\n");
        Assert.Equal(new MemInfo(2000 * 1024, 1000 * 1024, 512 * 1024, 256 * 1024), info);
    }

    [Fact]
    public void Parse_WithoutMemAvailable_SaysWhatIsMissing()
    {
        var e = Assert.Throws<HakoException>(() => ProcMeminfo.Parse("MemTotal: 1 kB\n", "x"));
        Assert.Contains("MemAvailable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OfThisHost_Works()
    {
        Assert.True(ProcMeminfo.Read().MemTotalBytes > 0);
        Assert.True(HostCpus.Count >= 1);
    }
}

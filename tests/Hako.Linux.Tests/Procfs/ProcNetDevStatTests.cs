using Hako.Core.Errors;
using Hako.Linux.Procfs;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Procfs;

public sealed class ProcNetDevStatTests
{
    [Fact]
    public void NetDev_ParsesRealFile()
    {
        // Fixtures/proc/net-dev: "    lo: 20375882    6978    0 ... 20375882    6978 ..."
        var counters = ProcNetDev.Read(FixtureTree.PathOf("proc/net-dev"));
        Assert.Contains("lo", counters.Keys);
        Assert.Contains("ifb0", counters.Keys);
        Assert.DoesNotContain("face |bytes", counters.Keys);
        Assert.True(counters["lo"].RxBytes > 0);
        Assert.Equal(counters["lo"].RxBytes, counters["lo"].TxBytes);
    }

    [Fact]
    public void NetDev_ReadsReceiveAndTransmitColumns()
    {
        const string text = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            hk0a1b2c3d4e5f: 1500 3 0 0 0 0 0 0 98000 70 0 0 0 0 0 0
            eth0:12345678901 9 0 0 0 0 0 0 7 1 0 0 0 0 0 0
            """;
        var counters = ProcNetDev.Parse(text);
        Assert.Equal(new InterfaceCounters(1500, 3, 98000, 70), counters["hk0a1b2c3d4e5f"]);
        Assert.Equal(new InterfaceCounters(12345678901, 9, 7, 1), counters["eth0"]);
    }

    [Fact]
    public void Stat_BusyTimeOfRealFile()
    {
        // Fixtures/proc/stat: "cpu  864856 0 128283 669380 6607 0 1509 1193 0 0": busy = user+nice+system+irq+softirq+steal.
        var busy = ProcStat.BusyNanoseconds(File.ReadAllText(FixtureTree.PathOf("proc/stat")));
        Assert.Equal((864856L + 0 + 128283 + 0 + 1509 + 1193) * 10_000_000, busy);
    }

    [Fact]
    public void Loadavg_OfRealFile()
    {
        var (load, tasks) = ProcStat.Loadavg(File.ReadAllText(FixtureTree.PathOf("proc/loadavg")));
        Assert.True(load >= 0);
        Assert.True(tasks > 10);
        Assert.Equal((0.5, 154L), ProcStat.Loadavg("0.50 6.22 3.68 4/154 30890\n"));
    }

    [Fact]
    public void Malformed_SaysWhatWasExpected()
    {
        Assert.Contains("cpu line", Assert.Throws<HakoException>(() => ProcStat.BusyNanoseconds("intr 1 2 3")).Message);
        Assert.Contains("running/total", Assert.Throws<HakoException>(() => ProcStat.Loadavg("garbage")).Message);
    }

    [Fact]
    public void Vmstat_FindsTheNamedLineOnly()
    {
        const string text = "nr_free_pages 5841337\noom_kill_extra 9\noom_kill 3\npgfault 1\n";
        Assert.Equal(3, ProcStat.VmstatValue(text, "oom_kill"));
        Assert.Null(ProcStat.VmstatValue(text, "oom"));
        Assert.True(ProcStat.ReadOomKills() >= 0);
    }
}

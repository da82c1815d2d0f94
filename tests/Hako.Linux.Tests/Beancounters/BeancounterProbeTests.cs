using Hako.Core.Resources;
using Hako.Linux.Beancounters;
using Hako.Linux.Cgroups;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Beancounters;

/// <summary>Against Fixtures/ubc-v1 (a real container's files, see its SOURCES.md) and the cgroup-v2 fixture.</summary>
public sealed class BeancounterProbeTests
{
    private const string Group = "hako-node1/web1";
    private const int Init = 20174;

    private static BeancounterSample MeasureV1()
    {
        var root = FixtureTree.PathOf("ubc-v1");
        var probe = new BeancounterProbe(new CgroupV1Driver(Path.Combine(root, "cgroup")), Path.Combine(root, "proc"));
        return probe.Measure(Group, Init);
    }

    [Fact]
    public void Measure_OnRealV1Container_CountsProcessesFilesLocksAndPtys()
    {
        var s = MeasureV1();
        Assert.Equal(new BeancounterReading(11, null, 0), s[UbcResource.NumProc]);
        Assert.Equal(53, s[UbcResource.NumFile].Held);
        Assert.Equal(2, s[UbcResource.NumFlock].Held); // pid 23077's flock and POSIX lock; host pids not counted
        Assert.Equal(2, s[UbcResource.NumPty].Held); // /dev/pts/0 (console) and 1
        Assert.Equal(9141, s[UbcResource.PrivVmPages].Held);
        Assert.Equal(1, s[UbcResource.NumSigInfo].Held);
    }

    [Fact]
    public void Measure_OnRealV1Container_ReadsSocketsOfTheNetns()
    {
        var s = MeasureV1();
        Assert.Equal(3, s[UbcResource.NumTcpSock].Held); // TCP inuse 1 + TCP6 inuse 2
        Assert.Equal(5, s[UbcResource.NumOtherSock].Held); // sockets used 8 − 3
        Assert.Null(s[UbcResource.DgramRcvBuf].Held); // opt-in
        Assert.Null(s[UbcResource.OtherSockBuf].Held);
        Assert.Null(s[UbcResource.NumIptEnt].Held);
    }

    [Fact]
    public void Measure_WithDatagramQueues_SumsUdpReceiveQueues()
    {
        var root = FixtureTree.PathOf("ubc-v1");
        var probe = new BeancounterProbe(new CgroupV1Driver(Path.Combine(root, "cgroup")), Path.Combine(root, "proc"), readDatagramQueues: true);
        Assert.Equal(0x1A00, probe.Measure(Group, Init)[UbcResource.DgramRcvBuf].Held);
    }

    [Fact]
    public void Measure_OnRealV1Container_ReadsMemoryCountersInPages()
    {
        var s = MeasureV1();
        Assert.Equal(new BeancounterReading(17022976 / 4096, 18309120 / 4096, 0), s[UbcResource.PhysPages]);
        Assert.Equal(new BeancounterReading(0, null, 0), s[UbcResource.SwapPages]); // no swap device
        Assert.Equal(3329, s[UbcResource.ShmPages].Held);
        Assert.Equal(256, s[UbcResource.LockedPages].Held); // 1 MiB mlock()ed
        Assert.Equal(new BeancounterReading(630784, 1327104, null), s[UbcResource.KmemSize]);
        Assert.Equal(8192, s[UbcResource.TcpSndBuf].Held);
        Assert.Null(s[UbcResource.TcpRcvBuf].Held);
        Assert.Null(s[UbcResource.DcacheSize].Held); // v1 has no slab breakdown
        Assert.Null(s[UbcResource.VmGuarPages].Held);
        Assert.Equal(17022976 / 4096, s[UbcResource.OomGuarPages].Held);
    }

    [Fact]
    public void Measure_OnV2_TakesKernelSockAndSlabFromMemoryStat()
    {
        var probe = new BeancounterProbe(new CgroupV2Driver(FixtureTree.PathOf("cgroup-v2")), FixtureTree.PathOf("ubc-v1/proc"));
        var s = probe.Measure(Group, Init);
        Assert.Equal(3670016, s[UbcResource.KmemSize].Held);
        Assert.Equal(0, s[UbcResource.TcpSndBuf].Held);
        Assert.Equal(1572864, s[UbcResource.DcacheSize].Held);
        Assert.Equal(256, s[UbcResource.ShmPages].Held);
    }

    [Fact]
    public void Measure_WhenContainerIsGone_ReportsNothingInsteadOfThrowing()
    {
        var root = FixtureTree.PathOf("ubc-v1");
        var s = new BeancounterProbe(new CgroupV1Driver(Path.Combine(root, "cgroup")), Path.Combine(root, "proc")).Measure("hako-node1/gone", 999999);
        Assert.All(s.Readings, r => Assert.Null(r.Reading.Held));
    }
}

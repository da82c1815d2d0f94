using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Cgroups.Io;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Cgroups.Io;

/// <summary>
/// Against Fixtures/cgroup-v1-io (real blkio files from this host) and Fixtures/cgroup-v2-io
/// (cgroup-v2.rst formats); see their SOURCES.md.
/// </summary>
public sealed class IoControllerTests
{
    private const long MiB = 1024 * 1024;
    private const string Group = "hako-node1/web1";

    private static readonly ResourceLimits Limited = new() { IoPrio = 6, IoLimitBytesPerSecond = 10 * MiB, IopsLimit = 500 };

    [Fact]
    public void V1_LxcConfigLines_WithEveryLimit_WritesWeightAndFourThrottles()
    {
        var io = new BlkioV1Controller(FixtureTree.PathOf("cgroup-v1-io"));
        Assert.Equal(["blkio.bfq.weight"], io.WeightFiles);
        Assert.Null(io.WeightUnsupportedReason);
        Assert.Equal(
            [
                "lxc.cgroup.blkio.bfq.weight = 700",
                "lxc.cgroup.blkio.throttle.read_bps_device = 7:3 10485760",
                "lxc.cgroup.blkio.throttle.write_bps_device = 7:3 10485760",
                "lxc.cgroup.blkio.throttle.read_iops_device = 7:3 500",
                "lxc.cgroup.blkio.throttle.write_iops_device = 7:3 500",
            ],
            io.LxcConfigLines(Limited, "7:3"));
    }

    [Fact]
    public void V1_LxcConfigLines_WhenUnlimited_WritesZeroRulesSoTheDeviceIsCounted() =>
        Assert.Equal(
            [
                "lxc.cgroup.blkio.bfq.weight = 500",
                "lxc.cgroup.blkio.throttle.read_bps_device = 7:3 0",
                "lxc.cgroup.blkio.throttle.write_bps_device = 7:3 0",
                "lxc.cgroup.blkio.throttle.read_iops_device = 7:3 0",
                "lxc.cgroup.blkio.throttle.write_iops_device = 7:3 0",
            ],
            new BlkioV1Controller(FixtureTree.PathOf("cgroup-v1-io")).LxcConfigLines(new ResourceLimits(), "7:3"));

    [Fact]
    public void V1_LxcConfigLines_WithoutDevice_OnlySetsWeight() =>
        Assert.Equal(["lxc.cgroup.blkio.bfq.weight = 100"],
            new BlkioV1Controller(FixtureTree.PathOf("cgroup-v1-io")).LxcConfigLines(new ResourceLimits { IoPrio = 0 }, null));

    [Fact]
    public void V1_WhenNoGroupHasWeightFiles_ReportsUnsupportedAndOmitsWeight()
    {
        using var tree = FixtureTree.Copy("cgroup-v1-io");
        foreach (var file in Directory.EnumerateFiles(tree.Root, "blkio.bfq.weight*", SearchOption.AllDirectories))
        {
            File.Delete(file);
        }

        var io = new BlkioV1Controller(tree.Root);
        Assert.Empty(io.WeightFiles);
        Assert.StartsWith("unsupported here", io.WeightUnsupportedReason, StringComparison.Ordinal);
        Assert.DoesNotContain(io.LxcConfigLines(Limited, "7:3"), l => l.Contains("weight", StringComparison.Ordinal));
        io.Apply(Group, Limited, "7:47");
        Assert.Equal("7:47 10485760", tree.Read("blkio/hako-node1/web1/blkio.throttle.write_bps_device"));
    }

    [Fact]
    public void V2_LxcConfigLines_WithEveryLimit() =>
        Assert.Equal(
            [
                "lxc.cgroup2.io.bfq.weight = 700",
                "lxc.cgroup2.io.weight = 700",
                "lxc.cgroup2.io.max = 7:3 rbps=10485760 wbps=10485760 riops=500 wiops=500",
            ],
            new IoV2Controller(FixtureTree.PathOf("cgroup-v2-io")).LxcConfigLines(Limited, "7:3"));

    [Fact]
    public void V2_LxcConfigLines_BandwidthOnly_LeavesIopsAtMax() =>
        Assert.Contains("lxc.cgroup2.io.max = 7:3 rbps=5242880 wbps=5242880 riops=max wiops=max",
            new IoV2Controller(FixtureTree.PathOf("cgroup-v2-io")).LxcConfigLines(new ResourceLimits { IoLimitBytesPerSecond = 5 * MiB }, "7:3"));

    [Fact]
    public void V2_LxcConfigLines_WhenUnlimited_OnlySetsWeights() =>
        Assert.Equal(["lxc.cgroup2.io.bfq.weight = 500", "lxc.cgroup2.io.weight = 500"],
            new IoV2Controller(FixtureTree.PathOf("cgroup-v2-io")).LxcConfigLines(new ResourceLimits(), "7:3"));

    [Fact]
    public void V1_Apply_WritesEveryThrottleAndTheWeight_ThenZeroRemovesThem()
    {
        using var tree = FixtureTree.Copy("cgroup-v1-io");
        var io = new BlkioV1Controller(tree.Root);
        io.Apply(Group, Limited, "7:47");
        Assert.Equal("7:47 10485760", tree.Read("blkio/hako-node1/web1/blkio.throttle.read_bps_device"));
        Assert.Equal("7:47 10485760", tree.Read("blkio/hako-node1/web1/blkio.throttle.write_bps_device"));
        Assert.Equal("7:47 500", tree.Read("blkio/hako-node1/web1/blkio.throttle.read_iops_device"));
        Assert.Equal("7:47 500", tree.Read("blkio/hako-node1/web1/blkio.throttle.write_iops_device"));
        Assert.Equal("700", tree.Read("blkio/hako-node1/web1/blkio.bfq.weight"));

        io.Apply(Group, new ResourceLimits(), "7:47");
        Assert.Equal("7:47 0", tree.Read("blkio/hako-node1/web1/blkio.throttle.write_bps_device"));
        Assert.Equal("7:47 0", tree.Read("blkio/hako-node1/web1/blkio.throttle.read_iops_device"));
        Assert.Equal("500", tree.Read("blkio/hako-node1/web1/blkio.bfq.weight"));
    }

    [Fact]
    public void V1_Apply_WithoutDevice_LeavesThrottlesAlone()
    {
        using var tree = FixtureTree.Copy("cgroup-v1-io");
        new BlkioV1Controller(tree.Root).Apply(Group, new ResourceLimits { IoPrio = 2 }, null);
        Assert.Equal("300", tree.Read("blkio/hako-node1/web1/blkio.bfq.weight"));
        Assert.Equal("7:47 5242880\n", tree.Read("blkio/hako-node1/web1/blkio.throttle.write_bps_device"));
    }

    [Fact]
    public void V2_Apply_WritesIoMaxAndWeights_ThenMaxRemovesLimits()
    {
        using var tree = FixtureTree.Copy("cgroup-v2-io");
        var io = new IoV2Controller(tree.Root);
        io.Apply(Group, Limited, "7:3");
        Assert.Equal("7:3 rbps=10485760 wbps=10485760 riops=500 wiops=500", tree.Read("hako-node1/web1/io.max"));
        Assert.Equal("700", tree.Read("hako-node1/web1/io.weight"));
        Assert.Equal("700", tree.Read("hako-node1/web1/io.bfq.weight"));

        io.Apply(Group, new ResourceLimits(), "7:3");
        Assert.Equal("7:3 rbps=max wbps=max riops=max wiops=max", tree.Read("hako-node1/web1/io.max"));
    }

    [Fact]
    public void Throttle_WithoutDevice_IsRefused()
    {
        var e = Assert.Throws<HakoException>(() =>
            new BlkioV1Controller(FixtureTree.PathOf("cgroup-v1-io")).LxcConfigLines(Limited, null));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("--iolimit", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("loop3")]
    [InlineData("7:")]
    [InlineData("/dev/loop3")]
    public void Device_ThatIsNotMajorMinor_IsRefused(string device)
    {
        var e = Assert.Throws<HakoException>(() =>
            new IoV2Controller(FixtureTree.PathOf("cgroup-v2-io")).LxcConfigLines(Limited, device));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(8)]
    public void IoPrio_OutOfRange_IsRefused(int prio) =>
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<HakoException>(() =>
            new BlkioV1Controller(FixtureTree.PathOf("cgroup-v1-io")).LxcConfigLines(new ResourceLimits { IoPrio = prio }, null)).Code);

    [Theory]
    [InlineData(0, 100)]
    [InlineData(4, 500)]
    [InlineData(7, 800)]
    [InlineData(null, 500)]
    public void Weight_MapsIoPrioOntoOneHundredToEightHundred(int? prio, int weight) =>
        Assert.Equal(weight, IoMapping.Weight(prio));

    [Fact]
    public void V1_ReadStats_SumsTheRecursiveCountersOverDevices()
    {
        var stats = new BlkioV1Controller(FixtureTree.PathOf("cgroup-v1-io")).ReadStats(Group);
        Assert.NotNull(stats);
        Assert.Equal([new IoDeviceStats("7:47", 1_048_576, 6_291_456, 16, 40)], stats.Devices);
        Assert.Equal(1_048_576, stats.ReadBytes);
        Assert.Equal(6_291_456, stats.WriteBytes);
        Assert.Equal(16, stats.ReadOps);
        Assert.Equal(40, stats.WriteOps);
    }

    [Fact]
    public void V1_ReadStats_WithoutRecursiveFiles_UsesTheGroupsOwn()
    {
        using var tree = FixtureTree.Copy("cgroup-v1-io");
        File.Delete(Path.Combine(tree.Root, "blkio/hako-node1/web1/blkio.throttle.io_service_bytes_recursive"));
        File.Delete(Path.Combine(tree.Root, "blkio/hako-node1/web1/blkio.throttle.io_serviced_recursive"));
        var stats = new BlkioV1Controller(tree.Root).ReadStats(Group);
        Assert.Equal(new IoDeviceStats("7:47", 0, 4_194_304, 0, 8), stats?.Device("7:47"));
    }

    [Fact]
    public void V1_ReadStats_OfTheRootGroup_ParsesEveryDevice()
    {
        var text = File.ReadAllText(Path.Combine(FixtureTree.PathOf("cgroup-v1-io"), "blkio/blkio.throttle.io_service_bytes"));
        var parsed = BlkioV1Controller.ParseRwStat(text);
        Assert.Contains("254:0", parsed.Keys);
        Assert.Equal(288_269_312, parsed["254:0"].Read);
        Assert.Equal(8_593_555_456, parsed["254:0"].Write);
    }

    [Fact]
    public void ReadStats_OfAGroupWithoutIo_IsZero_AndOfAMissingGroupNull()
    {
        foreach (IIoController io in new IIoController[]
                 {
                     new BlkioV1Controller(FixtureTree.PathOf("cgroup-v1-io")),
                     new IoV2Controller(FixtureTree.PathOf("cgroup-v2-io")),
                 })
        {
            var idle = io.ReadStats("hako-node1/idle");
            Assert.NotNull(idle);
            Assert.Empty(idle.Devices);
            Assert.Equal(0, idle.WriteBytes);
            Assert.Null(io.ReadStats("hako-node1/gone"));
        }
    }

    [Fact]
    public void V2_ReadStats_SumsIoStatOverDevices()
    {
        var stats = new IoV2Controller(FixtureTree.PathOf("cgroup-v2-io")).ReadStats(Group);
        Assert.NotNull(stats);
        Assert.Equal(new IoDeviceStats("7:3", 1_048_576, 6_291_456, 16, 40), stats.Device("7:3"));
        Assert.Equal(1_048_576 + 90_430_464, stats.ReadBytes);
        Assert.Equal(6_291_456 + 299_008_000, stats.WriteBytes);
        Assert.Equal(16 + 8950, stats.ReadOps);
        Assert.Equal(40 + 1252, stats.WriteOps);
    }

    [Fact]
    public void V2_ParseIoStat_IgnoresKeysOfOtherControllers()
    {
        var stats = IoV2Controller.ParseIoStat(
            "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0 cost.vrate=100.00 cost.usage=3 depth=1 avg_lat=0 win=0\n");
        Assert.Equal([new IoDeviceStats("8:0", 4096, 8192, 1, 2)], stats.Devices);
    }
}

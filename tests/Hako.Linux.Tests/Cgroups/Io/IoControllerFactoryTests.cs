using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Cgroups.Io;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Cgroups.Io;

public sealed class IoControllerFactoryTests
{
    [Fact]
    public void Detect_V1BlkioTree_IsV1() =>
        Assert.Equal("v1", IoControllerFactory.Detect(FixtureTree.PathOf("cgroup-v1-io")).Version);

    [Fact]
    public void Detect_V2TreeWithIo_IsV2() =>
        Assert.Equal("v2", IoControllerFactory.Detect(FixtureTree.PathOf("cgroup-v2-io")).Version);

    [Fact]
    public void Detect_V2TreeWithoutIo_IsNone()
    {
        using var tree = FixtureTree.Copy("cgroup-v2-io");
        tree.Write("cgroup.controllers", "cpuset cpu memory pids\n");
        Assert.Equal("none", IoControllerFactory.Detect(tree.Root).Version);
    }

    [Fact]
    public void None_RunsUnlimitedContainers_ButRefusesThrottles()
    {
        var dir = Directory.CreateTempSubdirectory("hako-noio-");
        try
        {
            var io = IoControllerFactory.Detect(dir.FullName);
            Assert.Equal("none", io.Version);
            Assert.StartsWith("unsupported here", io.WeightUnsupportedReason, StringComparison.Ordinal);
            Assert.Empty(io.LxcConfigLines(new ResourceLimits { IoPrio = 4 }, "7:3"));
            Assert.Null(io.ReadStats("hako-node1/web1"));
            var e = Assert.Throws<HakoException>(() => io.Apply("hako-node1/web1", new ResourceLimits { IopsLimit = 100 }, "7:3"));
            Assert.Equal(ErrorCode.Unsupported, e.Code);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
